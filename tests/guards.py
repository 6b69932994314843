"""Suite-wide guards (a pytest plugin, loaded by tests/conftest.py).

- An ERROR (or worse) log record during a test fails it, unless the test is marked
  `@pytest.mark.logs_errors` (it expects them: a film that fails, a disk that is full).
- An exception raised in a Qt slot or virtual method fails the test: pytest-qt captures those
  by default (its exception capture; `qt_default_raising` in pyproject is only about
  `waitSignal`), and tests/unit/test_suite_guards.py checks that it still does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

ERRORS_EXPECTED = "logs_errors"


class ErrorRecords(logging.Handler):
    """Keeps every ERROR+ record logged during one test."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{ERRORS_EXPECTED}: the test expects ERROR log records (not a failure)"
    )


@pytest.fixture(autouse=True)
def _fail_on_unexpected_error_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if collector.records and request.node.get_closest_marker(ERRORS_EXPECTED) is None:
        lines = "\n".join(f"  {r.name}: {r.getMessage()}" for r in collector.records[:10])
        pytest.fail(
            f"{len(collector.records)} unexpected ERROR log record(s) "
            f"(mark the test @pytest.mark.{ERRORS_EXPECTED} if they are expected):\n{lines}",
            pytrace=False,
        )
