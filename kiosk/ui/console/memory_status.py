"""The console's memory status line: the app's memory now, and a warning if it keeps growing.

Every `READ_EVERY_MS` the label shows the app's resident memory (from /proc). Each time the show
brings a new film up, the film before gives one sample to the growth rule
(`kiosk.core.memory_trend`): its highest reading while it was up. One reading at the cut would
land now with the next film primed (both players' pictures allocated), now without: the soak
benchmark read 290-320 MB or 380-420 MB at random, enough to fake a slope over a few films; the
highest reading per film is steady. Steady, growing (amber) or a warning (red, and once in the
console's log) while there are films left to act between. Reading /proc costs well under a
millisecond on the Qt thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, SignalInstance

from kiosk.core.memory_trend import MemoryLevel, MemoryTrend, MemoryVerdict
from kiosk.core.show import CueKind, Snapshot
from kiosk.process_stats import ProcessStats, read_process_stats
from kiosk.ui.common.after_paints import AfterPaints
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.theme import Colours, set_style, text_label

log = logging.getLogger(__name__)

READ_EVERY_MS = 1000


class ShowSource(Protocol):
    """What the status line needs from the running show."""

    @property
    def changed(self) -> SignalInstance:
        """Emitted after anything the console should redraw."""
        ...

    def snapshot(self) -> Snapshot:
        """The show now."""
        ...


class MemoryStatus(QObject):
    """Owns the status-line label; `watch` the show whose films are the samples."""

    def __init__(
        self,
        messages: MessageBus,
        trend: MemoryTrend,
        read: Callable[[], ProcessStats | None] = read_process_stats,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = text_label("", 9, colour=Colours.muted.name())
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self._messages = messages
        self._trend = trend
        self._read = read
        self._show: ShowSource | None = None
        self._film_key = ""
        self._film_peak: float | None = None  # highest reading since the current film came up
        self._verdict = MemoryVerdict(MemoryLevel.STEADY, None, None, None)
        self._after_cut = AfterPaints(self._show_changed, self)
        self._timer = QTimer(self)
        self._timer.setInterval(READ_EVERY_MS)
        self._timer.timeout.connect(self.refresh)
        # it lives for its label: once the label is gone (its window closed) nothing reads or
        # draws, whoever still holds this object (a test's standalone status line, kept alive
        # by the AfterPaints reference cycle until a collection, drew into a deleted label
        # every second in every later test of its process)
        self.label.destroyed.connect(self.stop)
        self._timer.start()
        self.refresh()

    @property
    def verdict(self) -> MemoryVerdict:
        """The growth rule's latest verdict."""
        return self._verdict

    @property
    def samples_mb(self) -> tuple[float, ...]:
        """The per-film samples so far (MB)."""
        return tuple(self._trend.samples_mb)

    def watch(self, show: ShowSource | None) -> None:
        """Take samples from `show`'s films (a new show after Start over replaces the old)."""
        if self._show is not None:
            self._show.changed.disconnect(self._after_cut.request)
        self._show = show
        if show is not None:  # the film's sample (a read of /proc) after the cut's picture
            show.changed.connect(self._after_cut.request)

    def stop(self) -> None:
        """Stop reading (the console is closing)."""
        self._timer.stop()
        self.watch(None)

    def _show_changed(self) -> None:
        if self._show is None:
            return
        snap = self._show.snapshot()
        cue = snap.cue
        if cue.kind is not CueKind.FILM or cue.key == self._film_key:
            return
        self._film_key = cue.key
        ids = [film.id for film, _ in snap.films]
        current = ids.index(cue.film.id) if cue.film is not None and cue.film.id in ids else 0
        stats = self._read()
        if stats is None:
            return
        previous_peak, self._film_peak = self._film_peak, stats.rss_mb
        if previous_peak is None:  # the first film: nothing to judge yet
            self._draw(stats)
            return
        sample = max(previous_peak, stats.rss_mb)
        self._verdict, advice = self._trend.add(sample, len(ids) - current)
        log.info(
            "memory before %s: up to %.0f MB; now %d fds, %d threads (%s)",
            cue.key,
            sample,
            stats.open_fds,
            stats.threads,
            self._verdict.level.value,
        )
        if advice is not None:
            log.warning("%s", advice)
            self._messages.warning(advice)
        self._draw(stats)

    def refresh(self) -> None:
        """Read the app's memory now and redraw the status line."""
        stats = self._read()
        if stats is not None and self._film_peak is not None:
            self._film_peak = max(self._film_peak, stats.rss_mb)
        self._draw(stats)

    def _draw(self, stats: ProcessStats | None) -> None:
        verdict = self._verdict
        self.label.setText(verdict.describe(stats.rss_mb if stats is not None else None))
        colour = {
            MemoryLevel.STEADY: Colours.muted,
            MemoryLevel.GROWING: Colours.warn,
            MemoryLevel.WARN: Colours.bad,
        }[verdict.level]
        bold = "font-weight: bold;" if verdict.level is MemoryLevel.WARN else ""
        set_style(self.label, f"color: {colour.name()}; {bold}")
        # steady memory is not news on the night: the line shows only while memory grows
        self.label.setHidden(verdict.level is MemoryLevel.STEADY)
        rule = self._trend.rule
        details = [
            f"Per-film samples: {len(self._trend.samples_mb)}; the slope is measured over the "
            f"last {rule.window} films after the first {rule.settle}.",
            f"Warns when growing {rule.growth_mb_per_film:g} MB/film or more would pass "
            f"{rule.budget_mb:.0f} MB before the last film.",
        ]
        if stats is not None:
            details.insert(0, f"Open files: {stats.open_fds} · threads: {stats.threads}")
        self.label.setToolTip("\n".join(details))
