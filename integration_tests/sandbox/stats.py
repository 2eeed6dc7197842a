"""Thread-safe request statistics, so tests can assert how a connector behaved on the wire.

`by_kind` / `by_zone_kind` count the zone requests the limits admitted, by the budget they
spent (daily | secondary | free); auth failures, denied zones and status 6/7 answers are not in
them. Today's budget counters (`daily_used`, `secondary_used`, with what `spend` added) come
from the server's limiter, not from here.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque

KINDS = ("daily", "secondary", "free")


class Stats:
    def __init__(self, log_size: int = 500):
        self._lock = threading.Lock()
        self.log_size = log_size
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_path: Counter = Counter()
            self.by_status: Counter = Counter()
            self.by_zone_status: Counter = Counter()
            self.rejections: Counter = Counter()
            self.faults: Counter = Counter()
            self.by_kind: Counter = Counter({k: 0 for k in KINDS})
            self.by_zone_kind: dict = defaultdict(Counter)
            self.max_1s = self.max_60s = 0
            self.in_flight = self.max_in_flight = 0
            self.first_arrival = self.last_arrival = None
            self._latest = float("-inf")
            self._w1: deque = deque()
            self._w60: deque = deque()
            self.log: deque = deque(maxlen=self.log_size)

    def arrival(self, t: float, method: str, target: str, headers: dict, key: str) -> None:
        with self._lock:
            self.total += 1
            self.by_path[key] += 1
            self.first_arrival = self.first_arrival or t
            self.last_arrival = t
            # Max count over all windows is reached by a window ending at an arrival. Threads
            # can reach this lock out of arrival order (by microseconds): the windows take the
            # latest time seen so far, so they stay ordered.
            w = self._latest = max(t, self._latest)
            for q, span in ((self._w1, 1.0), (self._w60, 60.0)):
                q.append(w)
                while q[0] <= w - span:
                    q.popleft()
            self.max_1s = max(self.max_1s, len(self._w1))
            self.max_60s = max(self.max_60s, len(self._w60))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.log.append({"t": t, "method": method, "target": target, "headers": headers})

    def done(self, http_status: int | None, zone_status: str | None = None) -> None:
        with self._lock:
            self.in_flight -= 1
            self.by_status[str(http_status) if http_status else "reset"] += 1
            if zone_status is not None:
                self.by_zone_status[zone_status] += 1

    def rejected(self, kind: str) -> None:
        with self._lock:
            self.rejections[kind] += 1

    def spent(self, zone: str | None, kind: str | None) -> None:
        """A zone request the limits admitted, and the budget it spent."""
        if kind is None:
            return
        with self._lock:
            self.by_kind[kind] += 1
            self.by_zone_kind[zone or "?"][kind] += 1

    def fault(self, name: str) -> None:
        with self._lock:
            self.faults[name] += 1

    def snapshot(self, log: int | None = None) -> dict:
        with self._lock:
            entries = list(self.log)
            if log is not None:
                entries = entries[-log:] if log else []
            return {
                "total": self.total, "by_path": dict(self.by_path),
                "by_status": dict(self.by_status), "by_zone_status": dict(self.by_zone_status),
                "rejections": dict(self.rejections),
                "rejected_total": sum(self.rejections.values()),
                "faults_fired": dict(self.faults),
                "by_kind": dict(self.by_kind),
                "by_zone_kind": {z: dict(c) for z, c in self.by_zone_kind.items()},
                "max_requests_1s": self.max_1s, "max_requests_60s": self.max_60s,
                "max_in_flight": self.max_in_flight, "in_flight": self.in_flight,
                "first_arrival": self.first_arrival, "last_arrival": self.last_arrival,
                "log": entries,
            }
