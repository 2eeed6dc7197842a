"""Streams read side by side when the API is slow, one after another when it is fast."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aroflo import parallel
from source_aroflo.output import RecordPage


def _configured(name: str):
    return SimpleNamespace(stream=SimpleNamespace(name=name))


def _pages(seconds_per_page: float, pages: int = 4, fail_after: int = -1):
    """A stream's read: `pages` one-row pages, each `seconds_per_page` after the last."""
    def read(configured):
        for number in range(pages):
            if number == fail_after:
                raise AirbyteTracedException(message=f"{configured.stream.name} broke")
            time.sleep(seconds_per_page)
            yield RecordPage(configured.stream.name, [{"id": f"{configured.stream.name}-{number}"}], 1)
    return read


def _order(messages) -> list:
    return [m.record.stream for m in messages if m.type == Type.RECORD]


@pytest.mark.real_sleep
def test_a_fast_api_is_read_one_stream_after_another() -> None:
    streams = [_configured(n) for n in ("users", "suppliers", "payments")]
    names = _order(parallel.read_in_parallel(streams, _pages(0.01)))
    assert names == ["users"] * 4 + ["suppliers"] * 4 + ["payments"] * 4


@pytest.mark.real_sleep
def test_a_slow_api_has_streams_in_flight_together(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "START_NEXT_AFTER", 0.02)  # the output's patience, shortened to keep this quick
    streams = [_configured(n) for n in ("users", "suppliers", "payments")]
    in_flight, peak, lock = [0], [0], threading.Lock()

    def read(configured):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            yield from _pages(0.05)(configured)
        finally:
            with lock:
                in_flight[0] -= 1

    names = _order(parallel.read_in_parallel(streams, read))
    assert sorted(names) == sorted(["users"] * 4 + ["suppliers"] * 4 + ["payments"] * 4)
    # Interleaved: suppliers has pages out before users has finished ...
    assert names.index("suppliers") < len(names) - 1 - names[::-1].index("users"), names
    # ... because more than one stream was being read at once.
    assert peak[0] >= 2


def test_a_failed_stream_does_not_stop_the_others_and_fails_the_read_at_the_end() -> None:
    streams = [_configured(n) for n in ("users", "suppliers")]
    reads = {"users": _pages(0.01, fail_after=1), "suppliers": _pages(0.01)}
    seen = []
    with pytest.raises(AirbyteTracedException) as raised:
        for message in parallel.read_in_parallel(streams, lambda c: reads[c.stream.name](c)):
            seen.append(message)
    assert _order(seen) == ["users", "suppliers", "suppliers", "suppliers", "suppliers"]
    assert "1 of 2 streams did not finish" in raised.value.message


def test_a_consumer_that_does_not_take_pages_gets_single_records() -> None:
    rows = [{"id": "1"}, {"id": "2"}, {"id": "3"}]
    read = lambda configured: iter([RecordPage("users", rows, 7)])  # noqa: E731
    out = list(parallel.read_in_parallel([_configured("users")], read, pages=False))
    assert [type(m) for m in out] == [AirbyteMessage] * 3
    assert [m.record.data for m in out] == rows
    assert all(isinstance(m.record, AirbyteRecordMessage) and m.record.emitted_at == 7 for m in out)


def test_forty_slow_streams_are_read_by_a_bounded_pool_not_a_thread_each(monkeypatch):
    monkeypatch.setattr(parallel, "START_NEXT_AFTER", 0.02)
    names = [f"s{i}" for i in range(40)]
    peak = [0]

    def read(configured):
        peak[0] = max(peak[0], sum(1 for t in threading.enumerate() if t.name.startswith("aroflo-worker")))
        threading.Event().wait(0.05)  # (not time.sleep, which the unit conftest records instead)
        yield RecordPage(configured.stream.name, [{"id": configured.stream.name}], 1)

    out = list(parallel.read_in_parallel([_configured(n) for n in names], read, workers=parallel.workers_for(3)))
    assert sorted(m.record.stream for m in out) == sorted(names)  # every stream read once
    assert 2 <= peak[0] <= parallel.workers_for(3) == 4


def test_the_pool_is_sized_to_the_request_rate():
    assert parallel.workers_for(1) == 2 and parallel.workers_for(3) == 4 and parallel.workers_for(100) == 4
    assert parallel.workers_for(None) == parallel.MAX_WORKERS


def test_a_sync_builds_each_stream_a_fixed_number_of_times_however_many_streams_it_reads():
    """The CDK asks a source for all of its streams once per stream it reads (40 streams: 1,600
    built); the sync builds its own, so what one stream costs does not grow with the catalog."""
    from collections import Counter

    import requests_mock
    from airbyte_cdk.test import entrypoint_wrapper

    from source_aroflo import stream as stream_module
    from source_aroflo.source import SourceAroflo
    from source_aroflo.zones import CHILDREN, ZONES
    from unit_tests.zone_builders import ZoneServer, catalog, zone_config

    def built_for(names):
        built = []
        original = stream_module.AroFloStream.__init__

        def counting(self, declaration, *args, **kwargs):
            built.append(declaration.name)
            original(self, declaration, *args, **kwargs)

        with requests_mock.Mocker() as m, pytest.MonkeyPatch.context() as patch:
            ZoneServer(m, data={})
            patch.setattr(stream_module.AroFloStream, "__init__", counting)
            output = entrypoint_wrapper.read(SourceAroflo(), zone_config(), catalog(names))
        assert not output.errors, output.get_formatted_error_message()
        return built

    every = [z.name for z in ZONES] + [c.name for c in CHILDREN]
    alone, together = built_for(["users"]), built_for(every)
    times = Counter(together)
    assert set(times) == set(every)
    assert set(times.values()) == {alone.count("users")}  # as often as when it is read alone
