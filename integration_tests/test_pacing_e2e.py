"""Pacing end to end: zone reads of many small pages against a sandbox that enforces AroFlo's
documented limits (3 requests a second, 120 a minute).

The sandbox counts requests as they arrive, in sliding windows, and rejects (status 6 / HTTP 429)
any over the limit, so this checks what AroFlo would see, not what the client believes it sent.
Rejections are never attempts: every stream waits them out together and the shared pacer halves
its pace (it comes back after a calm spell), so `retry_attempts: 0` cannot make one fail a sync —
the sandbox's own count of rejections is what proves the pacing.
"""

from __future__ import annotations


from integration_tests.fault_matrix import clock_env, early_state, state_count_problems, statuses
from integration_tests.harness import TABLES, configured_catalog, run_connector
from integration_tests.sandbox import ZONE_CREDENTIALS

PER_SECOND, PER_MINUTE = 3, 120


def _figures(server, run) -> str:
    stats = server.stats()
    span = (stats["last_arrival"] or 0) - (stats["first_arrival"] or 0)
    return (f"pacing: {stats['total']} requests in {span:.1f} s on the wire ({run.seconds:.1f} s wall), "
            f"max {stats['max_requests_1s']}/s, max {stats['max_requests_60s']}/min, rejected {stats['rejected_total']}")


def _assert_every_record_once(server, run, figures: str) -> None:
    for table in TABLES:
        ids = run.ids(table)
        assert len(ids) == len(set(ids)), f"{table}: duplicates; {figures}"
        assert set(ids) == set(server.dataset.ids(table, dialect="zone")), f"{table}; {figures}"
        assert statuses(run)[table][-1] == "COMPLETE", f"{table}: {statuses(run)[table]}"


def test_zone_read_stays_within_aroflo_rate_limits(sandbox):
    server = sandbox(users=90, suppliers=70, payments=90,
                     rate_limit_per_second=PER_SECOND, rate_limit_per_minute=PER_MINUTE)
    # Built by hand: requests_per_second / requests_per_minute are left out, so the connector's
    # defaults for the zone API apply (the harness's sandbox_config raises them for speed).
    config = {
        "credentials": {"auth_type": "hmac", **ZONE_CREDENTIALS},
        "base_url": server.zone_base_url,
        "max_records_per_page": 5,
        "retry_attempts": 0,
    }
    run = run_connector("read", config, configured_catalog("full_refresh", dialect="hmac"), timeout=240,
                        env=clock_env(server))
    stats = server.stats()
    requests, rejected = stats["total"], stats["rejected_total"]
    span = (stats["last_arrival"] or 0) - (stats["first_arrival"] or 0)
    figures = _figures(server, run)
    print(figures)

    assert run.returncode == 0 and not run.errors, f"{figures}; {run.errors} {run.stderr[-1500:]}"
    assert requests >= 40, figures
    assert stats["max_requests_1s"] <= PER_SECOND, figures
    assert stats["max_requests_60s"] <= PER_MINUTE, figures
    assert rejected == 0 and not stats["by_zone_status"].get("6"), f"{figures}; {stats['rejections']}"
    _assert_every_record_once(server, run, figures)
    # Paced, not merely slow by accident: at most 3 a second means at least (n - 3) / 3 seconds.
    assert span >= (requests - PER_SECOND) / PER_SECOND * 0.95, figures


def test_a_connector_set_faster_than_aroflo_allows_waits_out_rejections_at_half_the_pace(sandbox):
    """Another program on the same keys, or a pace set too high: AroFlo rejects (status 6). Every
    stream waits, the pace halves, and the incremental sync finishes with every record once,
    checkpointed page by page; with `retry_attempts: 0`, a rejection counted as an attempt would
    have failed the sync."""
    server = sandbox(users=30, suppliers=20, payments=30, zones=1, rate_limit_per_second=PER_SECOND,
                     rate_limit_per_minute=PER_MINUTE)
    config = {
        "credentials": {"auth_type": "hmac", **ZONE_CREDENTIALS},
        "base_url": server.zone_base_url,
        "max_records_per_page": 5,
        "start_date": "2000-01-01",
        "retry_attempts": 0,
        "requests_per_second": 2 * PER_SECOND,
        "requests_per_minute": 2 * PER_MINUTE,
    }
    # A later sync: users seek, suppliers come through the change feed one id a request,
    # payments read their date window; every request is paced by the one pacer.
    run = run_connector("read", config, configured_catalog("incremental", dialect="hmac"), timeout=240,
                        state=early_state("hmac"), env=clock_env(server))
    stats = server.stats()
    figures = _figures(server, run)
    print(figures)

    assert run.returncode == 0 and not run.errors, f"{figures}; {run.errors} {run.stderr[-1500:]}"
    assert stats["rejected_total"] >= 1, f"AroFlo never rejected: the test proves nothing; {figures}"
    # Each rejection halves the pace: a handful, not one per request sent too early.
    assert stats["rejected_total"] <= stats["total"] // 5, figures
    said = [log["message"] for log in run.logs if "rate limited by AroFlo (status 6" in log["message"]]
    assert said and any(f"slows to {PER_SECOND:g} requests a second" in m for m in said), said
    for table in TABLES:
        blank = server.dataset.blank.get(table, set())
        wanted = {ident for i, ident in enumerate(server.dataset.ids(table, "zone")) if i not in blank}
        ids = run.ids(table)
        assert len(ids) == len(set(ids)) and set(ids) == wanted, f"{table}; {figures}"
        assert not state_count_problems(run, table), table
