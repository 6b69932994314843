"""The longest test files first, so that the lanes of a pass end together.

pytest-xdist's `--dist loadfile` hands whole files to its workers in the order of the collection
(once its own reordering, by number of tests, is switched off), two files ahead per worker. A
long real-time file started last keeps one lane busy alone at the end; started first, the short
files fill the other lane meanwhile (longest processing time first).

How long a file takes is measured on this checkout: every run records each file's seconds
(setup + call + teardown of its tests) in pytest's cache (`.pytest_cache`, key
`aiff/file_seconds`), and the next run orders by them. A file never measured here takes the
figure of :data:`FIRST_GUESS_S` (measured on the 2-core machine, idle), else one second per
test. The order is the same in every worker (they all read the same cache before the run
writes it), which xdist requires. A run that failed, or ran part of its files (`-k`), records
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

import pytest

CACHE_KEY = "aiff/file_seconds"

# seconds per real-time file, one lane at idle (`pytest -m serial --durations=0`, December 2026):
# the order of a fresh clone's first run, before it has measured its own
FIRST_GUESS_S: Mapping[str, float] = {
    "tests/integration/test_listening.py": 84,
    "tests/ui/test_sound_alarm.py": 56,
    "tests/ui/test_restore_real.py": 43,
    "tests/ui/test_rehearse_and_resume.py": 42,
    "tests/integration/test_music_listening.py": 40,
    "tests/ui/test_remote_console.py": 38,
    "tests/ui/test_report_rehearsal.py": 38,
    "tests/ui/test_close_during_show.py": 28,
    "tests/ui/test_chosen_output_heard.py": 28,  # with the two stings, at load 4
    "tests/ui/test_doors_layouts.py": 26,
    "tests/ui/test_wayland_session.py": 26,
    "tests/ui/test_show_console.py": 25,
    "tests/integration/test_hostile_hall.py": 24,
    "tests/ui/test_voting_station_server.py": 23,
    "tests/integration/test_stage_fade.py": 17,
    "tests/integration/test_stage_video.py": 15,
    "tests/ui/test_checklist_console.py": 14,
    "tests/ui/test_rehearse_on_screen.py": 14,
    "tests/ui/test_doors_real_keys.py": 12.5,
    "tests/integration/test_audio_outputs_real.py": 11,
    "tests/ui/test_show_fade.py": 9,
    "tests/ui/test_console_real_keys.py": 7,
    "tests/integration/test_x11_idle.py": 5,
    "tests/ui/test_music_keys.py": 4,
}


class HasNodeId(Protocol):
    """A collected test (a pytest item), known by its node id."""

    @property
    def nodeid(self) -> str: ...


Test = TypeVar("Test", bound=HasNodeId)


def file_of(item: HasNodeId) -> str:
    """The test file of an item, as a path from the repository's root."""
    return item.nodeid.split("::", 1)[0]


def longest_first(items: Sequence[Test], measured: Mapping[str, float]) -> list[Test]:
    """The items grouped by file, the files longest first, each file's tests in their order."""
    by_file: dict[str, list[Test]] = defaultdict(list)
    for item in items:
        by_file[file_of(item)].append(item)

    def seconds(path: str) -> float:
        return measured.get(path, FIRST_GUESS_S.get(path, float(len(by_file[path]))))

    ordered = sorted(by_file, key=seconds, reverse=True)  # stable: ties keep collection order
    return [item for path in ordered for item in by_file[path]]


class FileTimes:
    """A pytest plugin adding up the seconds each file's tests took in this run (registered in
    the controller, which sees every report, its workers' too), recorded when the run passed."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid.split("::", 1)[0]] += report.duration

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        cache: pytest.Cache | None = getattr(self.config, "cache", None)
        if cache is None or exitstatus != 0 or not self.seconds:
            return
        if getattr(self.config.option, "keyword", ""):
            return  # `-k` ran part of some files: their figures would be too short
        measured = {path: round(s, 1) for path, s in self.seconds.items()}
        cache.set(CACHE_KEY, {**recorded_seconds(self.config), **measured})


def recorded_seconds(config: pytest.Config) -> dict[str, float]:
    """The seconds per file the last runs on this checkout recorded (empty: none yet)."""
    cache: pytest.Cache | None = getattr(config, "cache", None)  # None: -p no:cacheprovider
    value = cache.get(CACHE_KEY, {}) if cache is not None else {}
    return {str(k): float(v) for k, v in value.items()} if isinstance(value, dict) else {}


def pytest_configure(config: pytest.Config) -> None:
    """Our order, not xdist's by-count one; the controller (or a run without xdist) measures."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(FileTimes(config), "aiff-file-times")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = longest_first(items, recorded_seconds(config))
