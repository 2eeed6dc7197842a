"""`make demo`: the connector end to end against the local sandbox, no credentials needed.

For each dialect (bearer = the seed's REST API, hmac = AroFlo's signed zone API) it runs
`python main.py` exactly as Airbyte would: spec -> check -> discover -> full refresh read ->
(some records change in the sandbox) -> incremental read from the saved state, and prints a
short table per step. The sandbox enforces AroFlo's documented zone limits (3 requests a
second, 120 a minute, 2,000 a day); the connector runs with its own defaults (pacing included).
The data is deterministic and rebuilt for each dialect.

    python -m integration_tests.demo [--users 250 --suppliers 120 --payments 400]
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Iterable, Sequence

from integration_tests.harness import TABLES, Run, configured_catalog, run_connector
from integration_tests.sandbox import BEARER_TOKEN, ZONE_CREDENTIALS, Dataset, SandboxServer

DIALECTS = {"bearer": ("REST API, bearer token", "rest"), "hmac": ("AroFlo zone API, HMAC-signed", "zone")}
TOUCH = {"bearer": {"users": 3, "suppliers": 2, "payments": 2}, "hmac": {"users": 3, "suppliers": 2, "payments": 2}}


class StepFailed(Exception):
    pass


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], indent: str = "    ") -> str:
    rows = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def config_for(server: SandboxServer, dialect: str) -> dict:
    """The connector's own defaults (pacing included): only credentials and the sandbox URL."""
    if dialect == "bearer":
        return {"credentials": {"auth_type": "bearer", "api_key": BEARER_TOKEN}, "base_url": server.rest_base_url}
    return {"credentials": {"auth_type": "hmac", **ZONE_CREDENTIALS}, "base_url": server.zone_base_url}


def wire(server: SandboxServer) -> str:
    s = server.stats()
    return (f"{s['total']} requests, max {s['max_requests_1s']}/s, "
            f"{s['rejected_total']} rejected by the rate limit")


def _ensure(ok: bool, what: str, run: Run | None = None) -> None:
    if not ok:
        detail = ""
        if run is not None:
            detail = "; ".join(e.get("message", "") for e in run.errors) or run.stderr.strip()[-800:]
        raise StepFailed(f"{what}{': ' + detail if detail else ''}")


def step(title: str, seconds: float) -> None:
    print(f"\n  {title}  ({seconds:.1f} s)")


def state_rows(run: Run) -> list:
    rows = []
    for name in TABLES:
        state = run.stream_state(name)
        if state and any(not k.startswith("__ab") for k in state):
            rows.append([name, ", ".join(f"{k} = {v}" for k, v in state.items())])
        elif name in {r["stream"] for r in run.records}:
            rows.append([name, "(none: full refresh only)"])
    return rows


def demo_dialect(server: SandboxServer, dialect: str) -> None:
    title, id_dialect = DIALECTS[dialect]
    # Same deterministic records for each dialect; AroFlo's documented limits on the zone API
    # only (the seed's REST API documents none).
    server.reset(dataset=True)
    limits = (3, 120, 2000) if dialect == "hmac" else (None, None, None)
    server.configure(rate_limit_per_second=limits[0], rate_limit_per_minute=limits[1], daily_limit=limits[2])
    print(f"\n=== {dialect}: {title}; sandbox limits: "
          + (f"{limits[0]}/s, {limits[1]}/min, {limits[2]}/day ===" if limits[0] else "none ==="))
    config = config_for(server, dialect)
    data = server.dataset

    run = run_connector("spec")
    spec = (run.of_type("SPEC") or [{}])[0].get("spec", {}).get("connectionSpecification", {})
    _ensure(run.returncode == 0 and bool(spec), "spec", run)
    variants = spec["properties"]["credentials"]["oneOf"]
    step("spec", run.seconds)
    print(table(["credentials", "secret fields (airbyte_secret)"], [
        [v["properties"]["auth_type"]["const"],
         ", ".join(k for k, p in v["properties"].items() if p.get("airbyte_secret"))] for v in variants]))
    print(f"    {len(spec['properties'])} settings in all")

    server.reset()
    run = run_connector("check", config)
    status = run.connection_status() or {}
    step("check", run.seconds)
    print(table(["status", "message", "on the wire"], [[status.get("status", "none"), status.get("message", ""), wire(server)]]))
    _ensure(status.get("status") == "SUCCEEDED", "check did not succeed", run)

    run = run_connector("discover", config)
    catalog = run.catalog() or {"streams": []}
    step("discover", run.seconds)
    print(table(["stream", "sync modes", "cursor", "primary key", "columns"], [
        [s["name"], " + ".join(s["supported_sync_modes"]), ".".join(s.get("default_cursor_field") or []) or "-",
         ".".join(s["source_defined_primary_key"][0]), len(s["json_schema"]["properties"])] for s in catalog["streams"]]))
    _ensure(run.returncode == 0 and len(catalog["streams"]) == 3, "discover", run)

    server.reset()
    first = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect))
    step("full refresh read", first.seconds)
    rows, ok = [], first.returncode == 0 and not first.errors
    for name in TABLES:
        ids = first.ids(name)
        expected = set(data.ids(name, id_dialect))
        same = set(ids) == expected and len(ids) == len(expected)
        ok &= same
        rows.append([name, len(ids), len(expected), "yes" if same else "NO"])
    print(table(["stream", "records", "in sandbox", "exact match"], rows))
    print(f"    on the wire: {wire(server)}")
    print(table(["stream", "saved state"], state_rows(first)))
    _ensure(ok, "full refresh did not return exactly the sandbox's records", first)

    started = time.monotonic()
    touched = {}
    for name, count in TOUCH[dialect].items():
        order = data.rest_order(name)  # oldest change first: pick old and recent records
        picks = [data.rest_id(name, order[i * (len(order) - 1) // max(count - 1, 1)]) for i in range(count)]
        rest_ids = data.touch(name, ids=picks)
        touched[name] = [data.ids(name, id_dialect)[data.index_of(name, r)] for r in rest_ids]
    step("change records in the sandbox", time.monotonic() - started)
    print(table(["stream", "changed", "ids"], [[n, len(ids), ", ".join(ids)] for n, ids in touched.items()]))

    server.reset()
    second = run_connector("read", config, configured_catalog("incremental", dialect=dialect),
                           state=first.final_state())
    step("incremental read from the saved state", second.seconds)
    rows, ok = [], second.returncode == 0 and not second.errors
    for name in TABLES:
        ids = set(second.ids(name))
        if name in touched:
            found = len(set(touched[name]) & ids)
            ok &= found == len(touched[name])
            if first.stream_state(name):
                rows.append([name, "incremental", len(ids), f"{found}/{len(touched[name])}", len(ids - set(touched[name]))])
            else:  # zone suppliers: a full refresh saves no cursor, so this is a first incremental sync
                ok &= ids == set(data.ids(name, id_dialect))
                rows.append([name, "incremental, first sync (all)", len(ids), f"{found}/{len(touched[name])}", "-"])
        else:
            rows.append([name, "full refresh", len(ids), "-", "-"])
    print(table(["stream", "mode", "records", "changed found", "others (cursor boundary)"], rows))
    print(f"    on the wire: {wire(server)}")
    print(table(["stream", "new state"], state_rows(second)))
    _ensure(ok, "the incremental read missed changed records", second)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=250)
    parser.add_argument("--suppliers", type=int, default=120)
    parser.add_argument("--payments", type=int, default=400)
    parser.add_argument("--dialect", choices=sorted(DIALECTS), action="append",
                        help="only this dialect (repeatable); default: both")
    args = parser.parse_args(argv)

    started = time.monotonic()
    server = SandboxServer(Dataset(users=args.users, suppliers=args.suppliers, payments=args.payments)).start()
    print(f"source-aroflo demo: local AroFlo sandbox at {server.url} "
          f"({args.users} users, {args.suppliers} suppliers, {args.payments} payments)")
    code = 0
    try:
        for dialect in args.dialect or ["bearer", "hmac"]:
            demo_dialect(server, dialect)
    except StepFailed as failure:
        print(f"\nFAILED: {failure}")
        code = 1
    except KeyboardInterrupt:
        print("\ninterrupted")
        code = 130
    finally:
        server.stop()
    if code == 0:
        print(f"\nall steps passed in {time.monotonic() - started:.1f} s; sandbox stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
