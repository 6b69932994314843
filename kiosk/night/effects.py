"""The one effect runner: carries out a core machine's effects and commits its journal entries.

Both the show (`kiosk.core.show.ShowMachine`) and the award reveal (`kiosk.core.awards.
RevealMachine`) answer every action with a list of effects. The runner does the non-journal
effects in order through the controller's own handler (the projector changes first: the
machines order their effects so), then hands every `Journal` effect of the batch, as one
transaction, to the night's ordered journal writer (`kiosk.night.journal_writer`), which commits
it on its own thread: the cut never waits for the commit, and the entries keep their order and
the moment they happened. Without a writer (tests, an in-memory database) the runner commits
them itself before returning. Nothing else in the night writes the journal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from kiosk.core.show import Journal
from kiosk.night.ports import OperatorMessages
from kiosk.store.journal import Journal as JournalStore

log = logging.getLogger(__name__)

E = TypeVar("E")


def journal_subject(data: Mapping[str, Any]) -> str | None:
    """What an entry is about: the film or cue (show), the award (reveal), or nothing."""
    value = data.get("film") or data.get("cue") or data.get("award")
    return str(value) if value else None


class JournalSink(Protocol):
    """Where journal batches go to be committed in order (kiosk.night.journal_writer)."""

    def append_all(self, entries: Iterable[tuple[str, str | None, Mapping[str, Any]]]) -> None:
        """Hand over one batch (one transaction); returns at once."""
        ...

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything handed over is committed."""
        ...

    def close(self, timeout_s: float = 10.0) -> None:
        """Commit what is queued and stop."""
        ...


class EffectRunner:
    """Carries out effects in order and writes their journal entries in one transaction."""

    def __init__(
        self,
        journal: JournalStore,
        messages: OperatorMessages | None = None,
        *,
        writer: JournalSink | None = None,
    ) -> None:
        self.journal = journal
        self.messages = messages
        self._writer = writer

    def run(self, effects: Iterable[E], do: Callable[[E], None]) -> None:
        """`do` every effect that is not a journal entry, in order; then commit the entries."""
        entries: list[Journal] = []
        for effect in effects:
            if isinstance(effect, Journal):
                entries.append(effect)
            else:
                do(effect)
        self.write(entries)

    def write(self, entries: Iterable[Journal]) -> None:
        """Commit journal entries in one transaction; a failure is told, never raised."""
        batch = list(entries)
        if not batch:
            return
        rows = [(e.kind, journal_subject(e.data), e.data) for e in batch]
        if self._writer is not None:
            self._writer.append_all(rows)  # committed on the writer's thread, in order
            return
        try:
            self.journal.append_all(rows)
        except Exception:
            log.exception("could not write %d journal entries", len(batch))
            if self.messages is not None:
                self.messages.error("The night's journal could not be written: check the disk")

    def record(self, kind: str, data: Mapping[str, Any] | None = None) -> None:
        """One entry outside a machine (e.g. the night starting over)."""
        self.write([Journal(kind, dict(data or {}))])

    def settle(self, timeout_s: float = 10.0) -> bool:
        """Wait until every entry written so far is committed (before reading the journal
        back; never at a cut). False if the writer did not finish in time."""
        return self._writer.flush(timeout_s) if self._writer is not None else True

    def close(self) -> None:
        """Commit what is queued and stop the writer (the night is closing)."""
        if self._writer is not None:
            self._writer.close()
