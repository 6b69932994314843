"""What one test run builds once for all its pytest-xdist workers (the demo night, its sealed and
preflighted variants), and the file lock that makes a second process wait for the first.

`make test` runs the parallel pass on two worker processes; a session fixture is built once per
worker, so the demo night (35 films, their stills, a seal, 40 registrations) and its preflight
were built twice a run. `shared_folder(factory, name, build)` builds the folder once in the
run's own temporary folder (the one the workers' folders are in; a lock makes the second
worker wait) and hands each worker its own copy: nobody ever opens the pristine build, so a
test's child process opening a copy's database cannot disturb another worker's copying.
Nothing outlives the run (the film cache, `tests/film_cache.py`, is what carries over).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing) across processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this run that every worker of it can see: the parent of a
    worker's base folder under pytest-xdist (`pytest-N/popen-gw0`), else the base folder."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once_folder(factory: pytest.TempPathFactory, name: str) -> Path:
    """Where `shared_folder(factory, name, ...)` builds its folder (`event/`): a build may leave
    what it saw beside it there (say a command's output) for the tests to read."""
    return run_folder(factory) / "built-once" / name


def shared_folder(
    factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """This worker's copy of the folder `build(path)` makes, built once per run.

    `build` must make the folder at the path it is given (which does not exist yet) and close
    every file and database it opened there before it returns."""
    shared = built_once_folder(factory, name)
    shared.mkdir(parents=True, exist_ok=True)
    pristine, done = shared / "event", shared / "built"
    with exclusive_lock(shared / "lock"):
        if not done.is_file():
            shutil.rmtree(pristine, ignore_errors=True)  # a build that failed half-way
            build(pristine)
            done.touch()
    mine = factory.mktemp(name) / pristine.name
    shutil.copytree(pristine, mine)
    return mine
