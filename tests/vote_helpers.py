"""An event ready to vote: the sealing test's programme (kept outside the folder), jury results
sealed (which makes the vote key), people with real tickets, some of them admitted at the door."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.vote import display_vote_code, vote_code
from kiosk.services.open_event import OpenEvent
from kiosk.services.vote import Clock, ViewerVote
from kiosk.store.event_folder import EventFolder
from tests.doors_helpers import Person, repository, seed_people
from tests.results_helpers import (
    FILMS,
    JURY,
    KDF_N,
    PASSPHRASE,
    make_event,
    programme_path,
    sealed_results,
)

VOTE_FILMS = ("QZ-OTHER-06", "QZ-OTHER-07", "QZ-NOM-03")


@dataclass(frozen=True)
class VotingEvent:
    """The folder, the admitted people and those who registered but did not come."""

    folder: EventFolder
    admitted: list[Person]
    absent: list[Person]

    def vote_code_of(self, person: Person) -> str:
        """The person's vote code as printed on the ticket."""
        return display_vote_code(vote_code(self.folder.secret_key(), person.code))


def make_voting_event(
    root: Path, *, admitted: int = 6, absent: int = 2, passphrases: tuple[str, ...] = ()
) -> VotingEvent:
    """Seal the jury's results (one keyholder unless told), seed and admit people."""
    folder = make_event(root)
    jury = root.parent / f"{root.name}-jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    sealed_results(folder).seal_results(jury, list(passphrases or (PASSPHRASE,)), kdf_n=KDF_N)
    jury.unlink()
    people = seed_people(folder, count=admitted + absent)
    doors = repository(folder)
    now = dt.datetime.now(dt.UTC)
    try:
        for person in people[:admitted]:
            assert doors.scan(person.code, "Door 1", "scan", now).verdict.value == "admitted"
    finally:
        # closed here, not by the garbage collector at some later moment: the last connection
        # to close deletes event.db-shm and -wal, and a test walking the folder meanwhile
        # failed reading a file it had just listed
        doors.close()
    return VotingEvent(folder, people[:admitted], people[admitted:])


STILL_COLOURS = ("0x7a2e2e", "0x2e5a7a", "0x3f7a2e", "0x7a6a2e", "0x5a2e7a", "0x2e7a70", "0x7a2e5c")


def add_stills(voting: VotingEvent) -> None:
    """Give every film a still (a coloured test picture), as a programme would."""
    programme = programme_path(voting.folder)
    stills = programme.parent / "stills"
    stills.mkdir()
    text = programme.read_text(encoding="utf-8")
    for (film_id, _, _), colour in zip(FILMS, STILL_COLOURS, strict=True):
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
             f"testsrc2=size=640x360,hue=s=0.6,drawbox=c={colour}@0.6:t=fill",
             "-frames:v", "1", str(stills / f"{film_id}.png")],
            check=True,
        )  # fmt: skip
        line = f'file = "films/{film_id}.mp4"'
        text = text.replace(line, f'{line}\nstill = "stills/{film_id}.png"')
    programme.write_text(text, encoding="utf-8")


def open_vote(folder: EventFolder, clock: Clock | None = None) -> ViewerVote:
    """The event's vote on a connection of its own, as the console and the CLI open it."""
    return OpenEvent.open(folder).viewer_vote(clock)
