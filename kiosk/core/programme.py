"""The programme: films in run order, grouped in blocks, with an optional intermission.

A programme is a TOML file (see `playlists/demo.toml`). Loading it validates every field and
reports all problems at once, each with the file, the film id and the field concerned. Paths in
the file resolve relative to the programme file itself. Whether the film files exist and play is
the preflight check's business, not the loader's.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.countries import bilingual, country_zh, language_zh
from kiosk.core.music_plan import (
    DEFAULT_CROSSFADE_S,
    DEFAULT_FADE_S,
    DEFAULT_OFFSET_LU,
    MusicList,
    MusicMoment,
    MusicPlan,
    is_music_file,
)
from kiosk.core.problems import ConfigError, Problem

DEFAULT_BLOCK_ID = "main"
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_RUNTIME_PATTERN = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Film:
    """One finalist as the festival declared it, in its place in the run order."""

    id: str
    position: int  # 1-based place in the run order
    title_en: str
    title_zh: str
    director: str
    country: str
    year: int
    file: Path
    declared_runtime_s: int
    block: str
    subtitles: Path | None = None
    still: Path | None = None
    content_note: str | None = None
    language: str | None = None
    silent: bool = False  # `audio = "none"`: meant to play without sound
    country_zh: str | None = None  # else from the built-in table (core.countries)
    language_zh: str | None = None
    content_note_zh: str | None = None

    @property
    def country_bilingual(self) -> str:
        """``"香港 Hong Kong"`` for the cards (English alone when no Chinese is known)."""
        return bilingual(self.country_zh or country_zh(self.country), self.country)

    @property
    def language_bilingual(self) -> str | None:
        """``"粵語 Cantonese"``, or None when the film declares no language."""
        if not self.language:
            return None
        return bilingual(self.language_zh or language_zh(self.language), self.language)

    @property
    def content_note_bilingual(self) -> str | None:
        """``"閃光 · Flashing lights"``: the note in both languages when the programme has both."""
        if not self.content_note:
            return None
        if self.content_note_zh:
            return f"{self.content_note_zh}  ·  {self.content_note}"
        return self.content_note

    @property
    def label(self) -> str:
        """Short operator-facing label, e.g. `F03 · The Last Lantern`."""
        return f"{self.id} · {self.title_en}"


@dataclass(frozen=True)
class Block:
    """A part of the evening (e.g. "Part One / 上半場"); films of a block run back to back."""

    id: str
    title_en: str
    title_zh: str


@dataclass(frozen=True)
class Intermission:
    """A break after a given film, with its planned length."""

    after_film: str
    minutes: float
    title_en: str = "Intermission"
    title_zh: str = "中場休息"


@dataclass(frozen=True)
class Programme:
    """The whole run order of the night, validated."""

    source: Path
    name_en: str
    name_zh: str
    films: tuple[Film, ...]
    blocks: tuple[Block, ...]
    intermission: Intermission | None = None
    demo: bool = False
    music: MusicPlan | None = None  # `[music]`: doors, intermission and walk-out music

    def __iter__(self) -> Iterator[Film]:
        return iter(self.films)

    def __len__(self) -> int:
        return len(self.films)

    def film(self, film_id: str) -> Film:
        """The film with this id; KeyError if the programme has none."""
        for film in self.films:
            if film.id == film_id:
                return film
        raise KeyError(film_id)

    @property
    def declared_runtime_s(self) -> int:
        """Sum of the festival's declared runtimes (no cards, no intermission)."""
        return sum(f.declared_runtime_s for f in self.films)


def parse_runtime(value: object) -> int:
    """Parse a declared runtime: whole seconds (int) or "m:ss" / "h:mm:ss". ValueError if not."""
    if isinstance(value, bool):
        raise ValueError('expected seconds or "m:ss"')
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("must be more than 0 seconds")
        return value
    if isinstance(value, str):
        match = _RUNTIME_PATTERN.match(value.strip())
        if match:
            hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
            if seconds >= 60 or (hours and minutes >= 60):
                raise ValueError(f"'{value}' is not a valid time")
            total = hours * 3600 + minutes * 60 + seconds
            if total > 0:
                return total
    raise ValueError(f'expected seconds or "m:ss", got {value!r}')


def format_duration(seconds: float) -> str:
    """`m:ss` below an hour, `h:mm:ss` above; for operator and audience displays."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Reader:
    """Typed access to one TOML table that records problems instead of stopping at the first."""

    def __init__(
        self, table: Mapping[str, Any], file: Path, item: str | None, problems: list[Problem]
    ) -> None:
        self.table = table
        self.file = file
        self.item = item
        self.problems = problems

    def problem(self, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, message, self.item, field))

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                self.problem(key, "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be non-empty text, got {value!r}")
            return None
        return value.strip()

    def integer(self, key: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.table.get(key)
        if value is None:
            if required:
                self.problem(key, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, f"must be a whole number from {low} to {high}, got {value!r}")
            return None
        return value

    def number(self, key: str, low: float, high: float, *, required: bool = True) -> float | None:
        value = self.table.get(key)
        if value is None:
            if required:
                self.problem(key, "is missing")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (low <= value <= high)
        ):
            self.problem(key, f"must be a number from {low:g} to {high:g}, got {value!r}")
            return None
        return float(value)

    def path(self, key: str, base: Path, *, required: bool = True) -> Path | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path)

    def unknown_keys(self, known: set[str]) -> None:
        for key in self.table:
            if key not in known:
                self.problem(key, f"is not a known field (known: {', '.join(sorted(known))})")


_FILM_FIELDS = {
    "id",
    "position",
    "title_en",
    "title_zh",
    "director",
    "country",
    "year",
    "file",
    "runtime",
    "block",
    "subtitles",
    "still",
    "content_note",
    "language",
    "audio",
    "country_zh",
    "language_zh",
    "content_note_zh",
}


def load_programme(path: Path) -> Programme:
    """Read and validate a programme TOML file; ConfigError lists every problem found."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([Problem(path, f"cannot read the programme: {exc.strerror}")]) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(path, f"is not UTF-8 text (byte {exc.start})")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(path, f"is not valid TOML: {exc}")]) from exc
    return programme_from_dict(data, path)


def programme_from_dict(data: Mapping[str, Any], path: Path) -> Programme:
    """Validate an already-parsed programme table (exposed for tests and generators)."""
    problems: list[Problem] = []
    base = path.parent
    top = _Reader(data, path, None, problems)
    top.unknown_keys({"programme", "blocks", "films", "intermission", "music"})

    header = data.get("programme", {})
    if not isinstance(header, dict):
        top.problem("programme", "must be a table")
        header = {}
    head = _Reader(header, path, "[programme]", problems)
    head.unknown_keys({"name_en", "name_zh", "demo"})
    name_en = head.text("name_en") or ""
    name_zh = head.text("name_zh") or ""
    demo = bool(header.get("demo", False))

    blocks = _read_blocks(data.get("blocks", []), path, problems)
    block_ids = {b.id for b in blocks}

    raw_films = data.get("films")
    if not isinstance(raw_films, list) or not raw_films:
        problems.append(Problem(path, "has no [[films]]: a programme needs at least one film"))
        raise ConfigError(problems)

    films: list[tuple[int | None, int, Film]] = []
    seen_ids: dict[str, int] = {}
    for index, table in enumerate(raw_films, start=1):
        if not isinstance(table, dict):
            problems.append(Problem(path, "must be a table", f"film #{index}"))
            continue
        read = _read_film(table, index, base, path, problems, block_ids)
        if read is None:
            continue
        explicit_position, film = read
        if film.id in seen_ids:
            problems.append(
                Problem(
                    path,
                    f"is used twice (films #{seen_ids[film.id]} and #{index})",
                    f"film {film.id}",
                    "id",
                )
            )
            continue
        seen_ids[film.id] = index
        films.append((explicit_position, index, film))

    ordered = _order_films(films, path, problems)
    if not blocks:
        blocks = (Block(DEFAULT_BLOCK_ID, "Programme", "節目"),)
    _check_blocks_contiguous(ordered, blocks, path, problems)
    intermission = _read_intermission(data.get("intermission"), ordered, blocks, path, problems)
    music = _read_music(data.get("music"), base, path, problems)

    if problems:
        raise ConfigError(problems)
    return Programme(path, name_en, name_zh, tuple(ordered), blocks, intermission, demo, music)


def _read_blocks(raw: object, path: Path, problems: list[Problem]) -> tuple[Block, ...]:
    if not isinstance(raw, list):
        problems.append(Problem(path, "must be an array of tables", None, "blocks"))
        return ()
    blocks: list[Block] = []
    for index, table in enumerate(raw, start=1):
        if not isinstance(table, dict):
            problems.append(Problem(path, "must be a table", f"block #{index}"))
            continue
        reader = _Reader(table, path, f"block #{index}", problems)
        reader.unknown_keys({"id", "title_en", "title_zh"})
        block_id = reader.text("id")
        if block_id is not None and not _ID_PATTERN.match(block_id):
            reader.problem("id", f"'{block_id}' must be letters, digits, '-' or '_'")
            block_id = None
        if block_id is not None and any(b.id == block_id for b in blocks):
            reader.problem("id", f"block '{block_id}' is declared twice")
            block_id = None
        title_en, title_zh = reader.text("title_en"), reader.text("title_zh")
        if block_id and title_en and title_zh:
            blocks.append(Block(block_id, title_en, title_zh))
    return tuple(blocks)


def _read_film(
    table: Mapping[str, Any],
    index: int,
    base: Path,
    path: Path,
    problems: list[Problem],
    block_ids: set[str],
) -> tuple[int | None, Film] | None:
    raw_id = table.get("id")
    label = f"film {raw_id}" if isinstance(raw_id, str) and raw_id else f"film #{index}"
    reader = _Reader(table, path, label, problems)
    before = len(problems)
    reader.unknown_keys(_FILM_FIELDS)
    film_id = reader.text("id")
    if film_id is not None and not _ID_PATTERN.match(film_id):
        reader.problem("id", f"'{film_id}' must be 1-32 letters, digits, '-' or '_'")
    position = reader.integer("position", 1, 10_000, required=False)
    title_en = reader.text("title_en")
    title_zh = reader.text("title_zh")
    director = reader.text("director")
    country = reader.text("country")
    year = reader.integer("year", 1888, 2100)
    file = reader.path("file", base)
    subtitles = reader.path("subtitles", base, required=False)
    if subtitles is not None and subtitles.suffix.lower() != ".srt":
        reader.problem("subtitles", f"must be an .srt file, got '{subtitles.name}'")
    still = reader.path("still", base, required=False)
    content_note = reader.text("content_note", required=False)
    language = reader.text("language", required=False)
    audio = reader.text("audio", required=False)
    if audio is not None and audio != "none":
        reader.problem("audio", f"'{audio}' is not understood: only \"none\" (a silent film)")
    country_in_zh = reader.text("country_zh", required=False)
    language_in_zh = reader.text("language_zh", required=False)
    content_note_in_zh = reader.text("content_note_zh", required=False)
    runtime: int | None = None
    if "runtime" not in table:
        reader.problem("runtime", 'is missing (the festival\'s declared runtime, e.g. "3:24")')
    else:
        try:
            runtime = parse_runtime(table["runtime"])
        except ValueError as exc:
            reader.problem("runtime", str(exc))
    block = reader.text("block", required=False)
    if block is None:
        block = next(iter(sorted(block_ids)), DEFAULT_BLOCK_ID) if len(block_ids) <= 1 else None
        if block is None:
            reader.problem("block", f"is missing; the programme has blocks {sorted(block_ids)}")
    elif block_ids and block not in block_ids:
        reader.problem("block", f"'{block}' is not one of the blocks {sorted(block_ids)}")
    elif not block_ids and block != DEFAULT_BLOCK_ID:
        reader.problem("block", f"'{block}' is not declared in [[blocks]]")
    if len(problems) > before:
        return None
    assert film_id and title_en and title_zh and director and country and file and block
    assert year is not None and runtime is not None
    film = Film(
        id=film_id,
        position=0,  # assigned once the run order is known
        title_en=title_en,
        title_zh=title_zh,
        director=director,
        country=country,
        year=year,
        file=file,
        declared_runtime_s=runtime,
        block=block,
        subtitles=subtitles,
        still=still,
        content_note=content_note,
        language=language,
        silent=audio == "none",
        country_zh=country_in_zh,
        language_zh=language_in_zh,
        content_note_zh=content_note_in_zh,
    )
    return position, film


def _order_films(
    films: list[tuple[int | None, int, Film]], path: Path, problems: list[Problem]
) -> list[Film]:
    with_position = [f for f in films if f[0] is not None]
    if with_position and len(with_position) != len(films):
        missing = [f[2].id for f in films if f[0] is None]
        problems.append(
            Problem(path, f"some films have a position and some do not (missing: {missing})")
        )
        return []
    if with_position:
        by_position: dict[int, str] = {}
        for position, _, film in films:
            assert position is not None
            if position in by_position:
                problems.append(
                    Problem(
                        path,
                        f"position {position} is also used by film {by_position[position]}",
                        f"film {film.id}",
                        "position",
                    )
                )
            by_position[position] = film.id
        films = sorted(films, key=lambda f: (f[0], f[1]))
    return [
        Film(**{**film.__dict__, "position": place})
        for place, (_, _, film) in enumerate(films, start=1)
    ]


def _check_blocks_contiguous(
    films: list[Film], blocks: tuple[Block, ...], path: Path, problems: list[Problem]
) -> None:
    order = [b.id for b in blocks]
    finished: set[str] = set()
    current: str | None = None
    for film in films:
        if film.block != current:
            if film.block in finished:
                problems.append(
                    Problem(
                        path,
                        f"block '{film.block}' is split: its films must run together",
                        f"film {film.id}",
                        "block",
                    )
                )
            if current is not None:
                finished.add(current)
            current = film.block
    used = [b for b in order if any(f.block == b for f in films)]
    seen = list(dict.fromkeys(f.block for f in films))
    if used != seen and not any("is split" in p.message for p in problems):
        problems.append(
            Problem(path, f"films run in block order {seen}, but [[blocks]] declares {order}")
        )


def _read_intermission(
    raw: object,
    films: list[Film],
    blocks: tuple[Block, ...],
    path: Path,
    problems: list[Problem],
) -> Intermission | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(path, "must be a table", "[intermission]"))
        return None
    reader = _Reader(raw, path, "[intermission]", problems)
    reader.unknown_keys({"after_film", "after_block", "minutes", "title_en", "title_zh"})
    minutes = reader.number("minutes", 1, 120)
    after_film = reader.text("after_film", required=False)
    after_block = reader.text("after_block", required=False)
    if (after_film is None) == (after_block is None):
        reader.problem(None, "needs exactly one of 'after_film' or 'after_block'")
        return None
    ids = [f.id for f in films]
    if after_block is not None:
        in_block = [f.id for f in films if f.block == after_block]
        if not in_block:
            reader.problem("after_block", f"'{after_block}' is not a block with films")
            return None
        after_film = in_block[-1]
    assert after_film is not None
    if films and after_film not in ids:
        reader.problem("after_film", f"'{after_film}' is not a film of the programme")
        return None
    if films and after_film == ids[-1]:
        reader.problem("after_film", "the intermission cannot come after the last film")
        return None
    if minutes is None:
        return None
    return Intermission(
        after_film,
        minutes,
        reader.text("title_en", required=False) or "Intermission",
        reader.text("title_zh", required=False) or "中場休息",
    )


def _read_music(raw: object, base: Path, path: Path, problems: list[Problem]) -> MusicPlan | None:
    """`[music]`: for each of `doors`, `intermission` and `end` a folder (text), a list of
    files, or a table `{folder = ..., files = [...], shuffle = true}`; plus `shuffle` (the
    default for every list), `fade_seconds`, `crossfade_seconds` and `level_offset_lu`."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(path, "must be a table", "[music]"))
        return None
    moments = {m.value for m in MusicMoment}
    reader = _Reader(raw, path, "[music]", problems)
    reader.unknown_keys(
        {*moments, "shuffle", "fade_seconds", "crossfade_seconds", "level_offset_lu"}
    )
    shuffle = raw.get("shuffle", False)
    if not isinstance(shuffle, bool):
        reader.problem("shuffle", f"must be true or false, got {shuffle!r}")
        shuffle = False
    fade = reader.number("fade_seconds", 0, 30, required=False)
    crossfade = reader.number("crossfade_seconds", 0, 20, required=False)
    offset = reader.number("level_offset_lu", 0, 30, required=False)
    lists = []
    for moment in MusicMoment:
        if moment.value in raw:
            found = _read_music_list(moment, raw[moment.value], shuffle, base, path, problems)
            if found is not None:
                lists.append(found)
    return MusicPlan(
        tuple(lists),
        DEFAULT_FADE_S if fade is None else fade,
        DEFAULT_CROSSFADE_S if crossfade is None else crossfade,
        DEFAULT_OFFSET_LU if offset is None else offset,
    )


def _read_music_list(
    moment: MusicMoment, raw: object, shuffle: bool, base: Path, path: Path, problems: list[Problem]
) -> MusicList | None:
    item, field = "[music]", moment.value
    table: Mapping[str, Any]
    if isinstance(raw, str):
        named = Path(raw).expanduser()
        table = {"files": [raw]} if is_music_file(named) else {"folder": raw}
    elif isinstance(raw, list):
        table = {"files": raw}
    elif isinstance(raw, dict):
        table, item, field = raw, f"[music.{moment.value}]", ""
    else:
        problems.append(Problem(path, "must be a folder, a list of files or a table", item, field))
        return None
    reader = _Reader(table, path, item, problems)
    reader.unknown_keys({"folder", "files", "shuffle"})
    before = len(problems)
    folder = reader.path("folder", base, required=False)
    names = table.get("files", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        reader.problem(field or "files", f"must be a list of file names, got {names!r}")
        names = []
    files = []
    for name in names:
        file = Path(name).expanduser()
        file = file if file.is_absolute() else base / file
        if not is_music_file(file):
            reader.problem(
                field or "files",
                f"'{name}' is not an audio file this app plays "
                "(.mp3, .m4a, .aac, .flac, .wav, .ogg, .opus, .aiff, .wma)",
            )
        files.append(file)
    own = table.get("shuffle", shuffle)
    if not isinstance(own, bool):
        reader.problem("shuffle", f"must be true or false, got {own!r}")
        own = shuffle
    if folder is None and not files and len(problems) == before:
        reader.problem(field or None, "names no folder and no files")
    if len(problems) > before:
        return None
    return MusicList(moment, tuple(files), folder, own)
