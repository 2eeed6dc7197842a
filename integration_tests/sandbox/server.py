"""The sandbox HTTP server: both AroFlo dialects, rate limits, quotas, latency, faults, stats.

Standard library only (orjson when available) so many instances are cheap to run.
Zone request pipeline: arrival (stats) -> auth -> denied zone -> rate limits and daily budgets
-> latency -> fault -> answer; auth failures and denied zones count against nothing (they are
answered after the latency, with the limit headers as they stand). REST: arrival -> rate
limits -> latency -> fault -> auth -> answer (the REST API documents no daily limit).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from .dataset import TABLES, Dataset
from .faults import DATA_FAULTS, FaultPlan, FaultRule, RequestInfo
from .ratelimit import DAILY, RateLimiter, quota_day, request_kind
from .rest import RestError, check_bearer, parse_rest_query, rest_page, rest_page_indices
from .signing import BEARER_TOKEN, DEFAULT_MAX_SKEW_S, ZONE_CREDENTIALS, verify_zone_request
from .stats import Stats
from .zone import LIST_KEYS, ZoneEngine, ZoneError, id_where_field, parse_zone_query, record_id_field

# AroFlo's own examples of these zones carry `zoneresponse` without `status`.
NO_ENVELOPE = frozenset({"quotes", "quotelineitems"})

try:
    import orjson

    def dumps(obj) -> bytes:
        return orjson.dumps(obj)

    def loads(data):
        return orjson.loads(data)
except ImportError:  # pragma: no cover - orjson is optional
    import json

    def dumps(obj) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def loads(data):
        return json.loads(data)

JSON_TYPE = "application/json; charset=utf-8"
# AroFlo's own status messages (docs/api/README.md, "Status Codes").
ZONE_STATUS_MESSAGES = {
    "6": "Exceeded Rate Limit - Requests per Minute",
    "7": "Exceeded Rate Limit - Daily",
    "8": "Response exceeds the maximum size of 3.5MB. Request a smaller pageSize.",
    "888888": "Query exceeded the maximum execution time of 60 seconds. Narrow your query.",
}
RATE_LIMIT_MESSAGES = {"second": "Exceeded Rate Limit - Requests per Second",
                       "minute": "Exceeded Rate Limit - Requests per Minute"}
DENIED_MESSAGE = "Login Failed - Permission Denied"
RATE_LIMIT_ANSWERS = ("status_6", "http_429")


def single_id_field(zone: str):
    """The where field a single-id query of `zone` filters on (`and|<it>|=|<id>`).

    The one place the quota rules learn a zone's id field: today from the zone engine,
    later perhaps from a fixture of AroFlo's docs.
    """
    return id_where_field(zone)


_HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
              b"<h1>Bad Gateway</h1><p>The upstream server returned an invalid response."
              b"</p><hr><address>nginx</address></body></html>")


class _Answer:
    """What the handler sends: status, body bytes, headers; `reset` = drop the connection."""
    __slots__ = ("status", "body", "headers", "zone_status", "reset", "ok")

    def __init__(self, status=200, body=b"", headers=None, zone_status=None, reset=False,
                 ok=False):
        self.status, self.body, self.headers = status, body, dict(headers or {})
        self.zone_status, self.reset, self.ok = zone_status, reset, ok


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        pass  # client disconnects are expected (resets, timeouts)


class SandboxServer:
    """Local AroFlo API.  `with SandboxServer(Dataset()) as s: requests.get(s.rest_base_url...)`."""

    def __init__(self, dataset: Dataset | None = None, *, latency_s: float = 0.0,
                 rate_limit_per_second: int | None = None,
                 rate_limit_per_minute: int | None = None, daily_limit: int | None = None,
                 secondary_daily_limit: int | None = None, rate_limit_answer: str = "status_6",
                 denied_zones=None, feed_zones=None,
                 faults=None, bearer_token: str = BEARER_TOKEN,
                 zone_credentials: dict | None = None, prerender: bool = False,
                 host: str = "127.0.0.1", port: int = 0, max_skew_s: float = DEFAULT_MAX_SKEW_S,
                 rest_envelope: str = "data", log_size: int = 500):
        self.dataset = dataset if dataset is not None else Dataset()
        self.latency_s = latency_s
        self.bearer_token = bearer_token
        self.zone_credentials = dict(zone_credentials or ZONE_CREDENTIALS)
        self.prerender = prerender
        self.max_skew_s = max_skew_s
        self.rest_envelope = rest_envelope  # "data" | "resource" | "alternate"
        self.limiter = RateLimiter(rate_limit_per_second, rate_limit_per_minute, daily_limit,
                                   secondary_daily_limit)
        self.rate_limit_answer = _rate_limit_answer(rate_limit_answer)
        self.denied_zones = _denied(denied_zones)
        self.feed_zones = tuple(feed_zones) if feed_zones is not None else None
        self.faults = FaultPlan(faults)
        self.stats_obj = Stats(log_size)
        self.zone = ZoneEngine(self.dataset, feed_zones=self.feed_zones)
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._toggle = 0
        self._toggle_lock = threading.Lock()
        self._cache: dict = {}
        self._rec_cache: dict = {}
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "SandboxServer":
        httpd = _HTTPServer((self._host, self._port), _Handler)
        httpd.sandbox = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="aroflo-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "SandboxServer":
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def rest_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def zone_base_url(self) -> str:
        return self.url + "/"

    def urls(self) -> dict:
        return {"url": self.url, "rest_base_url": self.rest_base_url,
                "zone_base_url": self.zone_base_url}

    # -------------------------------------------------------------- control
    def stats(self, log: int | None = None) -> dict:
        snap = self.stats_obj.snapshot(log)
        snap["faults"] = self.faults.describe()
        snap.update(self.limiter.usage(self._quota_day()))
        return snap

    def set_faults(self, rules) -> None:
        self.faults.set(rules)

    CONFIG_KEYS = ("latency_s", "rate_limit_per_second", "rate_limit_per_minute", "daily_limit",
                   "secondary_daily_limit", "rate_limit_answer", "denied_zones", "feed_zones")

    def configure(self, **kw) -> None:
        """Change settings at run time (also POST /_sandbox/config); see CONFIG_KEYS.

        A changed per-second/minute limit starts its windows afresh; today's daily counters are
        kept. `feed_zones=None` restores the documented feed."""
        unknown = set(kw) - set(self.CONFIG_KEYS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {list(self.CONFIG_KEYS)}")
        if "rate_limit_answer" in kw:
            self.rate_limit_answer = _rate_limit_answer(kw["rate_limit_answer"])
        if "latency_s" in kw:
            self.latency_s = float(kw["latency_s"] or 0)
        limits = {name: kw[key] for name, key in (
            ("per_second", "rate_limit_per_second"), ("per_minute", "rate_limit_per_minute"),
            ("daily", "daily_limit"), ("secondary_daily", "secondary_daily_limit")) if key in kw}
        if limits:
            self.limiter.configure(**limits)
        if "denied_zones" in kw:
            self.denied_zones = _denied(kw["denied_zones"])
        if "feed_zones" in kw:
            feed = kw["feed_zones"]
            self.feed_zones = tuple(feed) if feed is not None else None
            self.zone = ZoneEngine(self.dataset, feed_zones=self.feed_zones)
            with self._cache_lock:
                self._cache.clear()

    def reset(self, dataset: bool = False) -> None:
        """Clear stats, rate-limit windows, daily counters, faults and caches (optionally
        rebuild the data). Settings (limits, denied zones, feed zones) are kept."""
        self.stats_obj.reset()
        self.limiter.reset()
        self.faults.set([])
        with self._cache_lock:
            self._cache.clear()
            self._rec_cache.clear()
        if dataset:
            p = self.dataset.params
            self.dataset = Dataset(**p)
            self.zone = ZoneEngine(self.dataset, feed_zones=self.feed_zones)

    def reset_daily(self) -> None:
        """Start today's daily counters at zero (what 00:00 Australia/Melbourne does)."""
        self.limiter.reset_daily()

    def spend(self, daily: int = 0, secondary: int = 0) -> dict:
        """Use up daily budget as other integrations on the same API keys would have today."""
        used = self.limiter.spend(daily, secondary, self._quota_day())
        return {"daily_used": used["daily"], "secondary_used": used["secondary"]}

    def _quota_day(self):
        """The quota day: the Melbourne date of the dataset's logical clock."""
        return quota_day(self.dataset.now_ts)

    def warm(self, tables=TABLES, dialects=("rest", "zone")) -> int:
        """Pre-encode every record (prerender=True) so benchmarks time the client, not us."""
        n = 0
        with self.dataset.lock:
            for table in tables:
                for dialect in dialects:
                    if dialect == "rest" and table in self.dataset.generic:
                        continue  # the REST API has only the seed's three tables
                    for i in range(self.dataset.count(table)):
                        self._record_bytes(dialect, table, i)
                        n += 1
        return n

    # ------------------------------------------------------------ rendering
    def _record_bytes(self, dialect: str, table: str, idx: int) -> bytes:
        """Encoded record, cached per revision (prerender mode only)."""
        ds = self.dataset
        rev = ds.revision(table, idx)
        key = (dialect, table, idx)
        hit = self._rec_cache.get(key)
        if hit is not None and hit[0] == rev:
            return hit[1]
        rec = ds.rest_record(table, idx) if dialect == "rest" else ds.zone_record(table, idx)
        body = dumps(rec)
        self._rec_cache[key] = (rev, body)
        return body

    def _cached(self, key, build):
        if not self.prerender:
            return build()
        with self._cache_lock:
            body = self._cache.get(key)
        if body is None:
            body = build()
            with self._cache_lock:
                if len(self._cache) > 20_000:
                    self._cache.clear()
                self._cache[key] = body
        return body

    def _rest_body(self, q, page: int, rule: FaultRule | None) -> bytes:
        envelope = self.rest_envelope
        if envelope == "alternate":
            envelope = "data" if page % 2 else "resource"
        name = "data" if envelope == "data" else q.table
        ds = self.dataset

        def build():
            with ds.lock:
                idxs = rest_page_indices(ds, q, page)
                if self.prerender:
                    parts = b",".join(self._record_bytes("rest", q.table, i) for i in idxs)
                    return b'{"' + name.encode() + b'":[' + parts + b"]}"
                return dumps({name: [ds.rest_record(q.table, i) for i in idxs]})

        if rule is not None and rule.fault == "missing_id":
            records = rest_page(ds, q, page)
            _drop_id(records, "id", rule)
            return dumps({name: records})
        return self._cached(("rest", q, page, name, ds.version), build)

    def _zone_body(self, q, page: int, rule: FaultRule | None) -> bytes:
        if self.prerender:
            as_string = page % 2 == 1  # deterministic so cached bodies stay valid
        else:
            with self._toggle_lock:
                self._toggle ^= 1
                as_string = bool(self._toggle)
        ds = self.dataset

        def build(mutate=None):
            t0 = time.perf_counter()
            with ds.lock:
                keys = self.zone.page_keys(q, page)
                fast = self.prerender and mutate is None and q.zone != "lastupdate"
                if fast:
                    recs = b"[" + b",".join(self._record_bytes("zone", q.zone, k)
                                            for k in keys) + b"]"
                else:
                    records = [self.zone.render(q.zone, k) for k in keys]
                    if mutate:
                        mutate(records)
            ms = max(1, int((time.perf_counter() - t0) * 1000))
            key = LIST_KEYS.get(q.zone, q.zone)  # inventory -> items, tasklabours -> labours...
            envelope = {} if q.zone in NO_ENVELOPE else {"status": "0", "statusmessage": "Login OK"}
            body = dumps({**envelope, "zoneresponse": {
                key: None if fast else records,
                "maxpageresults": str(q.page_size) if as_string else q.page_size,
                "pagenumber": str(page), "currentpageresults": len(keys),
                "generatedisplayresponsetime": ms + 2, "queryresponsetimes": {q.zone: ms}}})
            if fast:  # splice the pre-encoded records into the envelope
                slot = b'"' + key.encode() + b'":null'
                body = body.replace(slot, b'"' + key.encode() + b'":' + recs, 1)
            return body

        if rule is not None and rule.fault == "missing_id":
            id_field = record_id_field(q.zone) or "zoneid"
            return build(lambda recs: _drop_id(recs, id_field, rule))
        return self._cached(("zone", q, page, as_string, ds.version,
                             ds.now_ts if not q.wheres else None), build)

    # ------------------------------------------------------------- handling
    def handle(self, method: str, target: str, headers, arrival: float) -> _Answer:
        path, _, raw_query = target.partition("?")
        params = parse_qsl(raw_query, keep_blank_values=True)
        if path in ("/", ""):
            dialect = "zone"
            table = next((v.strip().lower() for k, v in params if k.lower() == "zone"), None)
            page = next((v for k, v in params if k.lower() == "page"), "1")
            size = next((v for k, v in params if k.lower() == "pagesize"), "500")
        elif path.startswith("/v1/"):
            dialect = "rest"
            table = path[4:].strip("/")
            page = next((v for k, v in params if k == "page"), "1")
            size = next((v for k, v in params if k == "per_page"), "100")
        else:
            return _Answer(404, dumps({"error": f"Not found: {path}"}),
                           {"Content-Type": JSON_TYPE})
        info = RequestInfo(dialect, path, table, _safe_int(page, 1), _safe_int(size, None),
                           method, raw_query)
        day = self._quota_day()
        budget = None  # the REST API documents no daily limit
        if dialect == "zone":
            wheres = [v for k, v in params if k.lower() == "where"]
            budget = request_kind(table, wheres, single_id_field) if method == "GET" else DAILY
            refused = self._refuse_zone(method, raw_query, headers, table, day)
            if refused is not None:
                return refused

        decision = self.limiter.acquire(budget, day, now=arrival)
        limit_headers = decision.headers()
        if not decision.ok:
            self.stats_obj.rejected(decision.kind)
            if dialect == "zone":
                if decision.kind in ("second", "minute"):
                    return self._zone_rate_limited(decision.kind, limit_headers)
                return self._zone_status("7", limit_headers)
            retry = str(max(1, int(decision.retry_after + 0.999)))
            return _Answer(429, dumps({"error": f"Rate limit exceeded (per {decision.kind})"}),
                           {"Content-Type": JSON_TYPE, "Retry-After": retry, **limit_headers})

        answer = self._admitted(method, table, dialect, info, params, raw_query, headers,
                                limit_headers)
        if dialect == "zone":
            if answer.zone_status in ("6", "7"):  # an injected limit answer counts against nothing
                self.limiter.refund(budget, day)
                answer.headers.update(self.limiter.peek(day).headers())
            else:
                self.stats_obj.spent(table, budget)
        return answer

    def _refuse_zone(self, method, raw_query, headers, table, day) -> _Answer | None:
        """Auth failures and zones the API user may not read: answered (after the latency)
        without counting against any limit, with the limit headers as they stand."""
        auth = verify_zone_request(method, raw_query, headers, self.zone_credentials,
                                   time.time(), self.max_skew_s)
        if auth.ok and table not in self.denied_zones:
            return None
        if self.latency_s:
            time.sleep(self.latency_s)
        code, message = ((auth.status, auth.message) if not auth.ok
                         else (self.denied_zones[table], DENIED_MESSAGE))
        body = dumps({"status": code, "statusmessage": message})
        return _Answer(200, body, {"Content-Type": JSON_TYPE, **self.limiter.peek(day).headers()},
                       zone_status=code)

    def _zone_rate_limited(self, kind: str, headers: dict) -> _Answer:
        limit = self.limiter.per_second if kind == "second" else self.limiter.per_minute
        if self.rate_limit_answer == "http_429":
            per = "Second" if kind == "second" else "Minute"
            body = dumps({"status": "429",
                          "statusmessage": f"Too Many Requests Per {per} (max x{limit})"})
            return _Answer(429, body, {"Content-Type": JSON_TYPE, **headers}, zone_status="429")
        body = dumps({"status": "6", "statusmessage": RATE_LIMIT_MESSAGES[kind]})
        return _Answer(200, body, {"Content-Type": JSON_TYPE, **headers}, zone_status="6")

    def _admitted(self, method, table, dialect, info, params, raw_query, headers,
                  limit_headers) -> _Answer:
        if self.latency_s:
            time.sleep(self.latency_s)

        rule = self.faults.pick(info)
        if rule is not None:
            self.stats_obj.fault(rule.fault)
            early = self._early_fault(rule, dialect, limit_headers)
            if early is not None:
                if dialect == "zone":
                    early.headers.update(limit_headers)
                return early

        if dialect == "zone":
            answer = self._handle_zone(method, params, rule)
            answer.headers.update(limit_headers)
        else:
            answer = self._handle_rest(method, table, params, headers, rule)
        if rule is not None and rule.fault in DATA_FAULTS:
            if not answer.ok:
                self.faults.refund(rule)
            else:
                self._late_fault(rule, info, answer)
        return answer

    def _early_fault(self, rule: FaultRule, dialect: str, limit_headers: dict):
        f, p = rule.fault, rule.params
        err = {"Content-Type": JSON_TYPE}
        if f == "http_429":
            ra = str(p.get("retry_after", "1"))
            if ra == "http-date":
                ra = formatdate(time.time() + float(p.get("retry_after_s", 2)), usegmt=True)
            return _Answer(429, dumps({"error": "Too Many Requests"}), {**err, "Retry-After": ra})
        if f == "absurd_retry_after":
            return _Answer(429, dumps({"error": "Too Many Requests"}),
                           {**err, "Retry-After": str(p.get("retry_after", 99999))})
        if f in ("http_500", "http_502", "http_503", "http_status"):
            status = int(p.get("status", 500)) if f == "http_status" else int(f[5:])
            return _Answer(status, dumps({"error": f"Sandbox injected HTTP {status}"}), err)
        if f == "reset":
            return _Answer(reset=True)
        if f == "slow":
            time.sleep(float(p.get("seconds", 2)))
            return None
        if f == "html_error":
            return _Answer(int(p.get("status", 502)), _HTML_PAGE,
                           {"Content-Type": "text/html; charset=utf-8"})
        if f == "non_json":
            return _Answer(200, b"Service temporarily unavailable. Please try again later.\n",
                           {"Content-Type": "text/plain; charset=utf-8"})
        if f == "zone_status":
            return self._zone_status(str(p.get("code", 6)), limit_headers)
        return None

    def _late_fault(self, rule: FaultRule, info: RequestInfo, answer: _Answer) -> None:
        if rule.fault == "truncated_json":
            answer.body = answer.body[: len(answer.body) // 2]
        elif rule.fault == "mutate_during_read":
            table = info.table if (info.table in TABLES or info.table in self.dataset.generic) else None
            if table:
                p = rule.params
                if p.get("ids"):
                    self.dataset.touch(table, p["ids"])
                else:
                    n = int(p.get("count", 3))
                    if p.get("pick") == "last":
                        ids = [self.dataset.rest_id(table, i)
                               for i in self.dataset.rest_order(table)[-n:]]
                        self.dataset.touch(table, ids)
                    else:
                        self.dataset.touch(table, count=n)

    def _zone_status(self, code: str, headers: dict) -> _Answer:
        body = dumps({"status": code, "statusmessage": ZONE_STATUS_MESSAGES.get(
            code, f"Error {code}")})
        return _Answer(200, body, {"Content-Type": JSON_TYPE, **headers}, zone_status=code)

    def _handle_zone(self, method, params, rule) -> _Answer:
        """A zone request that passed auth and the limits (the signature was checked first)."""
        if method != "GET":
            body = dumps({"status": "5", "statusmessage": f"Invalid method {method}"})
            return _Answer(200, body, {"Content-Type": JSON_TYPE}, zone_status="5")
        try:
            q = parse_zone_query(params)
            page = q.page
            if rule is not None and rule.fault == "repeat_previous_page":
                page = max(1, page - 1)
            body = self._zone_body(q, page, rule)
        except ZoneError as e:
            body = dumps({"status": e.status, "statusmessage": e.message})
            return _Answer(200, body, {"Content-Type": JSON_TYPE}, zone_status=e.status)
        return _Answer(200, body, {"Content-Type": JSON_TYPE}, zone_status="0", ok=True)

    def _handle_rest(self, method, table, params, headers, rule) -> _Answer:
        err = {"Content-Type": JSON_TYPE}
        try:
            check_bearer(headers.get("Authorization"), self.bearer_token)
            if method != "GET":
                raise RestError(405, f"Method {method} not allowed")
            q = parse_rest_query(table, params)
            page = q.page
            if rule is not None and rule.fault == "repeat_previous_page":
                page = max(1, page - 1)
            body = self._rest_body(q, page, rule)
        except RestError as e:
            return _Answer(e.status, dumps({"error": e.message}), err)
        return _Answer(200, body, err, ok=True)

    def control(self, method: str, target: str, body: bytes) -> _Answer:
        """`/_sandbox/*` endpoints, so subprocess demos can drive the sandbox over HTTP."""
        path, _, raw_query = target.partition("?")
        q = dict(parse_qsl(raw_query))
        action = path[len("/_sandbox/"):].strip("/")
        try:
            data = loads(body) if body else {}
            if action == "stats" and method == "GET":
                out = self.stats(int(q["log"]) if "log" in q else None)
            elif action == "health":
                out = {"ok": True, **self.urls()}
            elif action == "faults" and method == "GET":
                out = {"rules": self.faults.describe()}
            elif action == "faults" and method == "POST":
                self.set_faults(data)
                out = {"ok": True, "rules": self.faults.describe()}
            elif action == "touch" and method == "POST":
                from datetime import datetime
                at = datetime.fromisoformat(data["at"]) if data.get("at") else None
                touched = self.dataset.touch(data["table"], data.get("ids"), at=at,
                                             count=data.get("count"))
                out = {"touched": touched, "now": self.dataset.now.isoformat()}
            elif action == "add" and method == "POST":
                out = {"added": self.dataset.add(data["table"], int(data.get("count", 1)))}
            elif action == "ids" and method == "GET":
                out = {"ids": self.dataset.ids(q["table"], q.get("dialect", "rest"))}
            elif action == "config" and method == "POST":
                self.configure(**data)
                out = {"ok": True}
            elif action == "spend" and method == "POST":
                out = {"ok": True, **self.spend(int(data.get("daily", 0)),
                                                int(data.get("secondary", 0)))}
            elif action == "reset_daily" and method == "POST":
                self.reset_daily()
                out = {"ok": True}
            elif action == "reset" and method == "POST":
                self.reset(dataset=bool(data.get("dataset")))
                out = {"ok": True}
            else:
                return _Answer(404, dumps({"error": f"unknown control {method} {path}"}),
                               {"Content-Type": JSON_TYPE})
        except (ValueError, KeyError, TypeError) as e:
            return _Answer(400, dumps({"error": f"{type(e).__name__}: {e}"}),
                           {"Content-Type": JSON_TYPE})
        return _Answer(200, dumps(out), {"Content-Type": JSON_TYPE})


def _rate_limit_answer(value: str) -> str:
    if value not in RATE_LIMIT_ANSWERS:
        raise ValueError(f"rate_limit_answer must be one of {RATE_LIMIT_ANSWERS}, not {value!r}")
    return value


def _denied(zones) -> dict:
    """{zone: status code}; a list of zones gets AroFlo's permission status "3"."""
    if not zones:
        return {}
    if isinstance(zones, dict):
        return {str(z).strip().lower(): str(code) for z, code in zones.items()}
    return {str(z).strip().lower(): "3" for z in zones}


def _safe_int(raw, default):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def _drop_id(records: list[dict], field: str, rule: FaultRule) -> None:
    if records:
        idx = min(int(rule.params.get("index", 0)), len(records) - 1)
        records[idx] = {k: v for k, v in records[idx].items() if k != field}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AroFloSandbox/1.0"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _dispatch(self) -> None:
        sb: SandboxServer = self.server.sandbox
        arrival = time.time()
        method, target = self.command, self.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if target.startswith("/_sandbox/"):
            self._send(sb.control(method, target, body))
            return
        hdrs = dict(self.headers.items())
        path = target.partition("?")[0]
        key = path
        if path in ("/", ""):
            zone = next((v for k, v in parse_qsl(target.partition("?")[2]) if k == "zone"), "?")
            key = f"zone:{zone}"
        sb.stats_obj.arrival(arrival, method, target, hdrs, key)
        answer = None
        try:
            answer = sb.handle(method, target, self.headers, arrival)
        except Exception as e:  # a sandbox bug must still produce an answer
            answer = _Answer(500, dumps({"error": f"sandbox error: {type(e).__name__}: {e}"}),
                             {"Content-Type": JSON_TYPE})
        finally:
            sb.stats_obj.done(None if answer is None or answer.reset else answer.status,
                              answer.zone_status if answer else None)
        self._send(answer)

    def _send(self, a: _Answer) -> None:
        if a.reset:
            self._reset()
            return
        self.send_response(a.status)
        for k, v in a.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(a.body)))
        # Headers and body in one write: avoids Nagle/delayed-ACK stalls on keep-alive.
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(a.body)
        self.flush_headers()

    def _reset(self) -> None:
        """Abort with RST: SO_LINGER(on, 0) then close, so the client sees a reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
        except OSError:
            pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, OSError, ValueError):
            self.close_connection = True
