"""Still images read from their header (no decoder process), on real files made by ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiosk.media.image_header import image_size

pytestmark = pytest.mark.ffmpeg


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_size_of_real_images(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"still{suffix}"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=322x178",
            "-frames:v",
            "1",
            str(out),
        ],
        check=True,
    )
    assert image_size(out) == (322, 178)


def test_not_an_image_or_broken(tmp_path: Path) -> None:
    text = tmp_path / "still.png"
    text.write_text("not an image", encoding="utf-8")
    assert image_size(text) is None
    broken = tmp_path / "cut.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert image_size(broken) is None
    assert image_size(tmp_path / "missing.png") is None
