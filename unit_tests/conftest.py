"""Fixtures shared by the unit tests: no real waiting, and a record of every wait asked for.

Every test in this folder runs with `time.sleep` recorded instead of slept, so retries and
back-offs cost no wall time and tests can assert how long the connector *asked* to wait.
The sync's request pacer (`pacing.Pacer`: rate windows, the pause after a rejection) gets the
same treatment through its injected clock and sleep: its waits are recorded in `paced` and move
a virtual clock forward, as do the recorded sleeps, so a pause the back-off already waited out
is over for the pacer too. Sub-folders (the sandbox's self tests measure real latency and rate
limits) keep the real time, and so does any test marked `@pytest.mark.real_sleep`.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from unittest import mock

import pytest

HERE = Path(__file__).resolve().parent
_REAL_MONOTONIC = time.monotonic  # taken at import, before any test patches or freezes time


def pytest_configure(config):
    config.addinivalue_line("markers", "real_sleep: keep the real time.sleep in a unit test")


class SleepRecorder:
    """Stands in for `time.sleep` (and the pacer's sleep): remembers each duration, returns at
    once, and moves the virtual clock (`monotonic`) forward by it."""

    def __init__(self) -> None:
        self.durations: list = []  # what the connector asked `time.sleep` for (back-offs, retries)
        self.paced: list = []  # what the pacer waited (rate windows, pauses after a rejection)
        self.offset = 0.0

    def __call__(self, seconds: float) -> None:
        self.durations.append(seconds)
        self.offset += max(0.0, seconds)

    def pace(self, seconds: float) -> None:
        self.paced.append(seconds)
        self.offset += max(0.0, seconds)

    def monotonic(self) -> float:
        return _REAL_MONOTONIC() + self.offset

    def longer_than(self, seconds: float) -> list:
        return [d for d in self.durations if d > seconds]


@pytest.fixture(autouse=True)
def sleeps(request):
    """`time.sleep` recorded instead of slept; `unittest.TestCase` tests get it as `self.sleeps`."""
    if Path(str(request.node.fspath)).resolve().parent != HERE or request.node.get_closest_marker("real_sleep"):
        yield None
        return
    from source_aroflo import pacing, sync

    recorder = SleepRecorder()
    paced = functools.partial(pacing.Pacer, clock=recorder.monotonic, sleep=recorder.pace)
    with mock.patch("time.sleep", recorder), mock.patch.object(sync, "Pacer", paced):
        if request.instance is not None:
            request.instance.sleeps = recorder
        yield recorder
