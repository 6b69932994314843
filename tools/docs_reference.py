"""The parts of the documentation that are generated from the code, so they cannot drift.

- The console's key table, from `CONSOLE_KEYS` (the one key map): each binding's keys, label and
  modes come from the code; what it does, in the operator's words, from `KEY_HELP` below. A
  binding without help, or help for a binding that no longer exists, is an error: the site's
  strict build and `tests/integration/test_docs_reference.py` both fail on it.
- The commands that take `--json`, found by walking the click commands: each must have its own
  section on the JSON outputs page (a heading naming it), so no `--json` output goes
  undocumented.

The mkdocs hook (`tools/docs_hooks.py`) calls these while the site is built; the tests call
them directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import click

# What each console command does, for the keys table (the keys and labels come from the code).
KEY_HELP: Mapping[str, str] = {
    "go": "**GO**: start the show, end a title card or the intermission, continue a paused or "
    "restored film, lift the black. A second GO within 1 s is ignored and the console says so "
    "(the GO button turns amber). GO does not interrupt a playing film: use Skip. During the "
    "reveal: the next step.",
    "pause": "Pause / resume the film (or the card / intermission countdown).",
    "fade": "Fade to black (2 s) and hold the show; again lifts it. During the reveal: fade to "
    "black.",
    "black": "Black at once.",
    "back": "Back: restart the film if it has played more than 5 s, else the previous cue. "
    "During the reveal: the previous step (still, no sting).",
    "skip": "Skip to the next cue (the film is marked skipped). During the reveal: the next step.",
    "rewind": "Seek the film 10 s back.",
    "forward": "Seek the film 10 s ahead.",
    "retry": "Retry a failed film from where it stopped.",
    "mute": "Mute / unmute.",
    "volume_down": "Master volume −5 %.",
    "volume_up": "Master volume +5 %.",
    "trim_down": "This film's gain trim −0.5 dB.",
    "trim_up": "This film's gain trim +0.5 dB.",
    "recheck": "Preflight the film again after its file changed (the next film, or the one on "
    "its title card); until then it plays at 0 dB.",
    "jump": "Jump to any film in the run order, or to the end card (a dialog; while a film is "
    "playing, *Jump* needs “Stop the film that is playing” ticked; films passed over are "
    "marked skipped).",
    "difficulties": "The bilingual **技術問題 / Technical difficulties** slide instead of plain "
    "black: black at once (the show is held where it is), the slide on it; again takes the "
    "slide down (still black), GO lifts the black and the slide with it.",
    "outputs": "Choose the projector screen and the audio output device (libvlc's "
    "`audio_output_device_enum`); applied at once and remembered for this event in "
    '`console-settings.json` (`{"projector_screen", "audio_device"}`), used when the '
    "console opens. With no audio device at all the log panel says in red that films would "
    "play silently.",
    "start_over": "Start the night over (asks first).",
    "holding": "The festival's holding slide (during the reveal).",
    "open_reveal": "Open the sealed results (asks the passphrase(s)) and start the reveal.",
    "end_reveal": "End the reveal and give the projector back to the show (its end card).",
    "preflight": "Run preflight.",
    "quit": "Close the console (asks during the show).",
    "music_play": "Start the [room's music](../music.md) for the slide that is up (doors, "
    "intermission, walk-out), or pause / resume it.",
    "music_skip": "The next music track (crossfaded).",
    "music_fade": "Fade the music out now, over the programme's fade time.",
    "music_down": "Music level down (it sits under the films' loudness; films are not touched).",
    "music_up": "Music level up.",
    "checklist": "The [booth checklist](../booth-checklist.md): session and video path, projector, "
    "sound (with a test tone), staying awake, power, notifications, disk, films, seal, vote key, "
    "server and clock, each green, amber or red with what to do.",
    "remotes_off": "Turn every remote off for the rest of the night: OSC stops listening, the "
    "stage display closes, the presenter clicker goes back to the reveal only "
    "([Remote control](../remote.md)).",
}

_MODE_WORDS = {"show": "show", "reveal": "reveal"}


class DocsMismatchError(RuntimeError):
    """The code and its documentation disagree; the message says what to write where."""


def console_keys_markdown() -> str:
    """The console keys as a Markdown table, one row per binding of `CONSOLE_KEYS`."""
    from kiosk.ui.console.keymap import CONSOLE_KEYS

    names = [entry.name for entry in CONSOLE_KEYS]
    missing = [name for name in names if name not in KEY_HELP]
    stale = sorted(set(KEY_HELP) - set(names))
    if missing or stale:
        raise DocsMismatchError(
            "tools/docs_reference.py KEY_HELP and CONSOLE_KEYS disagree: "
            f"no help for {missing}, help for bindings that do not exist: {stale}"
        )
    rows = [
        "| key | command | works during | what it does |",
        "| --- | --- | --- | --- |",
    ]
    for entry in CONSOLE_KEYS:
        keys = " or ".join(f"<kbd>{_escape(key)}</kbd>" for key in entry.keys)
        modes = " and ".join(
            sorted((_MODE_WORDS[mode.value] for mode in entry.modes), key=["show", "reveal"].index)
        )
        rows.append(f"| {keys} | {_escape(entry.label)} | {modes} | {KEY_HELP[entry.name]} |")
    return "\n".join(rows) + "\n"


def clicker_keys_markdown() -> str:
    """The presenter clicker's keys (`CLICKER_KEYS`) as a Markdown table."""
    from kiosk.ui.console.keymap import CLICKER_KEYS, binding

    rows = ["| clicker key | command |", "| --- | --- |"]
    for key, name in CLICKER_KEYS.items():
        rows.append(f"| {_escape(key)} | {_escape(binding(name).label)} |")
    return "\n".join(rows) + "\n"


def _escape(text: str) -> str:
    """Text safe inside a Markdown table cell and as HTML (`|`, `<`, `[` are not syntax)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace("|", "&#124;")
        .replace("[", "&#91;")
        .replace("]", "&#93;")
    )


def json_commands(group: click.Group | None = None) -> list[str]:
    """Every command path (e.g. `attendees import`) whose command has a `--json` option."""
    if group is None:
        from kiosk.cli import cli

        group = cli
    return sorted(_walk_json(group, ()))


def _walk_json(command: click.Command, path: tuple[str, ...]) -> Iterator[str]:
    if any("--json" in getattr(param, "opts", ()) for param in command.params):
        yield " ".join(path)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            if not sub.hidden:
                yield from _walk_json(sub, (*path, name))


_JSON_HEADING = re.compile(r"^#{2,3} `([a-z -]+?) --json`", re.MULTILINE)


def documented_json_commands(page: str) -> set[str]:
    """The command paths the JSON outputs page has a section for: a heading `## `CMD --json``."""
    return {match.group(1).strip() for match in _JSON_HEADING.finditer(page)}


def check_json_page(page: str) -> None:
    """DocsMismatchError unless the page documents exactly the commands that take `--json`."""
    wanted = set(json_commands())
    documented = documented_json_commands(page)
    missing = sorted(wanted - documented)
    stale = sorted(documented - wanted)
    if missing or stale:
        raise DocsMismatchError(
            "docs/reference/json.md and the click commands disagree: add a section "
            f"'## `COMMAND --json`' for {missing}; no such command takes --json: {stale}"
        )
