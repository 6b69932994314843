"""Which file a preflight result belongs to: size, modification time and a content fingerprint.

A preflight result (its gain above all) is only good for the very file it measured. A film
replaced, re-exported, truncated or deleted after preflight must be flagged before its title
card and must never play with the old file's gain.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MTIME_TOLERANCE_S = 0.001  # file systems round modification times differently


@dataclass(frozen=True)
class FileIdentity:
    """One file's size, modification time (seconds) and fast content fingerprint."""

    size: int
    mtime: float
    fingerprint: str


class MediaState(enum.Enum):
    """Whether a film's file is the one preflight measured."""

    SAME = "same"  # the file preflight measured: its results (and gain) apply
    CHANGED = "changed"  # another file under the same name since preflight
    MISSING = "missing"  # no file there any more
    UNCHECKED = "unchecked"  # never measured (or measured before files were fingerprinted)


@dataclass(frozen=True)
class MediaVerdict:
    """A film's file against its preflight result, with the operator's sentence."""

    state: MediaState
    reason: str

    @property
    def trusted(self) -> bool:
        """True when the preflight results (the gain) may be used."""
        return self.state is MediaState.SAME


def compare(stored: FileIdentity | None, current: FileIdentity | None) -> MediaVerdict:
    """Judge the file on disk (`current`, None if gone) against what preflight measured."""
    if current is None:
        return MediaVerdict(MediaState.MISSING, "the file is gone since preflight")
    if stored is None:
        return MediaVerdict(MediaState.UNCHECKED, "not checked by preflight yet")
    if stored.size != current.size:
        return MediaVerdict(
            MediaState.CHANGED,
            f"the file changed since preflight ({_size(stored.size)} then, "
            f"{_size(current.size)} now)",
        )
    if stored.fingerprint != current.fingerprint:
        return MediaVerdict(MediaState.CHANGED, "the file's content changed since preflight")
    if abs(stored.mtime - current.mtime) > MTIME_TOLERANCE_S:
        return MediaVerdict(
            MediaState.CHANGED, "the file was rewritten since preflight (new modification time)"
        )
    return MediaVerdict(MediaState.SAME, "the file preflight measured")


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size} bytes"
