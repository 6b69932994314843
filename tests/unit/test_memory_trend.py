"""The console's memory growth rule (kiosk.core.memory_trend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.memory_trend import (
    MemoryLevel,
    MemoryRule,
    MemoryTrend,
    assess,
    least_squares_slope,
    theil_sen_slope,
)

RULE = MemoryRule(window=8, settle=3, growth_mb_per_film=3.0, budget_mb=1500.0)


def test_slope_of_a_straight_line_is_its_gradient() -> None:
    assert least_squares_slope([0, 1, 2, 3], [10, 12, 14, 16]) == pytest.approx(2.0)


def test_slope_ignores_noise_around_a_flat_line() -> None:
    # deviations from the means: x -2.5..2.5, y 0 2 -2 1 -1 0 -> sum of products -3, spread 17.5
    slope = least_squares_slope(range(6), [400, 402, 398, 401, 399, 400])
    assert slope == pytest.approx(-3 / 17.5)


@pytest.mark.parametrize(
    ("xs", "ys"), [([1], [1]), ([1, 1], [1, 2]), ([1, 2], [1])], ids=["one", "same-x", "lengths"]
)
def test_slope_refuses_what_has_no_slope(xs: list[float], ys: list[float]) -> None:
    with pytest.raises(ValueError):
        least_squares_slope(xs, ys)


def test_theil_sen_slope_follows_a_line_and_ignores_a_spike() -> None:
    assert theil_sen_slope([0, 1, 2, 3], [10, 12, 14, 16]) == pytest.approx(2.0)
    steady = [400.0, 401, 399, 400, 402, 400, 399, 401, 400, 460]  # a peak on the last film
    assert abs(theil_sen_slope(range(10), steady)) < 0.5
    assert least_squares_slope(range(10), steady) > 3.0  # what the spike does to least squares


def test_theil_sen_slope_needs_two_different_xs() -> None:
    with pytest.raises(ValueError):
        theil_sen_slope([1, 1], [1, 2])


def _measured_peaks() -> list[float]:
    path = Path(__file__).resolve().parents[1] / "data" / "soak_film_peaks.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [float(line) for line in lines if line.strip() and not line.startswith("#")]


def test_the_measured_steady_night_never_looks_like_growth() -> None:
    peaks = _measured_peaks()
    assert len(peaks) == 200
    rule = MemoryRule()  # the console's own rule
    levels = {assess(peaks[:n], 35, rule).level for n in range(1, len(peaks) + 1)}
    assert levels == {MemoryLevel.STEADY}


def _levels_with_leak(leak_mb: float) -> list[MemoryLevel]:
    """The rule's level after each film from the first full window, a leak added to the noise."""
    peaks = [value + leak_mb * n for n, value in enumerate(_measured_peaks()[:35])]
    rule = MemoryRule()
    return [assess(peaks[:n], 35 - n, rule).level for n in range(rule.settle + rule.window, 35)]


def test_a_leak_like_the_old_demo_night_is_seen_at_the_first_full_window() -> None:
    levels = _levels_with_leak(12.0)  # the 640x360 demo grew ~12 MB per film
    assert set(levels) == {MemoryLevel.GROWING}


def test_a_small_leak_is_seen_with_films_left() -> None:
    levels = _levels_with_leak(5.0)
    assert MemoryLevel.GROWING in levels[: len(levels) // 2]


def test_rule_needs_a_window_of_three() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        MemoryRule(window=2)


def test_no_samples_is_steady_and_unknown() -> None:
    verdict = assess([], films_left=35, rule=RULE)
    assert verdict.level is MemoryLevel.STEADY
    assert verdict.rss_mb is None
    assert verdict.describe() == "Memory · 記憶體 —"


def test_settling_films_and_a_partial_window_give_no_slope() -> None:
    # players' buffers being set up: a big jump over the first films is not growth
    samples = [110, 260, 380, 385, 386, 384, 388, 387, 386, 385]  # 3 settling + 7 < window
    verdict = assess(samples, films_left=25, rule=RULE)
    assert verdict.slope_mb_per_film is None
    assert verdict.level is MemoryLevel.STEADY
    assert verdict.describe() == "Memory · 記憶體 385 MB · measuring"


def test_flat_night_after_settling_is_steady() -> None:
    samples = [110, 260, 380] + [385 + (i % 3) for i in range(20)]
    verdict = assess(samples, films_left=12, rule=RULE)
    assert verdict.level is MemoryLevel.STEADY
    assert verdict.slope_mb_per_film is not None
    assert abs(verdict.slope_mb_per_film) < 1.0
    assert "steady" in verdict.describe()


def test_growth_that_stays_inside_the_budget_is_growing_not_a_warning() -> None:
    # the 640x360 demo before the fix: about 12 MB per film
    samples = [250 + 12 * i for i in range(14)]
    verdict = assess(samples, films_left=21, rule=RULE)
    assert verdict.level is MemoryLevel.GROWING
    assert verdict.slope_mb_per_film == pytest.approx(12.0)
    assert verdict.projected_mb == pytest.approx(406 + 12 * 21)
    assert verdict.describe() == "Memory · 記憶體 406 MB · growing +12.0 MB/film"


def test_growth_that_would_pass_the_budget_before_the_end_warns_in_time() -> None:
    # 1080p before the fix: about 60 MB per film, 24 films to go
    samples = [280 + 60 * i for i in range(11)]
    verdict = assess(samples, films_left=24, rule=RULE)
    assert verdict.level is MemoryLevel.WARN
    assert verdict.projected_mb == pytest.approx(880 + 60 * 24)
    assert verdict.describe().endswith("→ 2320 MB by the end")
    advice = verdict.advice(RULE.budget_mb)
    assert advice is not None and "intermission" in advice


def test_the_same_growth_near_the_end_of_the_night_only_watches() -> None:
    samples = [280 + 60 * i for i in range(11)]
    assert assess(samples, films_left=1, rule=RULE).level is MemoryLevel.GROWING


def test_over_the_budget_warns_at_once() -> None:
    verdict = assess([300, 1600], films_left=30, rule=RULE)
    assert verdict.level is MemoryLevel.WARN
    assert verdict.slope_mb_per_film is None
    assert verdict.describe() == "Memory · 記憶體 1600 MB · too much"
    advice = verdict.advice(RULE.budget_mb)
    assert advice is not None and advice.startswith("The app uses 1600 MB, more than 1500 MB:")


def test_only_the_last_window_counts() -> None:
    # grew early on, flat for the last eight films: steady again
    samples = [110, 260, 380] + [400 + 30 * i for i in range(6)] + [560] * 8
    assert assess(samples, films_left=10, rule=RULE).level is MemoryLevel.STEADY


def test_trend_posts_advice_once_per_episode() -> None:
    trend = MemoryTrend(RULE)
    advices = [trend.add(280 + 60 * i, films_left=34 - i)[1] for i in range(14)]
    posted = [a for a in advices if a is not None]
    assert len(posted) == 1
    assert advices.index(posted[0]) == RULE.settle + RULE.window - 1  # the first full window
    for _ in range(RULE.window):  # flat again: the episode is over
        verdict, advice = trend.add(1100, films_left=10)
        assert advice is None
    assert verdict.level is MemoryLevel.STEADY
    levels = [trend.add(1100 + 80 * i, films_left=10)[1] for i in range(1, 9)]
    assert sum(a is not None for a in levels) == 1
