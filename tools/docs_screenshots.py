"""Copy the console tour's screenshots into the manual, made small enough to commit.

    .venv/bin/python -m tools.docs_screenshots [--tour build/screenshots/tour] [--out docs/images]

`make screenshots` runs the tour (`python -m tests.console_tour --laptops 1366x768`) and then
this. Console pictures keep the laptop's 1366x768 (the text must stay readable); projector
pictures and the door's screens (large type) are halved; all are reduced to a 256-colour
palette and stripped of metadata with ImageMagick. The list below is every picture the manual
shows: a picture the tour did not make is an error, so the manual never shows a stale one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAPTOP = "1366x768"

# the tour's file name -> the size it gets in the manual (ImageMagick geometry, "" = as taken)
MANUAL_PICTURES: dict[str, str] = {
    "console-beside-projector.png": "1600x",
    "console-show.png": "",
    "console-show-film.png": "",
    "console-show-difficulties.png": "",
    "console-programme.png": "",
    "console-registrations.png": "",
    "console-doors.png": "",
    "console-stations.png": "",
    "console-awards.png": "",
    "console-viewers-vote.png": "",
    "console-report.png": "",
    "projector-holding.png": "960x540",
    "projector-title-card.png": "960x540",
    "projector-film.png": "960x540",
    "projector-difficulties.png": "960x540",
    "console-reveal-passphrase.png": "",
    "console-reveal.png": "",
    "projector-reveal-category.png": "960x540",
    "projector-reveal-nominees.png": "960x540",
    "projector-reveal-envelope.png": "960x540",
    "projector-reveal-winner.png": "960x540",
    "door-ready.png": "683x384",
    "door-welcome.png": "683x384",
    "door-already.png": "683x384",
    "door-invalid.png": "683x384",
}


def optimise(source: Path, target: Path, size: str) -> None:
    """`source` resized to `size` (if any), 256 colours, no metadata, written to `target`."""
    resize = ["-resize", size] if size else []
    subprocess.run(
        [
            "convert",
            str(source),
            *resize,
            "-strip",
            "+dither",
            "-colors",
            "256",
            "-define",
            "png:compression-level=9",
            f"PNG8:{target}",
        ],
        check=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tour", type=Path, default=ROOT / "build" / "screenshots" / "tour")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    taken = args.tour / LAPTOP
    missing = [name for name in MANUAL_PICTURES if not (taken / name).exists()]
    if missing:
        print(f"the tour did not make {missing} in {taken}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, size in MANUAL_PICTURES.items():
        target = args.out / name
        optimise(taken / name, target, size)
        print(f"  {target} ({target.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
