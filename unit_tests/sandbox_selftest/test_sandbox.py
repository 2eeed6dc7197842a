"""Self tests for the AroFlo sandbox (integration_tests/sandbox): both dialects' behaviour."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from integration_tests.sandbox import (BEARER_TOKEN, ZONE_CREDENTIALS, Dataset, SandboxServer,
                                       compute_signature, verify_zone_request)
from integration_tests.sandbox.dataset import DEFAULT_NOW

ROOT = Path(__file__).resolve().parents[2]
VECTOR_AUTH = "uencoded=test-user&pencoded=test-pass&orgEncoded=test-org"
VECTOR_TIME = "2024-05-13T23:14:15.000Z"
VECTORS = [
    ("203.0.113.10",
     "zone=lastupdate&where=and%7Czonename%7C%3D%7Ctasks&order=lastupdateutc%7Casc&page=1",
     "92b116903c261939c95edf99be9dcc9d0875cadbcfe4ea39eb1610a23150eb66c978552e0a3b7f35e5321"
     "20cec474decf08056d906bafea9d0347eee1fdb7ec4"),
    (None,
     "zone=lastupdate&where=and%7Czonename%7C%3D%7Cquotes&where=and%7Clastupdateutc%7C%3E%7C"
     "2022%2F02%2F01&order=lastupdateutc%7Casc&page=2&pageSize=250",
     "44b846cb9789c4bdc867f360b81e9713dde09770e92f0dd14f8ade11048c3894a8a5d92afda10818d2d63"
     "dfca4ba79817d91c0837f61fcb7217676bf2619db98"),
]


# --------------------------------------------------------------- test client
def enc(v) -> str:
    return quote(str(v), safe="-_.!~*'()")


def sign_headers(var_string: str, creds=ZONE_CREDENTIALS, when: datetime | None = None,
                 host_ip: str | None = None) -> dict:
    """Independent signer (not the sandbox's) so the verifier is checked against it."""
    auth = (f"uencoded={enc(creds['u_encoded'])}&pencoded={enc(creds['p_encoded'])}"
            f"&orgEncoded={enc(creds['org_encoded'])}")
    when = when or datetime.now(timezone.utc)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    parts = ["GET"] + ([host_ip] if host_ip else []) + ["", "text/json", auth, stamp, var_string]
    sig = hmac.new(creds["secret_key"].encode(), "+".join(parts).encode(),
                   hashlib.sha512).hexdigest()
    h = {"Authentication": f"HMAC {sig}", "Authorization": auth, "Accept": "text/json",
         "afdatetimeutc": stamp}
    if host_ip:
        h["HostIP"] = host_ip
    return h


def zone_get(sess, server, pairs, **sign_kw):
    qs = "&".join(f"{k}={enc(v)}" for k, v in pairs)
    return sess.get(server.zone_base_url + "?" + qs, headers=sign_headers(qs, **sign_kw),
                    timeout=10)


def rest_get(sess, server, table, token=BEARER_TOKEN, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return sess.get(f"{server.rest_base_url}/{table}", params=params, headers=headers,
                    timeout=10)


EVERYTHING = ("where", "and|userid|!=|0")  # every user, whatever its dates


@pytest.fixture
def sess():
    with requests.Session() as s:
        yield s


@pytest.fixture
def server():
    with SandboxServer(Dataset()) as s:
        yield s


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


# ------------------------------------------------------------------ signing
@pytest.mark.parametrize("host_ip,var_string,expected", VECTORS)
def test_contract_signature_vectors(host_ip, var_string, expected):
    assert compute_signature("top-secret", "GET", "text/json", VECTOR_AUTH, VECTOR_TIME,
                             var_string, host_ip) == expected
    headers = {"Authentication": f"HMAC {expected}", "Authorization": VECTOR_AUTH,
               "Accept": "text/json", "afdatetimeutc": VECTOR_TIME}
    if host_ip:
        headers["HostIP"] = host_ip
    creds = {"u_encoded": "test-user", "p_encoded": "test-pass", "org_encoded": "test-org",
             "secret_key": "top-secret"}
    when = _ts("2024-05-13T23:14:15+00:00")
    assert verify_zone_request("GET", var_string, headers, creds, when).ok
    # The test's own signer agrees with the vector too.
    mine = sign_headers(var_string, creds, datetime(2024, 5, 13, 23, 14, 15, tzinfo=timezone.utc),
                        host_ip)
    assert mine["Authentication"] == f"HMAC {expected}"
    # One changed byte in the query string breaks it.
    bad = verify_zone_request("GET", var_string.replace("page=", "page=0"), headers, creds, when)
    assert bad.status == "-99999"


# ------------------------------------------------------------------ dataset
def test_dataset_is_deterministic_and_realistic():
    a, b = Dataset(seed=3), Dataset(seed=3)
    for t in ("users", "suppliers", "payments"):
        assert a.rest_records(t) == b.rest_records(t)
        assert a.zone_records(t) == b.zone_records(t)
        assert len(set(a.ids(t))) == a.count(t) and len(set(a.ids(t, "zone"))) == a.count(t)
    assert Dataset(seed=4).rest_records("users") != a.rest_records("users")
    users = a.rest_records("users")
    text = json.dumps(users + a.rest_records("suppliers"), ensure_ascii=False)
    assert any(ch in text for ch in ("Zoë", "Ngā", "李", "王"))
    stamps = [u["updated_at"] for u in users]
    assert any(s.endswith("Z") for s in stamps) and any("+10:00" in s for s in stamps)
    assert any("-05:00" in s for s in stamps)
    inst = [_ts(s) for s in stamps]
    assert inst == sorted(inst)
    assert max(inst.count(x) for x in inst) >= 3          # several records share one instant
    now = DEFAULT_NOW.timestamp()
    assert any(now - x > 365 * 86400 for x in inst) and any(now - x < 30 * 86400 for x in inst)
    assert any("phone" not in u for u in users) and any(u["territory"] is None for u in users)
    assert any(u["email"] == "" for u in users)
    assert all(isinstance(u["id"], str) for u in users)
    z = a.zone_records("users")[0]
    assert z["archived"] in ("false", "FALSE", "true", "TRUE")
    datetime.strptime(z["lastupdateddatetimeutc"], "%Y/%m/%d %H:%M:%S")
    p = a.zone_records("payments")[0]
    assert isinstance(p["amount"], str) and p["amount"].count(".") == 1
    assert len(p["amount"].split(".")[1]) == 4


def test_dataset_touch_add_and_scale():
    ds = Dataset()
    before = ds.rest_record("users", 5)
    uid = ds.ids("users")[5]
    ds.touch("users", [uid])
    after = ds.rest_record("users", 5)
    assert _ts(after["updated_at"]) > _ts(before["updated_at"])
    assert after != before and ds.rest_records("users")[-1]["id"] == uid
    zid = ds.ids("payments", "zone")[0]
    ds.touch("payments", [zid], at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc))
    assert ds.zone_record("payments", 0)["datepaid"] == "2026/11/25"
    new = ds.add("suppliers", 2)
    assert ds.count("suppliers") == 42 and ds.ids("suppliers")[-2:] == new
    big = Dataset(users=100_000, suppliers=100_000, payments=100_000)
    page = [big.rest_record("payments", i) for i in big.rest_order("payments")[:1000]]
    assert len(page) == 1000


# --------------------------------------------------------------------- REST
def test_rest_paging_order_and_auth(server, sess):
    ds = server.dataset
    got, page = [], 1
    while True:
        r = rest_get(sess, server, "users", per_page=7, page=page)
        assert r.status_code == 200
        data = r.json()["data"]
        got += data
        if len(data) < 7:
            break
        page += 1
    assert got == ds.rest_records("users")
    keys = [(_ts(u["updated_at"]), u["id"]) for u in got]
    assert keys == sorted(keys)
    assert rest_get(sess, server, "users", token=None).status_code == 401
    r = rest_get(sess, server, "users", token="nope")
    assert r.status_code == 401 and "error" in r.json()
    assert rest_get(sess, server, "users", token="sandbox-forbidden").status_code == 403
    for bad in ({"per_page": 0}, {"per_page": 1001}, {"per_page": "x"}, {"page": 0},
                {"modified_since": "yesterday"}, {"modified_since": "2025-01-01T00:00:00"}):
        r = rest_get(sess, server, "users", **bad)
        assert r.status_code == 400 and "error" in r.json(), bad
    assert rest_get(sess, server, "jobs").status_code == 404


def test_rest_modified_since_inclusive_with_offsets(server, sess):
    recs = server.dataset.rest_records("payments")
    pivot = recs[len(recs) // 2]["updated_at"]
    pivot_ts = _ts(pivot)
    as_plus10 = datetime.fromtimestamp(pivot_ts, timezone(timedelta(hours=10))).isoformat()
    expected = [r for r in recs if _ts(r["updated_at"]) >= pivot_ts]
    for since in (pivot, as_plus10,
                  datetime.fromtimestamp(pivot_ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")):
        r = rest_get(sess, server, "payments", per_page=1000, modified_since=since)
        assert r.json()["data"] == expected


# --------------------------------------------------------------------- zone
def test_zone_signed_request_and_auth_failures(server, sess):
    r = zone_get(sess, server, [("zone", "users"), EVERYTHING, ("page", 1)])
    body = r.json()
    assert r.status_code == 200 and body["status"] == "0" and body["statusmessage"] == "Login OK"
    zr = body["zoneresponse"]
    assert zr["currentpageresults"] == 60 == len(zr["users"]) and zr["pagenumber"] == "1"
    for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Daily-Limit",
              "X-RateLimit-Daily-Remaining"):
        assert h in r.headers
    # HostIP is part of the signature when sent.
    assert zone_get(sess, server, [("zone", "users"), EVERYTHING],
                    host_ip="203.0.113.10").json()["status"] == "0"
    qs = "zone=users&page=1"
    h = sign_headers(qs)
    h["Authentication"] = "HMAC " + "0" * 128
    assert sess.get(server.zone_base_url + "?" + qs, headers=h).json()["status"] == "-99999"
    h = sign_headers(qs)
    assert sess.get(server.zone_base_url + "?" + qs + "&x=1", headers=h).json()["status"] \
        == "-99999"
    old = datetime.now(timezone.utc) - timedelta(minutes=10)
    body = zone_get(sess, server, [("zone", "users")], when=old).json()
    assert body == {"status": "-99999", "statusmessage": "Payload has expired"}
    wrong = dict(ZONE_CREDENTIALS, p_encoded="wrong")
    assert zone_get(sess, server, [("zone", "users")], creds=wrong).json()["status"] == "1"
    h = sign_headers(qs)
    del h["afdatetimeutc"]
    assert sess.get(server.zone_base_url + "?" + qs, headers=h).json()["status"] == "-99999"
    h = sign_headers(qs)
    h["Accept"] = "application/json"          # signed text/json, sent something else
    assert sess.get(server.zone_base_url + "?" + qs, headers=h).json()["status"] == "-99999"


def test_zone_default_window_is_last_30_days(server, sess):
    # users' default WHERE (docs/api/users.md): AND Created_UTC > DATEADD(d, -30, GETUTCDATE())
    ds = server.dataset
    since = ds.now_ts - 30 * 86400
    expected = {ds.zone_id("users", i) for i in range(ds.count("users"))
                if ds.created["users"][i] > since}
    body = zone_get(sess, server, [("zone", "users")]).json()
    got = {u["userid"] for u in body["zoneresponse"]["users"]}
    assert got == expected and 0 < len(got) < ds.count("users")


def test_zone_where_order_paging(server, sess):
    ds = server.dataset
    pivot = "2026-01-01 00:00:00"
    pivot_ts = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    base = [("zone", "users"), ("where", f"and|lastupdateddatetimeutc|>|{pivot}"),
            ("order", "lastupdateddatetimeutc|asc")]
    rows, page = [], 1
    while True:
        zr = zone_get(sess, server, base + [("page", page), ("pageSize", 9)]).json()["zoneresponse"]
        rows += zr["users"]
        if zr["currentpageresults"] < 9:
            break
        page += 1
    stamps = [u["lastupdateddatetimeutc"] for u in rows]
    assert stamps == sorted(stamps)
    expected = sum(1 for i, x in enumerate(ds.updated["users"]) if x > pivot_ts and i not in ds.blank["users"])
    assert len(rows) == expected == len({u["userid"] for u in rows})
    # desc order, IN with '*', NOT IN, != and boolean filters
    zr = zone_get(sess, server, [("zone", "users"), EVERYTHING,
                                 ("order", "lastupdateddatetimeutc|desc")]).json()["zoneresponse"]
    stamps = [u["lastupdateddatetimeutc"] for u in zr["users"]]
    assert stamps == sorted(stamps, reverse=True)
    ids = ds.ids("users", "zone")[:3]
    zr = zone_get(sess, server, [("zone", "users"), ("where", "and|userid|IN|" + "*".join(ids))]
                  ).json()["zoneresponse"]
    assert [u["userid"] for u in zr["users"]] == ids
    zr = zone_get(sess, server, [("zone", "users"), ("where", "and|userid|NOT IN|"
                                                     + "*".join(ids))]).json()["zoneresponse"]
    assert len(zr["users"]) == 57
    zr = zone_get(sess, server, [("zone", "users"), ("where", "and|archived|=|false")]
                  ).json()["zoneresponse"]
    assert zr["users"] and all(u["archived"].lower() == "false" for u in zr["users"])
    # date field: datepaid > 2026-01-01 excludes 2026/01/01 itself
    zr = zone_get(sess, server, [("zone", "payments"), ("where", "and|datepaid|>|2026-01-01"),
                                 ("order", "datepaid|asc")]).json()["zoneresponse"]
    assert zr["payments"] and all(p["datepaid"] > "2026/01/01" for p in zr["payments"])
    # pageSize above 500 is capped; maxpageresults alternates string/number
    a = zone_get(sess, server, [("zone", "payments"), ("where", "and|datepaid|>|1990-01-01"),
                                ("pageSize", 900)]).json()["zoneresponse"]
    b = zone_get(sess, server, [("zone", "payments"), ("where", "and|datepaid|>|1990-01-01"),
                                ("pageSize", 900)]).json()["zoneresponse"]
    assert {type(a["maxpageresults"]), type(b["maxpageresults"])} == {str, int}
    assert int(a["maxpageresults"]) == 500
    bad = zone_get(sess, server, [("zone", "users"), ("where", "and|nosuch|=|1")]).json()
    assert bad["status"] not in ("0", "-99999")
    bad = zone_get(sess, server, [("zone", "users"),
                                  ("where", "and|lastupdateddatetimeutc|>|2026-01-01T00:00Z")]
                   ).json()
    assert bad["status"] != "0"


def test_zone_lastupdate_lists_touched_records(server, sess):
    ds = server.dataset
    ids = ds.ids("suppliers", "zone")[:2]
    ds.touch("suppliers", ids)
    mark = datetime.fromtimestamp(ds.now_ts - 1, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    zr = zone_get(sess, server, [("zone", "lastupdate"), ("where", "and|zonename|=|suppliers"),
                                 ("where", f"and|lastupdateutc|>|{mark}"),
                                 ("order", "lastupdateutc|asc")]).json()["zoneresponse"]
    assert sorted(r["zoneid"] for r in zr["lastupdate"]) == sorted(ids)
    assert set(zr["lastupdate"][0]) == {"zonename", "zoneid", "zoneidreference", "lastupdateutc"}
    assert zr["lastupdate"][0]["zoneidreference"] == "supplierid"


def test_zone_blank_dates_match_no_date_comparison_but_an_id_comparison(server, sess):
    ds = server.dataset
    blank = ds.zone_id("users", sorted(ds.blank["users"])[0])
    record = next(r for r in ds.zone_records("users") if r["userid"] == blank)
    assert record["lastupdateddatetimeutc"] == " " and record["lastupdatedutc"] == ""

    def ids(*wheres):
        zr = zone_get(sess, server, [("zone", "users"), *[("where", w) for w in wheres]]).json()["zoneresponse"]
        return {r["userid"] for r in zr["users"]}

    assert blank not in ids("and|lastupdateddatetimeutc|>|1900-01-01 00:00:00")
    assert blank not in ids("and|lastupdateddatetimeutc|<|2999-01-01 00:00:00")
    assert blank in ids("and|userid|!=|0") and len(ids("and|userid|!=|0")) == ds.count("users")


def test_every_documented_zone_answers_with_its_list_key_and_default_filter(server, sess):
    from integration_tests.sandbox import docs
    from integration_tests.sandbox.zone import id_where_field

    for name in docs.zone_names():
        facts = docs.zone(name)
        id_where = id_where_field(name) if name != "lastupdate" else None
        where = [("where", f"and|{id_where}|!=|0")] if id_where else []
        body = zone_get(sess, server, [("zone", name), *where, ("pageSize", 500)]).json()
        assert body.get("status", "0") == "0", (name, body)
        records = body["zoneresponse"][facts.list_key]
        if name != "lastupdate" and (id_where or not facts.default_column):
            assert len(records) == server.dataset.count(name), name
        if facts.default_column and id_where:  # no where: only the last 30 days
            windowed = zone_get(sess, server, [("zone", name)]).json()["zoneresponse"].get(facts.list_key, [])
            assert len(windowed) < len(records), name
    quotes = zone_get(sess, server, [("zone", "quotes"), ("where", "and|quoteid|!=|0")]).json()
    assert "status" not in quotes and "zoneresponse" in quotes  # as AroFlo's own examples


# --------------------------------------------------------------- rate limits
def test_rate_limits_zone_and_rest(sess):
    with SandboxServer(Dataset(), rate_limit_per_second=2) as s:
        bodies = [zone_get(sess, s, [("zone", "users"), EVERYTHING]) for _ in range(3)]
        assert [b.json()["status"] for b in bodies] == ["0", "0", "6"]
        assert bodies[2].headers["X-RateLimit-Remaining"] == "0"
        r = [rest_get(sess, s, "users") for _ in range(3)]
        assert r[0].status_code == 429 and int(r[0].headers["Retry-After"]) >= 1
        time.sleep(1.05)
        assert rest_get(sess, s, "users").status_code == 200
        st = s.stats()
        assert st["rejected_total"] >= 3 and st["max_requests_1s"] >= 3
    with SandboxServer(Dataset(), daily_limit=2) as s:
        st = [zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()["status"]
              for _ in range(3)]
        assert st == ["0", "0", "7"]
        r = zone_get(sess, s, [("zone", "lastupdate")])     # lastupdate has no daily limit
        assert r.json()["status"] == "0" and r.headers["X-RateLimit-Daily-Remaining"] == "0"


# -------------------------------------------------------------------- faults
SIMPLE_FAULTS = [
    ({"fault": "http_429", "retry_after": "2"}, 429),
    ({"fault": "http_500"}, 500), ({"fault": "http_502"}, 502), ({"fault": "http_503"}, 503),
    ({"fault": "http_status", "status": 403}, 403),
    ({"fault": "html_error"}, 502), ({"fault": "absurd_retry_after"}, 429),
]


@pytest.mark.parametrize("rule,status", SIMPLE_FAULTS)
def test_http_faults_fire_times_then_succeed(rule, status, sess):
    plan = [dict(rule, match={"path": "/v1/users", "page": 2}, times=2)]
    with SandboxServer(Dataset(), faults=plan) as s:
        assert rest_get(sess, s, "users", per_page=10, page=1).status_code == 200
        for _ in range(2):
            assert rest_get(sess, s, "users", per_page=10, page=2).status_code == status
        ok = rest_get(sess, s, "users", per_page=10, page=2)
        assert ok.status_code == 200 and len(ok.json()["data"]) == 10
        assert s.stats()["faults"][0]["fired"] == 2


def test_body_faults_and_retry_after_forms(sess):
    plan = [{"fault": "truncated_json", "match": {"zone": "users"}},
            {"fault": "non_json", "match": {"zone": "users"}},
            {"fault": "http_429", "retry_after": "http-date", "match": {"path": "/v1/payments"}},
            {"fault": "absurd_retry_after", "match": {"path": "/v1/payments"}},
            {"fault": "reset", "match": {"path": "/v1/suppliers"}},
            {"fault": "slow", "seconds": 0.3, "match": {"path": "/v1/suppliers"}}]
    with SandboxServer(Dataset(), faults=plan) as s:
        with pytest.raises(ValueError):
            zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()
        r = zone_get(sess, s, [("zone", "users"), EVERYTHING])
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
        assert zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()["status"] == "0"
        r = rest_get(sess, s, "payments")
        assert r.status_code == 429 and parsedate_to_datetime(r.headers["Retry-After"])
        r = rest_get(sess, s, "payments")
        assert r.status_code == 429 and r.headers["Retry-After"] == "99999"
        assert rest_get(sess, s, "payments").status_code == 200
        with pytest.raises(requests.ConnectionError):
            rest_get(sess, s, "suppliers")
        t0 = time.perf_counter()
        assert rest_get(sess, s, "suppliers").status_code == 200
        assert time.perf_counter() - t0 >= 0.3
        assert rest_get(sess, s, "suppliers").status_code == 200


def test_zone_status_faults(sess):
    plan = [{"fault": "zone_status", "code": 8, "max_page_size": 100, "times": -1,
             "match": {"zone": "payments"}},
            {"fault": "zone_status", "code": 888888, "match": {"zone": "users"}},
            {"fault": "zone_status", "code": 6, "match": {"zone": "suppliers"}}]
    where = ("where", "and|paymentid|!=|0")
    with SandboxServer(Dataset(), faults=plan) as s:
        for _ in range(2):
            b = zone_get(sess, s, [("zone", "payments"), where, ("pageSize", 500)]).json()
            assert b["status"] == "8" and "pageSize" in b["statusmessage"]
        b = zone_get(sess, s, [("zone", "payments"), where, ("pageSize", 100)]).json()
        assert b["status"] == "0" and b["zoneresponse"]["currentpageresults"] == 80
        assert zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()["status"] == "888888"
        assert zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()["status"] == "0"
        sw = ("where", "and|datetimeinserted|>|1990-01-01")
        assert zone_get(sess, s, [("zone", "suppliers"), sw]).json()["status"] == "6"
        assert zone_get(sess, s, [("zone", "suppliers"), sw]).json()["status"] == "0"


def test_data_faults(sess):
    plan = [{"fault": "repeat_previous_page", "match": {"path": "/v1/users", "page": 2}},
            {"fault": "missing_id", "index": 1, "match": {"zone": "users"}},
            {"fault": "mutate_during_read", "count": 3, "match": {"path": "/v1/payments"}}]
    with SandboxServer(Dataset(), faults=plan) as s:
        p1 = rest_get(sess, s, "users", per_page=10, page=1).json()["data"]
        assert rest_get(sess, s, "users", per_page=10, page=2).json()["data"] == p1
        assert rest_get(sess, s, "users", per_page=10, page=2).json()["data"] != p1
        rows = zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()["zoneresponse"]["users"]
        assert "userid" in rows[0] and "userid" not in rows[1]
        rows = zone_get(sess, s, [("zone", "users"), EVERYTHING]).json()["zoneresponse"]["users"]
        assert all("userid" in r for r in rows)
        first = rest_get(sess, s, "payments", per_page=5, page=1).json()["data"]
        moved = rest_get(sess, s, "payments", per_page=1000).json()["data"][-3:]
        assert {r["id"] for r in moved} == {r["id"] for r in first[:3]}


def test_fault_that_fails_auth_is_not_consumed(sess):
    plan = [{"fault": "missing_id", "match": {"path": "/v1/users"}}]
    with SandboxServer(Dataset(), faults=plan) as s:
        assert rest_get(sess, s, "users", token="bad").status_code == 401
        assert "id" not in rest_get(sess, s, "users").json()["data"][0]


# ---------------------------------------------------- control, latency, CLI
def test_http_control_endpoints_and_stats(server, sess):
    base = server.url + "/_sandbox"
    r = sess.post(base + "/touch", json={"table": "users", "count": 2}).json()
    assert len(r["touched"]) == 2
    assert [u["id"] for u in server.dataset.rest_records("users")[-2:]] == r["touched"]
    r = sess.post(base + "/faults", json=[{"fault": "http_503", "match": {"path": "/v1/users"}}])
    assert r.status_code == 200
    assert sess.post(base + "/faults", json=[{"fault": "nope"}]).status_code == 400
    assert rest_get(sess, server, "users").status_code == 503
    st = sess.get(base + "/stats").json()
    assert st["by_status"]["503"] == 1 and st["by_path"]["/v1/users"] == 1
    assert st["log"][-1]["target"].startswith("/v1/users")
    assert sess.post(base + "/reset", json={}).json()["ok"]
    assert sess.get(base + "/stats").json()["total"] == 0
    assert rest_get(sess, server, "users").status_code == 200


def test_latency_overlaps_across_threads():
    import concurrent.futures as cf
    with SandboxServer(Dataset(), latency_s=0.3) as s:
        def one(_):
            return requests.get(s.rest_base_url + "/users",
                                headers={"Authorization": f"Bearer {BEARER_TOKEN}"}).status_code
        with cf.ThreadPoolExecutor(4) as ex:
            assert list(ex.map(one, range(4))) == [200] * 4
        assert s.stats()["max_in_flight"] >= 2


def test_cli_subprocess(tmp_path):
    port_file = tmp_path / "port.json"
    proc = subprocess.Popen([sys.executable, "-m", "integration_tests.sandbox", "--port", "0",
                             "--users", "5", "--port-file", str(port_file), "--daily", "5",
                             "--secondary-daily", "7", "--deny", "bills", "--deny", "quotes=4",
                             "--feed-zones", "tasks,users", "--rate-limit-answer", "http_429"],
                            cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert json.loads(port_file.read_text()) == info
        r = requests.get(info["rest_base_url"] + "/users", params={"per_page": 100},
                         headers={"Authorization": f"Bearer {BEARER_TOKEN}"}, timeout=5)
        assert len(r.json()["data"]) == 5
        from types import SimpleNamespace
        with requests.Session() as sess:
            site = SimpleNamespace(zone_base_url=info["zone_base_url"])
            r = zone_get(sess, site, [("zone", "lastupdate"), ("where", "and|zonename|=|users")])
            assert r.json()["zoneresponse"]["lastupdate"]            # users are in this feed
            assert (r.headers["X-RateLimit-Daily-Limit"], r.headers["X-RateLimit-Secondary-Daily-Limit"]) \
                == ("5", "7")
            assert zone_get(sess, site, [("zone", "bills")]).json()["status"] == "3"
            assert zone_get(sess, site, [("zone", "quotes")]).json()["status"] == "4"
        proc.stdin.close()                     # closing a piped stdin stops the server
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_prerender_serves_identical_data(sess):
    with SandboxServer(Dataset(), prerender=True) as fast, SandboxServer(Dataset()) as slow:
        assert fast.warm(tables=("users",)) == 120
        for s_ in (fast, slow):
            s_.dataset.touch("users", s_.dataset.ids("users")[:2])
        for page in (1, 2, 3):
            a = rest_get(sess, fast, "users", per_page=25, page=page).json()
            assert a == rest_get(sess, slow, "users", per_page=25, page=page).json()
        q = [("zone", "users"), EVERYTHING, ("order", "lastupdateddatetimeutc|asc"),
             ("pageSize", 25)]
        for page in (1, 2, 3):
            a = zone_get(sess, fast, q + [("page", page)]).json()["zoneresponse"]
            b = zone_get(sess, slow, q + [("page", page)]).json()["zoneresponse"]
            assert a["users"] == b["users"] and a["currentpageresults"] == b["currentpageresults"]


def test_rest_envelope_alternate_and_control_extras(sess):
    with SandboxServer(Dataset(), rest_envelope="alternate") as s:
        assert "data" in rest_get(sess, s, "users", per_page=5, page=1).json()
        assert "users" in rest_get(sess, s, "users", per_page=5, page=2).json()
        ids = sess.get(s.url + "/_sandbox/ids", params={"table": "suppliers",
                                                         "dialect": "zone"}).json()["ids"]
        assert ids == s.dataset.ids("suppliers", "zone")
        added = sess.post(s.url + "/_sandbox/add", json={"table": "payments", "count": 2})
        assert s.dataset.count("payments") == 82 and len(added.json()["added"]) == 2
        sess.post(s.url + "/_sandbox/config", json={"rate_limit_per_second": 1})
        assert [rest_get(sess, s, "users").status_code for _ in range(2)] == [200, 429]
