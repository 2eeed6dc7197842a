"""CLI: run the sandbox in its own process for demos and subprocess-driven tests.

Prints one JSON line with the URLs, then serves until SIGTERM/SIGINT, or until
stdin closes when stdin is a pipe (so a parent that dies takes the sandbox with it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import stat
import sys
import threading
from datetime import datetime, timezone

from .dataset import DEFAULT_NOW, Dataset
from .server import SandboxServer


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m integration_tests.sandbox")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--users", type=int, default=60)
    ap.add_argument("--suppliers", type=int, default=40)
    ap.add_argument("--payments", type=int, default=80)
    ap.add_argument("--zones", type=int, default=12, help="records in each of the other zones")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--now", default=None,
                    help="dataset clock, ISO-8601 (default %s; 'wall' = current time)"
                         % DEFAULT_NOW.isoformat())
    ap.add_argument("--latency", type=float, default=0.0, help="seconds slept per request")
    ap.add_argument("--rps", type=int, default=None, help="rate limit per second")
    ap.add_argument("--rpm", type=int, default=None, help="rate limit per minute")
    ap.add_argument("--daily", type=int, default=None, help="daily request limit (AroFlo: 2000)")
    ap.add_argument("--secondary-daily", type=int, default=None,
                    help="daily limit of single-id queries (AroFlo: 20000)")
    ap.add_argument("--rate-limit-answer", choices=("status_6", "http_429"), default="status_6",
                    help="how a per-second/minute rejection is answered")
    ap.add_argument("--deny", action="append", default=[], metavar="ZONE[=CODE]",
                    help="a zone the API user may not read (status CODE, default 3); repeatable")
    ap.add_argument("--feed-zones", default=None, metavar="Z1,Z2,...",
                    help="zones the lastupdate feed lists (default: AroFlo's documented ones)")
    ap.add_argument("--faults", default=None, help="JSON file: list of fault rules")
    ap.add_argument("--prerender", action="store_true", help="cache encoded page bodies")
    ap.add_argument("--port-file", default=None, help="also write the URL JSON here")
    ap.add_argument("--no-stdin-watch", action="store_true",
                    help="do not exit when a piped stdin closes")
    args = ap.parse_args(argv)

    now = None
    if args.now == "wall":
        now = datetime.now(timezone.utc).replace(microsecond=0)
    elif args.now:
        now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    faults = None
    if args.faults:
        with open(args.faults, encoding="utf-8") as fh:
            faults = json.load(fh)
    ds = Dataset(users=args.users, suppliers=args.suppliers, payments=args.payments, zones=args.zones,
                 seed=args.seed, now=now)
    denied = dict((d.partition("=")[0], d.partition("=")[2] or "3") for d in args.deny)
    feed = [z for z in args.feed_zones.split(",") if z.strip()] if args.feed_zones else None
    server = SandboxServer(ds, latency_s=args.latency, rate_limit_per_second=args.rps,
                           rate_limit_per_minute=args.rpm, daily_limit=args.daily,
                           secondary_daily_limit=args.secondary_daily,
                           rate_limit_answer=args.rate_limit_answer, denied_zones=denied,
                           feed_zones=feed, faults=faults, prerender=args.prerender,
                           host=args.host, port=args.port).start()
    line = json.dumps(server.urls())
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(line + "\n")
        os.replace(tmp, args.port_file)  # readers never see a half-written file
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if not args.no_stdin_watch and _stdin_is_pipe():
        threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
    while not stop.wait(0.5):
        pass
    server.stop()
    return 0


def _stdin_is_pipe() -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _watch_stdin(stop: threading.Event) -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    stop.set()


if __name__ == "__main__":
    sys.exit(main())
