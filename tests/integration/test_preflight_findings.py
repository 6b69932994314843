"""What a festival technician needs preflight to say, each on a real file made by ffmpeg."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import kiosk.core.preflight as rules
from kiosk.core.preflight import FilmCheck
from kiosk.services.preflight import run_preflight
from tests.conftest import film_toml, write_event

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

PICTURE = "testsrc2=s=320x180:r=25"
TONE = "sine=frequency=440:sample_rate=48000"


def ffmpeg(out: Path, *args: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(out)], check=True)
    return out


def film(out: Path, video: str = PICTURE, audio: str | None = TONE, *extra: str) -> Path:
    """A 4 s film from lavfi sources (H.264 + AAC), with extra output options."""
    args = ["-t", "4", "-f", "lavfi", "-i", video]
    if audio is not None:
        args += ["-t", "4", "-f", "lavfi", "-i", audio]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio is not None:
        args += ["-c:a", "aac"]
    return ffmpeg(out, *args, *extra)


def check_of(tmp_path: Path, path: Path, **extra: object) -> FilmCheck:
    folder = write_event(tmp_path / "event", [film_toml("F1", path, **extra)])
    return run_preflight(folder).checks[0]


def test_a_file_cut_off_while_copying_is_named_incomplete(tmp_path: Path) -> None:
    whole = film(tmp_path / "whole.mp4")  # no +faststart: the index (moov) is at the end
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    check = check_of(tmp_path, cut)
    assert not check.ok
    assert check.problems[0].startswith(
        "the file is incomplete: it was cut off while being copied or written"
    )
    assert "moov atom not found" in check.problems[0]


def test_random_bytes_are_not_called_incomplete(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00garbage" * 500)
    check = check_of(tmp_path, junk)
    assert check.problems[0].startswith("cannot be read as a video file")


def test_subtitles_after_the_end_and_overlapping(tmp_path: Path) -> None:
    srt = tmp_path / "f.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:02,500\nOne\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nTwo, too early\n\n"
        "3\n00:00:09,000 --> 00:00:10,000\nAfter the end\n",
        encoding="utf-8",
    )
    check = check_of(tmp_path, film(tmp_path / "f.mp4"), subtitles=str(srt))
    assert check.ok
    assert (
        "1 subtitle cue(s) start after the film ends (cue 3 at 0:09, the film ends at 0:04): "
        "the wrong file, or timed for another cut" in check.warnings
    )
    assert (
        "1 subtitle cue(s) overlap the one before (cue 2 at 2.00 s starts before cue 1 ends at "
        "2.50 s): only one is on screen at a time" in check.warnings
    )


def _one(check: FilmCheck, start: str) -> str:
    found = [w for w in check.warnings if w.startswith(start)]
    assert len(found) == 1, check.warnings
    return found[0]


def test_variable_frame_rate(tmp_path: Path) -> None:
    vfr = film(
        tmp_path / "vfr.mp4",
        "testsrc2=s=320x180:r=30",
        TONE,
        "-vf",
        "select='lt(t\\,2)+not(mod(n\\,3))'",
        "-fps_mode",
        "vfr",
    )
    assert "variable frame rate (" in _one(check_of(tmp_path, vfr), "variable frame rate")


def test_interlaced(tmp_path: Path) -> None:
    path = film(tmp_path / "i.mp4", PICTURE, TONE, "-flags", "+ildct+ilme", "-x264-params", "tff=1")
    assert _one(check_of(tmp_path, path), "interlaced picture") == (
        "interlaced picture (top field first): moving edges will comb on the projector; ask for "
        "a progressive file"
    )


@pytest.mark.parametrize(
    ("transfer", "name"),
    [("smpte2084", "HDR10/PQ (SMPTE ST 2084)"), ("arib-std-b67", "HLG (ARIB STD-B67)")],
)
def test_hdr(tmp_path: Path, transfer: str, name: str) -> None:
    path = film(
        tmp_path / "hdr.mp4",
        PICTURE,
        TONE,
        "-color_primaries",
        "bt2020",
        "-color_trc",
        transfer,
        "-colorspace",
        "bt2020nc",
    )
    assert _one(check_of(tmp_path, path), "HDR picture") == (
        f"HDR picture ({name}): the projector shows it washed out and dim; ask for an SDR "
        "(BT.709) version"
    )


def test_black_and_silence_at_the_start_and_the_end(tmp_path: Path) -> None:
    path = ffmpeg(
        tmp_path / "edges.mp4",
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=320x180:r=25:d=2.5",
        "-f",
        "lavfi",
        "-i",
        f"{PICTURE}:d=3",
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=320x180:r=25:d=2.5",
        "-f",
        "lavfi",
        "-i",
        f"{TONE}:d=2.5",
        "-filter_complex",
        "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v];"
        "[3:a]adelay=3000|3000,apad=whole_dur=8,atrim=0:8[a]",
        "-map",
        "[v]",
        "-map",
        "[a]",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
    )
    check = check_of(tmp_path, path)
    # blackdetect sees one frame in five (0.2 s): the length is right to that step
    assert re.match(r"opens on 2\.[3-7] s of black picture$", _one(check, "opens on"))
    assert re.match(
        r"ends on 2\.[3-7] s of black picture \(from 5\.[3-7] s\)$", _one(check, "ends on")
    )
    assert _one(check, "opens with").startswith("opens with 3.0 s of silence")
    assert _one(check, "ends with").startswith("ends with 2.5 s of silence")


def test_true_peak_over_minus_one_dbtp_limits_the_gain(tmp_path: Path) -> None:
    hot = film(tmp_path / "hot.mp4", PICTURE, "sine=frequency=997:sample_rate=48000,volume=18dB")
    check = check_of(tmp_path, hot)
    assert check.true_peak_dbtp is not None and check.true_peak_dbtp > -1
    warning = _one(check, "true peak")
    assert "dBTP in the file, over -1 dBTP: it may already be distorted" in warning
    assert check.gain_db is not None
    assert check.true_peak_dbtp + check.gain_db <= -1.0


def test_decoding_speed_is_measured_and_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file decodes slower than real time on every machine, so the threshold is raised
    here above this machine's speed: the measurement and the message are what is tested."""
    monkeypatch.setattr(rules, "MIN_DECODE_SPEED", 1e6)
    check = check_of(tmp_path, film(tmp_path / "f.mp4"))
    warning = _one(check, "decodes slower than real time")
    assert warning.endswith(
        "x): it may stutter on the night; ask for a lighter file (e.g. H.264 at 1080p)"
    )


def test_a_film_meant_to_be_silent(tmp_path: Path) -> None:
    mute = film(tmp_path / "mute.mp4", PICTURE, None)
    assert check_of(tmp_path / "a", mute, audio="none").ok
    refused = check_of(tmp_path / "b", mute)
    assert not refused.ok and 'audio = "none"' in refused.problems[0]
