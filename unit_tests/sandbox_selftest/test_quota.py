"""Self tests for the sandbox's AroFlo limits: the two daily budgets, the shared per-second and
per-minute windows, the limit headers on every zone answer, denied zones and the feed's zones."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from integration_tests.sandbox import Dataset, SandboxServer, request_kind, single_id_field
from integration_tests.sandbox.dataset import FEED_TABLES, FEED_ZONES

from .test_sandbox import zone_get

SANDBOX = Path(__file__).resolve().parents[2] / "integration_tests" / "sandbox"
LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Daily-Limit",
                 "X-RateLimit-Daily-Remaining", "X-RateLimit-Secondary-Daily-Limit",
                 "X-RateLimit-Secondary-Daily-Remaining")
ALL_TASKS = ("where", "and|taskid|!=|0")


@pytest.fixture
def sess():
    with requests.Session() as s:
        yield s


def _status(r) -> str:
    return r.json().get("status")


def _task(server, n=0) -> str:
    return server.dataset.ids("tasks", "zone")[n]


def _headers(r) -> dict:
    return {h: r.headers[h] for h in LIMIT_HEADERS}


# ------------------------------------------------------------- which budget a request spends
def test_request_kind_recognises_single_id_queries():
    kind = lambda zone, *wheres: request_kind(zone, wheres, single_id_field)  # noqa: E731
    assert kind("tasks", "and|taskid|=|JCQ6XyRRUCAgCg==") == "secondary"
    assert kind("tasks", "AND | TaskID | = | x") == "secondary"      # as lenient as the parser
    assert kind("tasklabours", "and|labourlineid|=|x") == "secondary"  # the id *where* field
    assert kind("users", "and|userid|=|x") == "secondary"
    assert kind("tasks", "and|taskid|IN|a*b") == "daily"
    assert kind("tasks", "and|taskid|IN|a") == "daily"                # only `=` is single-id
    assert kind("tasks", "and|taskid|=|a*b") == "daily"
    assert kind("tasks", "or|taskid|=|a") == "daily"
    assert kind("tasks", "and|taskid|!=|a") == "daily"
    assert kind("tasks", "and|taskid|=|") == "daily"
    assert kind("tasks", "and|orgid|=|a") == "daily"                  # an id, not the record's
    assert kind("tasks", "and|taskid|=|a", "and|status|=|pending") == "daily"
    assert kind("tasks") == "daily"
    assert kind("nosuchzone", "and|taskid|=|a") == "daily"
    assert kind("lastupdate") == kind("lastupdate", "and|zoneid|=|a") == "free"
    assert single_id_field("tasks") == "taskid" and single_id_field("taskmaterials") == "materiallineid"


def test_single_id_is_secondary_in_is_daily_lastupdate_is_free(sess):
    with SandboxServer(Dataset(), daily_limit=2000, secondary_daily_limit=20000) as s:
        one, two = _task(s, 0), _task(s, 1)
        r = zone_get(sess, s, [("zone", "tasks"), ("where", f"and|taskid|=|{one}"),
                               ("join", "notes"), ("order", "taskid|asc"), ("page", 1),
                               ("pageSize", 10)])
        assert _status(r) == "0" and [t["taskid"] for t in r.json()["zoneresponse"]["tasks"]] == [one]
        assert _headers(r) == {
            "X-RateLimit-Limit": "999999", "X-RateLimit-Remaining": "999998",
            "X-RateLimit-Daily-Limit": "2000", "X-RateLimit-Daily-Remaining": "2000",
            "X-RateLimit-Secondary-Daily-Limit": "20000",
            "X-RateLimit-Secondary-Daily-Remaining": "19999"}
        r = zone_get(sess, s, [("zone", "tasks"), ("where", f"and|taskid|IN|{one}*{two}")])
        assert _status(r) == "0" and len(r.json()["zoneresponse"]["tasks"]) == 2
        assert r.headers["X-RateLimit-Daily-Remaining"] == "1999"
        assert r.headers["X-RateLimit-Secondary-Daily-Remaining"] == "19999"
        r = zone_get(sess, s, [("zone", "lastupdate"), ("where", "and|zonename|=|tasks")])
        assert _status(r) == "0"
        assert r.headers["X-RateLimit-Daily-Remaining"] == "1999"
        assert r.headers["X-RateLimit-Secondary-Daily-Remaining"] == "19999"
        zone_get(sess, s, [("zone", "tasks"), ("where", f"and|taskid|=|{two}")])
        st = s.stats()
        assert st["by_kind"] == {"daily": 1, "secondary": 2, "free": 1}
        assert st["by_zone_kind"] == {"tasks": {"daily": 1, "secondary": 2}, "lastupdate": {"free": 1}}
        assert (st["daily_used"], st["secondary_used"]) == (1, 2)
        assert st["quota_day"] == "2026-11-20"  # DEFAULT_NOW 12:00 UTC is 23:00 in Melbourne


def test_status_7_only_for_the_exhausted_budget(sess):
    with SandboxServer(Dataset(), daily_limit=2, secondary_daily_limit=3) as s:
        single = [("zone", "tasks"), ("where", f"and|taskid|=|{_task(s)}")]
        assert [_status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) for _ in range(3)] \
            == ["0", "0", "7"]
        r = zone_get(sess, s, [("zone", "users"), ("where", "and|userid|!=|0")])
        assert r.status_code == 200
        assert r.json() == {"status": "7", "statusmessage": "Exceeded Rate Limit - Daily"}
        assert r.headers["X-RateLimit-Daily-Remaining"] == "0"
        # The secondary budget still works, then runs out on its own.
        assert [_status(zone_get(sess, s, single)) for _ in range(4)] == ["0", "0", "0", "7"]
        r = zone_get(sess, s, single)
        assert r.json()["statusmessage"] == "Exceeded Rate Limit - Daily"
        assert r.headers["X-RateLimit-Secondary-Daily-Remaining"] == "0"
        # The change feed is in neither budget.
        r = zone_get(sess, s, [("zone", "lastupdate")])
        assert _status(r) == "0" and r.headers["X-RateLimit-Daily-Remaining"] == "0"
        st = s.stats()
        assert st["by_kind"] == {"daily": 2, "secondary": 3, "free": 1}
        assert (st["daily_used"], st["secondary_used"]) == (2, 3)
        assert st["rejections"] == {"daily": 2, "secondary": 2}
        assert st["by_zone_status"]["7"] == 4


def test_budgets_reset_at_melbourne_midnight_of_the_dataset_clock(sess):
    # 2026-11-20 12:00 UTC = 23:00 AEDT: an hour before Melbourne's midnight.
    with SandboxServer(Dataset(), daily_limit=1, secondary_daily_limit=1) as s:
        single = [("zone", "tasks"), ("where", f"and|taskid|=|{_task(s)}")]
        assert [_status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) for _ in range(2)] == ["0", "7"]
        assert [_status(zone_get(sess, s, single)) for _ in range(2)] == ["0", "7"]
        s.dataset.advance(3599)                           # 23:59:59 in Melbourne: same day
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "7"
        s.dataset.advance(1)                              # 00:00:00: a new quota day
        r = zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])
        assert _status(r) == "0" and r.headers["X-RateLimit-Daily-Remaining"] == "0"
        assert r.headers["X-RateLimit-Secondary-Daily-Remaining"] == "1"
        assert _status(zone_get(sess, s, single)) == "0"
        st = s.stats()
        assert st["quota_day"] == "2026-11-21" and (st["daily_used"], st["secondary_used"]) == (1, 1)
        # UTC midnight is not the reset (11:00 in Melbourne); 12:59:59 UTC is 23:59:59 there.
        s.dataset.advance(11 * 3600)
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "7"
        s.dataset.advance(13 * 3600 - 1)
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "7"
        s.dataset.advance(1)
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "0"
        # reset_daily() starts the counters again at once.
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "7"
        s.reset_daily()
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "0"
        assert sess.post(s.url + "/_sandbox/reset_daily", json={}).json()["ok"]
        assert s.stats()["daily_used"] == 0


def test_melbourne_midnight_in_standard_time():
    with SandboxServer(Dataset(now=datetime(2026, 6, 30, 13, 59, 59, tzinfo=timezone.utc))) as s:
        assert s.stats()["quota_day"] == "2026-06-30"     # 23:59:59 AEST (+10)
        s.dataset.advance(1)
        assert s.stats()["quota_day"] == "2026-07-01"


def test_spend_uses_up_the_shared_budget(sess):
    with SandboxServer(Dataset(), daily_limit=2000, secondary_daily_limit=20000) as s:
        assert s.spend(daily=1998) == {"daily_used": 1998, "secondary_used": 0}
        r = zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])
        assert _status(r) == "0" and r.headers["X-RateLimit-Daily-Remaining"] == "1"
        out = sess.post(s.url + "/_sandbox/spend", json={"daily": 1, "secondary": 19999}).json()
        assert out == {"ok": True, "daily_used": 2000, "secondary_used": 19999}
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "7"
        single = [("zone", "tasks"), ("where", f"and|taskid|=|{_task(s)}")]
        assert [_status(zone_get(sess, s, single)) for _ in range(2)] == ["0", "7"]
        st = s.stats()
        assert (st["daily_used"], st["secondary_used"]) == (2000, 20000)
        assert st["by_kind"] == {"daily": 1, "secondary": 1, "free": 0}  # ours only
        # A configured limit below what is spent is used up at once; configure keeps the counts.
        s.configure(daily_limit=5000)
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "0"
        assert s.stats()["daily_used"] == 2001


def test_daily_budget_is_exact_under_concurrency():
    with SandboxServer(Dataset(), daily_limit=40) as s:
        results = []

        def worker():
            with requests.Session() as sess:
                for _ in range(20):
                    results.append(_status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results.count("0") == 40 and results.count("7") == 40
        assert s.stats()["daily_used"] == 40


# ---------------------------------------------------------------- per-second / per-minute
def test_two_clients_share_a_3_per_second_limit():
    with SandboxServer(Dataset(), rate_limit_per_second=3) as s:
        accepted, rejected, lock = [], [], threading.Lock()
        end = time.monotonic() + 2.5

        def hammer():
            with requests.Session() as sess:  # one connection per client
                while time.monotonic() < end:
                    t0 = time.monotonic()
                    r = zone_get(sess, s, [("zone", "lastupdate"), ("pageSize", 1)])
                    t1 = time.monotonic()
                    with lock:
                        (accepted if _status(r) == "0" else rejected).append((t0, t1, r))

        threads = [threading.Thread(target=hammer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert rejected and all(_status(r) == "6" for *_, r in rejected)
        assert {r.json()["statusmessage"] for *_, r in rejected} == {
            "Exceeded Rate Limit - Requests per Second"}
        assert all(set(LIMIT_HEADERS) <= set(r.headers) for *_, r in rejected)
        assert all(r.headers["X-RateLimit-Remaining"] == "0" for *_, r in rejected)
        # Each request was admitted between its send and its answer: 4 admitted requests in one
        # window would show as 4 accepted whose [first send, last answer] spans under 1 s.
        accepted.sort(key=lambda x: x[0])
        for i in range(len(accepted) - 3):
            group = accepted[i:i + 4]
            assert max(e for _, e, _ in group) - min(b for b, _, _ in group) >= 1.0, i
        assert 6 <= len(accepted) <= 9                    # ~3 a second for 2.5 s
        st = s.stats()
        assert st["max_admitted_1s"] == 3 and st["rejections"]["second"] == len(rejected)


def test_rate_limit_answered_as_http_429_when_asked(sess):
    with SandboxServer(Dataset(), rate_limit_per_second=1, rate_limit_answer="http_429") as s:
        rs = [zone_get(sess, s, [("zone", "tasks"), ALL_TASKS]) for _ in range(2)]
        assert [r.status_code for r in rs] == [200, 429]
        assert rs[1].json() == {"status": "429", "statusmessage": "Too Many Requests Per Second (max x1)"}
        assert set(LIMIT_HEADERS) <= set(rs[1].headers)
        assert s.stats()["by_kind"]["daily"] == 1 and s.stats()["daily_used"] == 1
        # Daily limits are still status 7 in an HTTP 200.
        s.configure(daily_limit=0, rate_limit_per_second=None)
        r = zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])
        assert r.status_code == 200 and _status(r) == "7"
    with SandboxServer(Dataset(), rate_limit_per_minute=1) as s:
        rs = [zone_get(sess, s, [("zone", "lastupdate")]) for _ in range(2)]
        assert rs[1].json() == {"status": "6", "statusmessage": "Exceeded Rate Limit - Requests per Minute"}
        assert rs[1].headers["X-RateLimit-Limit"] == "1" and rs[1].headers["X-RateLimit-Remaining"] == "0"


# ------------------------------------------------------- headers on every zone answer
def test_limit_headers_on_every_zone_answer(sess):
    plan = [{"fault": "http_503", "match": {"zone": "suppliers"}},
            {"fault": "zone_status", "code": 8, "match": {"zone": "payments"}}]
    with SandboxServer(Dataset(), rate_limit_per_second=50, rate_limit_per_minute=120,
                       daily_limit=2000, secondary_daily_limit=20000, faults=plan) as s:
        answers = {
            "ok": zone_get(sess, s, [("zone", "tasks"), ALL_TASKS]),
            "lastupdate": zone_get(sess, s, [("zone", "lastupdate")]),
            "bad where": zone_get(sess, s, [("zone", "tasks"), ("where", "and|nosuch|=|1")]),
            "bad zone": zone_get(sess, s, [("zone", "nosuch")]),
            "injected 503": zone_get(sess, s, [("zone", "suppliers")]),
            "status 8": zone_get(sess, s, [("zone", "payments")]),
            "bad signature": sess.get(s.zone_base_url + "?zone=users",
                                      headers={"Authentication": "HMAC 00", "Accept": "text/json"}),
        }
        for what, r in answers.items():
            assert set(LIMIT_HEADERS) <= set(r.headers), what
            assert r.headers["X-RateLimit-Limit"] == "120", what
        assert answers["injected 503"].status_code == 503
        assert _status(answers["status 8"]) == "8" and _status(answers["bad where"]) == "5"
        assert _status(answers["bad signature"]) == "-99999"
        # After: ok, bad where, bad zone, 503, status 8 are daily; the auth failure is not counted.
        assert answers["status 8"].headers["X-RateLimit-Daily-Remaining"] == "1995"
        assert answers["bad signature"].headers["X-RateLimit-Daily-Remaining"] == "1995"
        assert answers["bad signature"].headers["X-RateLimit-Remaining"] == str(120 - 6)
        assert s.stats()["by_kind"] == {"daily": 5, "secondary": 0, "free": 1}


def test_auth_failures_and_injected_limit_answers_count_against_nothing(sess):
    plan = [{"fault": "zone_status", "code": 7, "match": {"zone": "quotes"}},
            {"fault": "zone_status", "code": 6, "match": {"zone": "quotes"}}]
    with SandboxServer(Dataset(), rate_limit_per_second=2, daily_limit=10, faults=plan) as s:
        from integration_tests.sandbox import ZONE_CREDENTIALS
        wrong = dict(ZONE_CREDENTIALS, p_encoded="wrong")
        for _ in range(4):                                   # over the 2/s limit: still status 1
            r = zone_get(sess, s, [("zone", "tasks"), ALL_TASKS], creds=wrong)
            assert _status(r) == "1" and r.headers["X-RateLimit-Daily-Remaining"] == "10"
        a = zone_get(sess, s, [("zone", "quotes"), ("where", "and|quoteid|!=|0")])
        b = zone_get(sess, s, [("zone", "quotes"), ("where", "and|quoteid|!=|0")])
        assert (_status(a), _status(b)) == ("7", "6")
        assert a.json()["statusmessage"] == "Exceeded Rate Limit - Daily"
        assert b.headers["X-RateLimit-Daily-Remaining"] == "10"
        st = s.stats()
        assert st["daily_used"] == 0 and st["by_kind"] == {"daily": 0, "secondary": 0, "free": 0}
        assert st["rejected_total"] == 0                      # the limiter refused nothing


# ------------------------------------------------------------------------ denied zones
def test_denied_zone_answers_permission_denied_and_counts_nothing(sess):
    with SandboxServer(Dataset(), daily_limit=100, denied_zones={"bills": "3"}) as s:
        for _ in range(2):
            r = zone_get(sess, s, [("zone", "bills"), ("where", "and|billid|!=|0")])
            assert r.status_code == 200
            assert r.json() == {"status": "3", "statusmessage": "Login Failed - Permission Denied"}
            assert set(LIMIT_HEADERS) <= set(r.headers)
            assert r.headers["X-RateLimit-Daily-Remaining"] == "100"
        assert _status(zone_get(sess, s, [("zone", "invoices"), ("where", "and|invoiceid|!=|0")])) == "0"
        st = s.stats()
        assert st["daily_used"] == 1 and st["by_zone_kind"] == {"invoices": {"daily": 1}}
        assert st["by_zone_status"] == {"3": 2, "0": 1}
        sess.post(s.url + "/_sandbox/config", json={"denied_zones": {"invoices": "4"}})
        assert _status(zone_get(sess, s, [("zone", "invoices"), ("where", "and|invoiceid|!=|0")])) == "4"
        assert _status(zone_get(sess, s, [("zone", "bills"), ("where", "and|billid|!=|0")])) == "0"
        s.configure(denied_zones=["tasks"])                  # a list: AroFlo's status 3
        assert _status(zone_get(sess, s, [("zone", "tasks"), ALL_TASKS])) == "3"


# ------------------------------------------------------------------------- the feed's zones
def _feed_zones(sess, s) -> set:
    body = zone_get(sess, s, [("zone", "lastupdate"), ("where", "and|lastupdateutc|>|1990-01-01"),
                              ("pageSize", 500)]).json()
    rows, page = body["zoneresponse"]["lastupdate"], 1
    while body["zoneresponse"]["currentpageresults"] == 500:
        page += 1
        body = zone_get(sess, s, [("zone", "lastupdate"), ("where", "and|lastupdateutc|>|1990-01-01"),
                                  ("pageSize", 500), ("page", page)]).json()
        rows += body["zoneresponse"]["lastupdate"]
    return {(r["zonename"], r["zoneidreference"]) for r in rows}


def test_feed_lists_the_documented_zones_or_the_configured_ones(sess):
    documented = {"tasks", "purchaseorders", "invoices", "clients", "suppliers", "locations",
                  "tasklabours", "taskmaterials", "taskexpenses", "quotes"}
    assert set(FEED_ZONES) == documented and set(FEED_TABLES) == documented
    with SandboxServer(Dataset(zones=3, users=5, suppliers=5)) as s:
        got = _feed_zones(sess, s)
        assert {z for z, _ in got} == documented
        assert ("tasklabours", "labourlineid") in got and ("suppliers", "supplierid") in got
        s.configure(feed_zones=FEED_ZONES + ("users",))
        assert ("users", "userid") in _feed_zones(sess, s)
        s.configure(feed_zones=None)
        assert {z for z, _ in _feed_zones(sess, s)} == documented
    with SandboxServer(Dataset(zones=3, users=5, suppliers=5), feed_zones=["users", "quotes"]) as s:
        assert {z for z, _ in _feed_zones(sess, s)} == {"users", "quotes"}
        s.reset(dataset=True)
        assert {z for z, _ in _feed_zones(sess, s)} == {"users", "quotes"}
    with SandboxServer(Dataset(zones=3, users=5, feed_zones=("tasks", "users"))) as s:
        assert {z for z, _ in _feed_zones(sess, s)} == {"tasks", "users"}


def test_the_quota_and_feed_code_does_not_import_the_connector():
    for name in ("server.py", "ratelimit.py", "stats.py", "faults.py", "zone.py", "__main__.py",
                 "__init__.py"):
        text = (SANDBOX / name).read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+source_aroflo", text, re.M), name
    assert "source_aroflo.declaration import FEED_ZONES" not in (SANDBOX / "dataset.py").read_text()


# --------------------------------------------------------------------- not the zone API
def test_wrong_path_is_a_plain_404_not_an_aroflo_envelope(sess):
    with SandboxServer(Dataset(), daily_limit=5) as s:
        r = sess.get(s.url + "/wrong/?zone=users", timeout=5)
        assert r.status_code == 404 and r.json() == {"error": "Not found: /wrong/"}
        assert "X-RateLimit-Daily-Remaining" not in r.headers
        assert s.stats()["daily_used"] == 0
