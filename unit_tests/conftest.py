"""Fixtures shared by the unit tests: no real waiting, and a record of every wait asked for."""

from __future__ import annotations

from unittest import mock

import pytest


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
    """Every test runs with `time.sleep` recorded instead of slept (retries cost no wall time).

    `unittest.TestCase` tests get the recorder as `self.sleeps`.
    """
    recorder = SleepRecorder()
    with mock.patch("time.sleep", recorder):
        if request.instance is not None:
            request.instance.sleeps = recorder
        yield recorder
