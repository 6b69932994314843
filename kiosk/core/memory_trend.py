"""Is the app's memory growing film after film? The rule the console warns the projectionist by.

The console samples the app's resident memory each time a new film comes up (`MemoryTrend.add`);
the rule looks at the last `MemoryRule.window` films only, after `MemoryRule.settle` films (the
first films set up both players' picture buffers: +280 MB for two 1080p players is expected,
not a leak). Growth is the Theil-Sen slope in MB per film over that window (the median of the
slopes between every two films): a film that briefly peaks 60 MB higher, as one in seven did in
the soak benchmark, does not make a steady night look like growth, as it does to a least-squares
line over so few films. A steady night measures well under 1 MB per film (docs/dev/benchmarks.md,
"Memory over a night").

Levels: `STEADY`; `GROWING` when the slope is at least `growth_mb_per_film` (worth watching,
nothing to do yet); `WARN` when, at that slope, memory would pass `budget_mb` before the last
film, or already has. The warning comes as soon as a window of films shows the trend, so there
are films left to act between (e.g. restart the app at the intermission: the show resumes
paused where the journal left it).
"""

from __future__ import annotations

import enum
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


class MemoryLevel(enum.Enum):
    """How worried the console is about the app's memory."""

    STEADY = "steady"
    GROWING = "growing"
    WARN = "warn"


@dataclass(frozen=True)
class MemoryRule:
    """The thresholds of the growth rule."""

    window: int = 12  # films the slope is measured over
    settle: int = 3  # first films ignored (players' buffers are being set up)
    growth_mb_per_film: float = 4.0  # slope from which the console says "growing"
    budget_mb: float = 1500.0  # memory the app should stay under on a shared 8 GB laptop

    def __post_init__(self) -> None:
        if self.window < 3:
            raise ValueError("the window needs at least 3 films to measure a slope")
        if self.settle < 0 or self.growth_mb_per_film <= 0 or self.budget_mb <= 0:
            raise ValueError("settle must be >= 0; growth and budget must be positive")


@dataclass(frozen=True)
class MemoryVerdict:
    """What the rule says about the samples so far."""

    level: MemoryLevel
    rss_mb: float | None  # the latest sample
    slope_mb_per_film: float | None  # None until a full window past the settling films
    projected_mb: float | None  # at this slope, after the last film (None without a slope)

    def describe(self, rss_now_mb: float | None = None) -> str:
        """One line for the console's status line, e.g. `Memory · 記憶體 412 MB · steady (+0.2
        MB/film)`; `rss_now_mb` is a reading between films, shown instead of the last sample."""
        rss = rss_now_mb if rss_now_mb is not None else self.rss_mb
        if rss is None:
            return "Memory · 記憶體 —"
        text = f"Memory · 記憶體 {rss:.0f} MB"
        if self.slope_mb_per_film is None:
            return f"{text} · too much" if self.level is MemoryLevel.WARN else f"{text} · measuring"
        trend = f"{self.slope_mb_per_film:+.1f} MB/film"
        match self.level:
            case MemoryLevel.STEADY:
                return f"{text} · steady ({trend})"
            case MemoryLevel.GROWING:
                return f"{text} · growing {trend}"
            case MemoryLevel.WARN:
                projected = f" → {self.projected_mb:.0f} MB by the end" if self.projected_mb else ""
                return f"{text} · growing {trend}{projected}"
        raise AssertionError(self.level)  # pragma: no cover (every level handled above)

    def advice(self, budget_mb: float) -> str | None:
        """What to tell the projectionist, once, when the level becomes WARN."""
        if self.level is not MemoryLevel.WARN or self.rss_mb is None:
            return None
        act = (
            "close other programs on this laptop, and restart the app between films (at the "
            "intermission) if it goes on; the show resumes paused where it was."
        )
        if self.slope_mb_per_film is None:
            return f"The app uses {self.rss_mb:.0f} MB, more than {budget_mb:.0f} MB: {act}"
        return (
            f"The app's memory keeps growing ({self.rss_mb:.0f} MB, "
            f"{self.slope_mb_per_film:+.1f} MB per film) and would pass {budget_mb:.0f} MB "
            f"before the end: {act}"
        )


def least_squares_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The slope of the least-squares line through the points (ys per unit of xs)."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    if len(xs) < 2:
        raise ValueError("a slope needs at least two points")
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        raise ValueError("a slope needs at least two different xs")
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def theil_sen_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The median of the slopes between every two points: a line that ignores a few outliers."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i, j in itertools.combinations(range(len(xs)), 2)
        if xs[j] != xs[i]
    ]
    if not slopes:
        raise ValueError("a slope needs at least two different xs")
    return statistics.median(slopes)


def assess(samples_mb: Sequence[float], films_left: int, rule: MemoryRule) -> MemoryVerdict:
    """The verdict on per-film samples (oldest first), with `films_left` films still to come."""
    if not samples_mb:
        return MemoryVerdict(MemoryLevel.STEADY, None, None, None)
    latest = samples_mb[-1]
    if latest >= rule.budget_mb:
        return MemoryVerdict(MemoryLevel.WARN, latest, None, latest)
    usable = list(samples_mb[rule.settle :])
    if len(usable) < rule.window:
        return MemoryVerdict(MemoryLevel.STEADY, latest, None, None)
    window = usable[-rule.window :]
    slope = theil_sen_slope(range(len(window)), window)
    projected = latest + max(0.0, slope) * max(0, films_left)
    if slope >= rule.growth_mb_per_film and projected >= rule.budget_mb:
        level = MemoryLevel.WARN
    elif slope >= rule.growth_mb_per_film:
        level = MemoryLevel.GROWING
    else:
        level = MemoryLevel.STEADY
    return MemoryVerdict(level, latest, slope, projected)


@dataclass
class MemoryTrend:
    """Per-film memory samples of one run of the app, judged by `rule`."""

    rule: MemoryRule = field(default_factory=MemoryRule)
    samples_mb: list[float] = field(default_factory=list)
    _warned: bool = False

    def add(self, rss_mb: float, films_left: int) -> tuple[MemoryVerdict, str | None]:
        """Record the sample taken as a new film comes up; the verdict, and advice to post
        (only the first time the level reaches WARN, again after it has been steady)."""
        self.samples_mb.append(rss_mb)
        verdict = assess(self.samples_mb, films_left, self.rule)
        advice = None
        if verdict.level is MemoryLevel.WARN and not self._warned:
            self._warned = True
            advice = verdict.advice(self.rule.budget_mb)
        elif verdict.level is MemoryLevel.STEADY:
            self._warned = False
        return verdict, advice
