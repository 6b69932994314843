"""Real libvlc draws films into the stage's video surface on a real X display (Xvfb + openbox).

A vertical film is pillarboxed (black bars left and right, picture not stretched), and libvlc
draws the sidecar subtitles itself in the Traditional Chinese font.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.media.generate import ClipSpec
from kiosk.store.event_folder import EventFolder
from tests.film_cache import FilmCache
from tests.xvfb import qt_child, requires_xvfb, screenshot, xvfb_display

pytestmark = [
    requires_xvfb,
    pytest.mark.slow,
    pytest.mark.vlc,
    pytest.mark.ffmpeg,
    pytest.mark.serial,
]

SCRIPT = "from tests.integration.stage_child import main; main()"
WIDTH, HEIGHT = 1920, 1080
SUBTITLES = """1
00:00:00,000 --> 00:00:30,000
最後的燈籠 — 她說：「我們回家吧。」
The last lantern — "Let's go home."
"""


@pytest.fixture(scope="module")
def stage_display() -> Iterator[str]:
    """One 1920x1080 Xvfb (+ openbox) for the module: each capture's child opens its stage
    on it and takes every window with it when it ends, so the next one starts on a bare
    screen."""
    with xvfb_display(WIDTH, HEIGHT) as display:
        yield display


def play_and_capture(
    display: str, event: Path, clip: Path, shot: Path, srt: Path | None = None, caption: str = ""
) -> QImage:
    """Play `clip` on the stage (fullscreen on the 1920x1080 Xvfb) for a second of the film,
    pause, capture the screen."""
    args = [str(clip)] + ([str(srt)] if srt else [])
    with qt_child(display, SCRIPT, "video", str(event), *args, STAGE_CAPTION=caption) as (
        _process,
        line,
    ):
        report = json.loads(line.removeprefix("READY "))
        assert report["vout"], "libvlc never opened its video output"
        assert report["played_ms"] >= 1000, f"the film never played a second: {report}"
        image = QImage(str(screenshot(display, shot)))
    return image.convertToFormat(QImage.Format.Format_RGB32)


def is_black(colour: QColor, tolerance: int = 12) -> bool:
    """Dark enough to be a bar (allowing for YUV->RGB rounding)."""
    return max(colour.red(), colour.green(), colour.blue()) <= tolerance


def test_vertical_film_is_pillarboxed_not_stretched(
    demo_event_template: Path, clips: dict[str, Path], tmp_path: Path, stage_display: str
) -> None:
    image = play_and_capture(
        stage_display,
        EventFolder(demo_event_template).root,
        clips["vertical"],
        tmp_path / "vertical.png",
    )
    assert (image.width(), image.height()) == (WIDTH, HEIGHT)
    expected_width = HEIGHT * 180 / 320  # the clip is 180x320: 607.5 px wide at full height
    left_edge = (WIDTH - expected_width) / 2
    # black bars: every sampled pixel left and right of the picture
    for y in range(0, HEIGHT, 20):
        for x in [*range(0, int(left_edge) - 6, 20), *range(int(WIDTH - left_edge) + 6, WIDTH, 20)]:
            assert is_black(image.pixelColor(x, y)), (x, y, image.pixelColor(x, y).name())
    # the picture: its width on a row near the top (only the clip's flat colour there)
    row = 60
    lit = [x for x in range(WIDTH) if not is_black(image.pixelColor(x, row))]
    assert lit, "no picture on screen"
    measured = lit[-1] - lit[0] + 1
    assert abs(measured - expected_width) <= 8, measured
    assert abs((lit[0] + lit[-1]) / 2 - WIDTH / 2) <= 4  # centred
    # full height (pillarbox, not letterbox): the picture reaches the top and bottom rows
    assert not is_black(image.pixelColor(WIDTH // 2, 2))
    assert not is_black(image.pixelColor(WIDTH // 2, HEIGHT - 3))
    # the colour is the clip's own 0x205a40, not scaled or tinted
    sample = image.pixelColor(WIDTH // 2, 100)
    assert abs(sample.red() - 0x20) < 14
    assert abs(sample.green() - 0x5A) < 14
    assert abs(sample.blue() - 0x40) < 14


def differing(one: QImage, two: QImage, x_range: range, y_range: range) -> int:
    """Sampled pixels whose lightness differs clearly between two screenshots."""
    return sum(
        1
        for y in y_range
        for x in x_range
        if abs(one.pixelColor(x, y).lightness() - two.pixelColor(x, y).lightness()) > 60
    )


@pytest.fixture(scope="module")
def wide_clip(tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache) -> Path:
    """A 4-second 16:9 clip."""
    return film_cache.render(
        ClipSpec(("Wide",), 4.0, 640, 360), tmp_path_factory.mktemp("wide") / "wide.mp4"
    )


def test_libvlc_draws_cjk_subtitles_on_the_stage(
    demo_event_template: Path, wide_clip: Path, tmp_path: Path, stage_display: str
) -> None:
    srt = tmp_path / "wide.srt"
    srt.write_text(SUBTITLES, encoding="utf-8")
    event = EventFolder(demo_event_template).root
    with_subs = play_and_capture(stage_display, event, wide_clip, tmp_path / "with.png", srt)
    without = play_and_capture(stage_display, event, wide_clip, tmp_path / "without.png")

    def differing_here(x_range: range, y_range: range) -> int:
        return differing(with_subs, without, x_range, y_range)

    # subtitle band, beside the clip's own centred timecode: text only with the SRT
    band = range(int(HEIGHT * 0.78), int(HEIGHT * 0.97), 2)
    sides = differing_here(range(int(WIDTH * 0.12), int(WIDTH * 0.33), 2), band)
    sides += differing_here(range(int(WIDTH * 0.67), int(WIDTH * 0.88), 2), band)
    assert sides > 800, sides
    # the top of the picture is the same film frame in both runs
    assert differing_here(range(0, WIDTH, 8), range(0, HEIGHT // 2, 8)) < 50


def test_caption_box_shows_over_the_film(
    demo_event_template: Path, wide_clip: Path, tmp_path: Path, stage_display: str
) -> None:
    event = EventFolder(demo_event_template).root
    line = "她說：「我們回家吧。」 She said: let's go home."
    shot = play_and_capture(stage_display, event, wide_clip, tmp_path / "caption.png", caption=line)
    # the opaque black box sits above the foot of the picture, centred, with white text in it
    box_row = int(HEIGHT * 0.92) - 12
    black = [x for x in range(0, WIDTH, 2) if is_black(shot.pixelColor(x, box_row), 4)]
    assert black, "no caption box"
    assert 400 < black[-1] - black[0] < WIDTH * 0.9
    assert abs((black[0] + black[-1]) / 2 - WIDTH / 2) < 12
    top = int(HEIGHT * 0.92) - 140
    white = sum(
        1
        for y in range(top, int(HEIGHT * 0.92), 2)
        for x in range(black[0], black[-1], 2)
        if shot.pixelColor(x, y).lightness() > 200
    )
    assert white > 300, white
    # outside the box the film is still there (the clip's blue)
    assert not is_black(shot.pixelColor(WIDTH // 2, HEIGHT // 3))
