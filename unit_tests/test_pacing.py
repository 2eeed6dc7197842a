"""The shared request budget (`pacing.build_budget`): measured with real time and small numbers."""

from __future__ import annotations

import logging
import threading
import time
import unittest

import requests
import requests_mock
from airbyte_cdk.models import Status
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.catalog_builder import CatalogBuilder, ConfiguredAirbyteStreamBuilder

from source_aroflo.pacing import QuotaLedger, build_budget
from source_aroflo.source import SourceAroflo

from .zone_builders import (
    BASE_URL,
    ZoneServer,
    catalog,
    payment,
    real_budget_waits,
    supplier,
    user,
    zone_config,
)

# pyrate-limiter keeps whole milliseconds; a gap may read up to ~2 ms short of the window.
CLOCK_SLACK = 0.003


def _request(n: int) -> requests.PreparedRequest:
    return requests.Request("GET", f"{BASE_URL}?zone=users&page={n}").prepare()


def _response(**headers) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers.update(headers)
    return response


def most_in_window(stamps: list, window: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t - start < window - CLOCK_SLACK) for i, start in enumerate(stamps))


class BudgetTest(unittest.TestCase):
    def test_three_threads_never_exceed_three_calls_in_any_1_1_s_window(self):
        budget = build_budget(3, 120)
        stamps: list = []
        lock = threading.Lock()
        todo = list(range(10))

        def worker():
            while True:
                with lock:
                    if not todo:
                        return
                    n = todo.pop()
                budget.acquire_call(_request(n))
                with lock:
                    stamps.append(time.monotonic())

        with real_budget_waits() as waits:
            started = time.monotonic()
            threads = [threading.Thread(target=worker) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            elapsed = time.monotonic() - started
        self.assertEqual(len(stamps), 10)
        self.assertLessEqual(most_in_window(stamps, 1.1), 3, sorted(s - started for s in stamps))
        # 10 calls at 3 a window need 3 full windows of waiting, and not much more.
        self.assertGreaterEqual(elapsed, 3 * 1.1 - 0.05)
        self.assertLess(elapsed, 3 * 1.1 + 1.0)
        self.assertTrue(waits)

    def test_rate_limit_remaining_zero_makes_the_next_acquire_wait(self):
        for remaining, should_wait in (("5", False), ("0", True)):
            with self.subTest(remaining=remaining):
                budget = build_budget(3, 120)
                with real_budget_waits() as waits:
                    budget.acquire_call(_request(1))
                    budget.update_from_response(_request(1), _response(**{"X-RateLimit-Remaining": remaining}))
                    started = time.monotonic()
                    budget.acquire_call(_request(2))
                    elapsed = time.monotonic() - started
                if should_wait:
                    self.assertGreater(elapsed, 0.9)
                    self.assertGreater(sum(waits), 0.9)
                else:
                    self.assertLess(elapsed, 0.2)
                    self.assertEqual(waits, [])

    def test_a_wait_for_the_budget_leaves_no_garbage_cycle_holding_the_request(self):
        """A call that waits for the budget must not leave a cycle (exception <-> frame) that keeps
        the caller's frames, and with them the page's response, until a full collection."""
        import gc
        import weakref

        budget = build_budget(2, 120)

        class Page:  # stands in for the response a caller's frame holds while it asks
            pass

        def ask(n: int) -> "weakref.ref":
            page = Page()
            budget.acquire_call(_request(n))
            return weakref.ref(page)

        gc.collect()
        gc.disable()
        try:
            with real_budget_waits() as waits:
                pages = [ask(n) for n in range(4)]  # the third and fourth wait for the window
            alive = [ref for ref in pages if ref() is not None]
            cycles = gc.collect()
        finally:
            gc.enable()
        self.assertTrue(waits, "no call waited: the test proves nothing")
        self.assertEqual(alive, [], "a caller's frame outlived its call")
        self.assertEqual(cycles, 0, "waiting for the budget left cyclic garbage")

    def test_no_rates_means_no_budget(self):
        self.assertIsNone(build_budget(None, None))
        self.assertIsNotNone(build_budget(None, 60))

    def test_per_minute_rate_is_enforced_too(self):
        budget = build_budget(None, 2)
        budget.acquire_call(_request(1), block=False)
        budget.acquire_call(_request(2), block=False)
        from airbyte_cdk.sources.streams.call_rate import CallRateLimitHit

        with self.assertRaises(CallRateLimitHit) as hit:
            budget.acquire_call(_request(3), block=False)
        self.assertGreater(hit.exception.time_to_wait.total_seconds(), 60)  # a window a little over a minute

    def test_low_daily_remaining_is_logged(self):
        ledger = QuotaLedger()
        with self.assertLogs("airbyte.aroflo", level="WARNING") as logs:
            ledger.answered("users", "users", _response(**{"X-RateLimit-Daily-Remaining": "12"}))
        self.assertTrue(any("12 requests left today" in line for line in logs.output))


class PacedSyncTest(unittest.TestCase):
    def test_streams_in_parallel_share_one_budget(self):
        stamps: list = []
        data = {
            "users": [user(i, f"2023/05/{10 + i:02d} 08:00:00") for i in range(3)],
            "payments": [payment(i, f"2023/12/{10 + i:02d}") for i in range(3)],
            "suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(3)],
        }
        config = zone_config(max_records_per_page=2, requests_per_second=3, requests_per_minute=120)
        full = CatalogBuilder()
        for name in ("users", "payments", "suppliers"):
            full = full.with_stream(ConfiguredAirbyteStreamBuilder().with_name(name))
        with requests_mock.Mocker() as m, real_budget_waits():
            server = ZoneServer(m, data=data)
            server.on_request = lambda request: stamps.append(time.monotonic())
            output = entrypoint_wrapper.read(SourceAroflo(), config, full.build())
        self.assertEqual(len(output.records), 9, output.get_formatted_error_message())
        self.assertGreaterEqual(len(stamps), 6)  # 2 pages of 2 for each of the three streams
        self.assertLessEqual(most_in_window(stamps, 1.1), 3)

    def test_rate_limit_remaining_zero_in_a_sync_delays_the_next_request(self):
        gaps = {}
        for remaining in ("10", "0"):
            stamps: list = []
            data = {"suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(3)]}
            with requests_mock.Mocker() as m, real_budget_waits():
                server = ZoneServer(m, data=data, headers={"X-RateLimit-Remaining": remaining})
                server.on_request = lambda request: stamps.append(time.monotonic())
                output = entrypoint_wrapper.read(SourceAroflo(), zone_config(max_records_per_page=2),
                                                 catalog("suppliers"))
            self.assertEqual(len(output.records), 3)
            self.assertEqual(len(stamps), 2)
            gaps[remaining] = stamps[1] - stamps[0]
        self.assertLess(gaps["10"], 0.3)
        self.assertGreater(gaps["0"], 0.9)

    def test_check_costs_exactly_one_request(self):
        with requests_mock.Mocker() as m:
            server = ZoneServer(m, data={"users": [user(1)], "payments": [payment(1)], "suppliers": [supplier(1)]})
            status = SourceAroflo().check(logging.getLogger("airbyte"), zone_config())
        self.assertEqual(status.status, Status.SUCCEEDED, status.message)
        self.assertEqual(len(server.requests), 1)


if __name__ == "__main__":
    unittest.main()
