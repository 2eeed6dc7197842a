"""Fixtures shared by the unit tests: no real waiting, and a record of every wait asked for.

Every test in this folder runs with `time.sleep` recorded instead of slept, so retries and
back-offs cost no wall time and tests can assert how long the connector *asked* to wait.
Sub-folders (the sandbox's self tests measure real latency and rate limits) keep the real
`time.sleep`, and so does any test marked `@pytest.mark.real_sleep`.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "real_sleep: keep the real time.sleep in a unit test")


class SleepRecorder:
    """Stands in for `time.sleep`: remembers each duration, returns at once."""

    def __init__(self) -> None:
        self.durations: list = []

    def __call__(self, seconds: float) -> None:
        self.durations.append(seconds)

    def longer_than(self, seconds: float) -> list:
        return [d for d in self.durations if d > seconds]


@pytest.fixture(autouse=True)
def sleeps(request):
    """`time.sleep` recorded instead of slept; `unittest.TestCase` tests get it as `self.sleeps`."""
    if Path(str(request.node.fspath)).resolve().parent != HERE or request.node.get_closest_marker("real_sleep"):
        yield None
        return
    recorder = SleepRecorder()
    with mock.patch("time.sleep", recorder):
        if request.instance is not None:
            request.instance.sleeps = recorder
        yield recorder
