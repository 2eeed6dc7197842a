"""Fault plans: rules that make chosen requests fail in a chosen way, a bounded number of times.

A rule fires at most `times` times (default 1, -1 = always), after letting `skip`
matching requests through, so a retrying client always reaches the data unless
the test explicitly asks for a permanent fault.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULTS = {
    "http_429": "429 with Retry-After (`retry_after`: seconds string or 'http-date'; "
                "`retry_after_s` for the date offset)",
    "http_500": "HTTP 500", "http_502": "HTTP 502", "http_503": "HTTP 503",
    "http_status": "any HTTP error `status` (e.g. 403, 404) with a JSON error body",
    "reset": "close the connection without an answer (TCP RST)",
    "slow": "sleep `seconds` (default 2) then answer normally",
    "truncated_json": "HTTP 200, body cut in half",
    "html_error": "HTML error page with `status` (default 502; 200 also allowed)",
    "non_json": "HTTP 200 with a plain-text body",
    "zone_status": "zone body status `code` (6, 7, 8, 888888); with `max_page_size`, code 8 "
                   "only fires when pageSize is above it; a 6 or 7 counts against no daily budget",
    "repeat_previous_page": "page N answers with page N-1's records",
    "missing_id": "record `index` (default 0) of the page lacks its id",
    "mutate_during_read": "after building this page, touch `count` (default 3) records of the "
                          "table (`pick`: first|last, or explicit `ids`)",
    "absurd_retry_after": "429 with Retry-After: 99999",
}
# Faults that change a successful answer rather than replacing it.
DATA_FAULTS = {"repeat_previous_page", "missing_id", "truncated_json", "mutate_during_read"}
MATCH_KEYS = {"path", "zone", "table", "dialect", "page", "method", "query_contains"}


@dataclass
class RequestInfo:
    dialect: str          # "rest" | "zone"
    path: str             # "/v1/users" or "/"
    table: str | None     # rest resource or zone name
    page: int
    page_size: int | None
    method: str
    raw_query: str


@dataclass
class FaultRule:
    fault: str
    match: dict = field(default_factory=dict)
    times: int = 1
    skip: int = 0
    params: dict = field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    @classmethod
    def from_dict(cls, d: dict) -> "FaultRule":
        d = dict(d)
        fault = d.pop("fault", None)
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)}")
        match = d.pop("match", {}) or {}
        bad = set(match) - MATCH_KEYS
        if bad:
            raise ValueError(f"unknown match keys {sorted(bad)}; known: {sorted(MATCH_KEYS)}")
        times = int(d.pop("times", 1))
        skip = int(d.pop("skip", 0))
        return cls(fault, match, times, skip, d)

    def matches(self, req: RequestInfo) -> bool:
        m = self.match
        if "path" in m and m["path"].rstrip("/") != req.path.rstrip("/"):
            return False
        if "zone" in m and (req.dialect != "zone" or m["zone"] != req.table):
            return False
        if "table" in m and m["table"] != req.table:
            return False
        if "dialect" in m and m["dialect"] != req.dialect:
            return False
        if "page" in m and int(m["page"]) != req.page:
            return False
        if "method" in m and m["method"].upper() != req.method:
            return False
        if "query_contains" in m and m["query_contains"] not in req.raw_query:
            return False
        if self.fault == "zone_status" and "max_page_size" in self.params:
            if req.page_size is None or req.page_size <= int(self.params["max_page_size"]):
                return False
        if self.fault == "zone_status" and req.dialect != "zone":
            return False
        return True

    def exhausted(self) -> bool:
        return self.times >= 0 and self.fired >= self.times

    def as_dict(self) -> dict:
        return {"fault": self.fault, "match": self.match, "times": self.times, "skip": self.skip,
                **self.params, "seen": self.seen, "fired": self.fired}


class FaultPlan:
    """Ordered rules; the first live matching rule fires.  Thread-safe."""

    def __init__(self, rules=None):
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []
        self.set(rules or [])

    def set(self, rules) -> None:
        if isinstance(rules, dict):
            rules = rules.get("rules", [])
        parsed = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules]
        with self._lock:
            self.rules = parsed

    def add(self, rule: dict) -> None:
        parsed = FaultRule.from_dict(rule)
        with self._lock:
            self.rules.append(parsed)

    def pick(self, req: RequestInfo) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.exhausted() or not rule.matches(req):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                rule.fired += 1
                return rule
        return None

    def refund(self, rule: FaultRule) -> None:
        """A data fault whose request failed anyway does not use up a firing."""
        with self._lock:
            rule.fired -= 1

    def describe(self) -> list[dict]:
        with self._lock:
            return [r.as_dict() for r in self.rules]
