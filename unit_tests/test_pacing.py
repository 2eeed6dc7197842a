"""The sync's one request pacer (`pacing.Pacer`): rate windows, the pause and slow-down after a
rejection, the way back, and its two hooks (the quota gate before a request, the signature after
the wait). Every test drives it with an injected clock and sleep: no real time passes.
"""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
import requests

from source_aroflo.pacing import CALM_SECONDS, FLOOR, MINUTE_HOLD, Pacer
from source_aroflo.quota import QuotaStop

from .zone_builders import BASE_URL, run, supplier, zone_config

WINDOW = 1.1  # AroFlo's one-second window, stretched by 10 % (a request is counted when it arrives)
MINUTE = 66.0  # and its minute


class Clock:
    """A clock that only moves when the pacer sleeps; every sleep is remembered."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _request(n: int = 1) -> requests.PreparedRequest:
    return requests.Request("GET", f"{BASE_URL}?zone=users&page={n}").prepare()


def _pacer(per_second=3, per_minute=None, **hooks):
    clock = Clock()
    return Pacer(per_second, per_minute, clock=clock, sleep=clock.sleep, **hooks), clock


def _times_of(pacer: Pacer, clock: Clock, calls: int) -> list:
    """When each of `calls` requests was let go, relative to the first."""
    start, times = clock(), []
    for n in range(calls):
        pacer.acquire_call(_request(n))
        times.append(round(clock() - start, 6))
    return times


def most_in_window(stamps: list, window: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t - start < window - 1e-9) for i, start in enumerate(stamps))


# ---- windows ---------------------------------------------------------------------------------------
def test_three_a_second_lets_three_go_then_holds_the_fourth_until_the_window_has_passed():
    pacer, clock = _pacer(per_second=3)
    assert _times_of(pacer, clock, 10) == pytest.approx([0, 0, 0, WINDOW, WINDOW, WINDOW, 2 * WINDOW, 2 * WINDOW,
                                                         2 * WINDOW, 3 * WINDOW])


def test_the_minute_window_holds_the_call_over_the_limit_for_a_little_over_a_minute():
    pacer, clock = _pacer(per_second=None, per_minute=2)
    assert _times_of(pacer, clock, 3) == pytest.approx([0, 0, MINUTE])


def test_no_rates_means_no_waiting():
    pacer, clock = _pacer(per_second=None, per_minute=None)
    assert _times_of(pacer, clock, 50) == [0] * 50 and clock.slept == []


def test_threads_sharing_one_pacer_never_exceed_its_window():
    pacer, clock = _pacer(per_second=3)
    stamps, lock = [], threading.Lock()

    def worker(calls: int) -> None:
        for n in range(calls):
            pacer.acquire_call(_request(n))
            with lock:
                stamps.append(clock())

    threads = [threading.Thread(target=worker, args=(4,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(stamps) == 12
    assert most_in_window(stamps, WINDOW) <= 3, sorted(s - min(stamps) for s in stamps)
    assert clock.slept, "no call waited: the test proves nothing"


# ---- a rejection: every stream pauses and the pace halves --------------------------------------------
def test_a_rejection_pauses_every_caller_for_the_wait_it_names():
    pacer, clock = _pacer(per_second=3)
    pacer.acquire_call(_request())
    pacer.rejected(5.0)
    before = clock()
    pacer.acquire_call(_request())
    assert clock() - before == pytest.approx(5.0)
    assert pacer.rejections == 1


def test_each_rejection_halves_the_pace_down_to_the_floor():
    pacer, clock = _pacer(per_second=3)
    rates = []
    for _ in range(4):
        pacer.rejected(0.0)
        rates.append(pacer.rate)
    assert rates == [1.5, 0.75, FLOOR, FLOOR]


def test_a_slowed_pacer_spaces_its_calls_by_its_new_pace():
    pacer, clock = _pacer(per_second=3)
    pacer.acquire_call(_request())
    pacer.rejected(0.0)  # 1.5 a second: one every 2/3 s, however many the window would allow
    assert _times_of(pacer, clock, 3) == pytest.approx([1 / 1.5, 2 / 1.5, 3 / 1.5])


def test_a_rejection_without_a_rate_to_halve_slows_to_two_a_second():
    pacer, _ = _pacer(per_second=None, per_minute=120)
    pacer.rejected(1.0)
    assert pacer.rate == FLOOR * 4


def test_the_pace_comes_back_one_step_for_every_calm_period():
    pacer, clock = _pacer(per_second=3)
    pacer.rejected(0.0)
    pacer.rejected(0.0)
    assert pacer.rate == 0.75
    clock.advance(CALM_SECONDS - 1)
    pacer.acquire_call(_request())
    assert pacer.rate == 0.75  # not calm long enough
    clock.advance(1)
    pacer.acquire_call(_request())
    assert pacer.rate == 1.5
    clock.advance(CALM_SECONDS)
    pacer.acquire_call(_request())
    assert pacer.rate == 3.0  # back to the configured pace, never above it
    clock.advance(10 * CALM_SECONDS)
    pacer.acquire_call(_request())
    assert pacer.rate == 3.0


def test_a_new_rejection_restarts_the_calm_period():
    pacer, clock = _pacer(per_second=3)
    pacer.rejected(0.0)
    clock.advance(CALM_SECONDS - 5)
    pacer.rejected(0.0)
    clock.advance(CALM_SECONDS - 1)
    pacer.acquire_call(_request())
    assert pacer.rate == 0.75  # less than a calm period since the last rejection: still slowed twice


def test_one_burst_of_rejections_halves_the_pace_once():
    pacer, clock = _pacer(per_second=4)
    pacer.rejected(1.0)  # the first answer of a burst: every stream waits a second
    clock.advance(0.2)
    pacer.rejected(1.0)  # answers to requests already on their way
    pacer.rejected(1.0)
    assert pacer.rate == 2.0 and pacer.rejections == 3
    clock.advance(2.0)
    pacer.rejected(1.0)  # a new rejection after the wait: another program is still there
    assert pacer.rate == 1.0


def test_without_a_configured_rate_the_pacer_becomes_unlimited_again_after_a_calm_period():
    pacer, clock = _pacer(per_second=None, per_minute=None)
    pacer.rejected(0.0)
    clock.advance(CALM_SECONDS)
    pacer.acquire_call(_request())
    assert pacer.rate is None


# ---- AroFlo says the minute is used up ----------------------------------------------------------------
def _answer(remaining: str) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers["X-RateLimit-Remaining"] = remaining
    return response


def test_a_used_up_minute_holds_the_next_request_until_our_oldest_of_that_minute_leaves_it():
    pacer, clock = _pacer(per_second=3, per_minute=120)
    pacer.acquire_call(_request(1))
    clock.advance(10)
    pacer.acquire_call(_request(2))
    pacer.update_from_response(_request(2), _answer("0"))
    before = clock()
    pacer.acquire_call(_request(3))
    assert clock() - before == pytest.approx(MINUTE - 10)  # the first request's minute ends 66 s after it


def test_a_minute_used_up_by_someone_else_holds_the_next_request_briefly():
    pacer, clock = _pacer(per_second=3, per_minute=120)
    pacer.update_from_response(_request(1), _answer("0"))  # none of the minute's requests were ours
    before = clock()
    pacer.acquire_call(_request(1))
    assert clock() - before == pytest.approx(MINUTE_HOLD)


def test_requests_left_in_the_minute_hold_nothing():
    pacer, clock = _pacer(per_second=3, per_minute=120)
    for remaining in ("5", "", "lots"):
        pacer.update_from_response(_request(1), _answer(remaining))
    assert _times_of(pacer, clock, 3) == [0, 0, 0]


# ---- its hooks ---------------------------------------------------------------------------------------
def test_the_quota_gate_runs_before_the_wait_and_a_stopped_request_takes_no_place_in_the_window():
    order = []

    def admit(request):
        order.append("admit")
        if "page=2" in request.url:
            raise QuotaStop("daily", "reserve reached")

    pacer, clock = _pacer(per_second=1, admit=admit, on_release=lambda request: order.append("release"))
    pacer.acquire_call(_request(1))
    with pytest.raises(QuotaStop):
        pacer.acquire_call(_request(2))
    assert order == ["admit", "release", "admit"]
    assert clock.slept == []  # the stopped request did not wait for the window either


def test_the_release_hook_sees_the_clock_after_the_wait():
    released = []
    pacer, clock = _pacer(per_second=1, on_release=lambda request: released.append(clock()))
    pacer.acquire_call(_request(1))
    pacer.acquire_call(_request(2))
    assert released[1] - released[0] == pytest.approx(WINDOW)


def test_a_wait_for_the_pacer_leaves_no_garbage_cycle_holding_the_request():
    """A call that waits must not leave a cycle (exception <-> frame) that keeps the caller's
    frames, and with them the page's response, until a full collection."""
    pacer, clock = _pacer(per_second=2)

    class Page:  # stands in for the response a caller's frame holds while it asks
        pass

    def ask(n: int) -> "weakref.ref":
        page = Page()
        pacer.acquire_call(_request(n))
        return weakref.ref(page)

    gc.collect()
    gc.disable()
    try:
        pages = [ask(n) for n in range(4)]  # the third and fourth wait for the window
        alive = [ref for ref in pages if ref() is not None]
        cycles = gc.collect()
    finally:
        gc.enable()
    assert clock.slept, "no call waited: the test proves nothing"
    assert alive == [], "a caller's frame outlived its call"
    assert cycles == 0, "waiting for the pacer left cyclic garbage"


# ---- in a sync ---------------------------------------------------------------------------------------
def test_streams_read_side_by_side_share_one_pace(sleeps):
    stamps: list = []
    data = {"suppliers": [supplier(i) for i in range(4)], "clients": [{"clientid": f"C{i}=="} for i in range(4)],
            "quotes": [{"quoteid": f"Q{i}=="} for i in range(4)]}
    config = zone_config(max_records_per_page=2, requests_per_second=3, requests_per_minute=120)
    server, output = run(config, ["suppliers", "clients", "quotes"], data=data,
                         on_request=lambda request: stamps.append(sleeps.monotonic()))
    assert not output.errors, output.get_formatted_error_message()
    assert len(output.records) == 12
    assert len(stamps) == len(server.requests) >= 6  # two full pages of each stream, and the page after
    # AroFlo counts 3 a second as requests arrive: never more in any second of the (virtual) clock.
    assert most_in_window(stamps, 1.0) <= 3, sorted(s - min(stamps) for s in stamps)
    assert sleeps.paced, "no request waited for the pacer: the test proves nothing"


def test_a_window_that_aroflo_says_is_used_up_holds_the_next_request(sleeps):
    """`X-RateLimit-Remaining: 0` on an answer: the window is used up (another program shares the
    keys), so the next request waits for it rather than be rejected."""
    data = {"suppliers": [supplier(i) for i in range(3)]}
    waits = {}
    for remaining in ("10", "0"):
        sleeps.paced.clear()
        server, output = run(zone_config(max_records_per_page=2), "suppliers", data=data,
                             headers={"X-RateLimit-Remaining": remaining, "X-RateLimit-Limit": "3"})
        assert len(output.records) == 3 and len(server.requests) == 2
        waits[remaining] = sum(sleeps.paced)
    assert waits["10"] == 0
    assert waits["0"] >= 0.9, waits
