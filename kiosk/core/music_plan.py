"""The programme's `[music]` (plain Python): which music plays at the doors, at the
intermission and at the end, in what order, how it fades, and how far under the films.

`kiosk.core.programme` reads it from `programme.toml`; the show machine asks for a moment's
music by `MusicMoment`; `kiosk.core.music` decides what the music deck does.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

MUSIC_SUFFIXES = frozenset(
    {".mp3", ".m4a", ".aac", ".flac", ".wav", ".ogg", ".oga", ".opus", ".aif", ".aiff", ".wma"}
)
DEFAULT_FADE_S = 4.0  # the fade at GO (cut short so it ends before the first film's sound)
DEFAULT_CROSSFADE_S = 3.0  # between two tracks
DEFAULT_OFFSET_LU = 8.0  # background music sits this far under the films' loudness target
CLEAR_BEFORE_FILM_S = 0.5  # the fade at GO is over at least this long before a film starts
# libvlc reports a track's end once it has read the file, ~1.3 s before PulseAudio has played
# it, and takes no volume change after that (measured): a crossfade starts this much earlier
# than `crossfade_s` before the end, so it is over while the volume still works
CROSSFADE_LEAD_S = 2.0
# libvlc reports its time about every 0.3 s, and the report may wait in Qt's queue: the
# crossfade is due from this much before its latest start, so a late report still finds room
CROSSFADE_WINDOW_S = 0.6
SKIP_FADE_S = 1.0  # the track skipped away from fades out over this long
FADE_IN_AFTER_FILM_S = 1.0  # intermission and walk-out music rise over this after a film
LEVEL_MIN_DB, LEVEL_MAX_DB = -30.0, 10.0  # the booth's music level, around the planned level
MIN_TRACK_S = 5.0  # preflight: shorter than this is not music for a room


class MusicMoment(enum.Enum):
    """When in the night a list of music plays."""

    DOORS = "doors"
    INTERMISSION = "intermission"
    END = "end"

    @property
    def label(self) -> str:
        """Bilingual name for the console, e.g. `Doors · 入場`."""
        return {
            MusicMoment.DOORS: "Doors · 入場",
            MusicMoment.INTERMISSION: "Intermission · 中場",
            MusicMoment.END: "Walk-out · 散場",
        }[self]


@dataclass(frozen=True)
class MusicList:
    """The music of one moment: files in order and/or a folder of audio files."""

    moment: MusicMoment
    files: tuple[Path, ...] = ()
    folder: Path | None = None
    shuffle: bool = False


@dataclass(frozen=True)
class MusicPlan:
    """The programme's `[music]`: the lists, the fade at GO, the crossfade and the level."""

    lists: tuple[MusicList, ...] = ()
    fade_s: float = DEFAULT_FADE_S
    crossfade_s: float = DEFAULT_CROSSFADE_S
    offset_lu: float = DEFAULT_OFFSET_LU

    def list_for(self, moment: MusicMoment) -> MusicList | None:
        """The list of a moment (None: that moment is silent)."""
        return next((m for m in self.lists if m.moment is moment), None)

    def target_lufs(self, films_target_lufs: float) -> float:
        """The loudness music is brought to: the films' target minus the offset."""
        return films_target_lufs - self.offset_lu


def is_music_file(path: Path) -> bool:
    """Whether a file name looks like audio the music lists take."""
    return path.suffix.lower() in MUSIC_SUFFIXES and not path.name.startswith(".")


def moment_of_cue(kind_value: str) -> MusicMoment | None:
    """The music that belongs to a cue kind (`holding`, `intermission`, `end`), else None:
    nothing plays under title cards and films."""
    return {
        "holding": MusicMoment.DOORS,
        "intermission": MusicMoment.INTERMISSION,
        "end": MusicMoment.END,
    }.get(kind_value)
