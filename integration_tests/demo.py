"""`make demo`: the connector end to end against the local sandbox, no credentials needed.

For each dialect (bearer = the seed's REST API, hmac = AroFlo's signed zone API) it runs
`python main.py` exactly as Airbyte would: spec -> check -> discover -> full refresh read ->
first sync of every stream -> (some records change in every incremental stream) ->
incremental sync from the saved state, and prints a short table per step. The sandbox enforces AroFlo's documented zone limits (3 requests a
second, 120 a minute, 2,000 a day); the connector runs with its own defaults (pacing included).
The data is deterministic and rebuilt for each dialect.

    python -m integration_tests.demo [--users 250 --suppliers 120 --payments 400]
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Iterable, Sequence

from integration_tests.harness import STREAMS, Run, catalog_from, expected_keys, key_of, run_connector
from integration_tests.sandbox import BEARER_TOKEN, ZONE_CREDENTIALS, Dataset, SandboxServer

DIALECTS = {"bearer": ("REST API, bearer token", "rest"), "hmac": ("AroFlo zone API, HMAC-signed", "zone")}
TOUCH = {"users": 3}  # records changed per incremental stream (2 elsewhere)


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
    discovered = run.catalog() or {"streams": []}
    streams = {s["name"]: s for s in discovered["streams"]}
    step("discover", run.seconds)
    print(f"    {len(streams)} streams, {sum('incremental' in s['supported_sync_modes'] for s in streams.values())} "
          f"of them incremental (the full list: README, Streams)")
    _ensure(run.returncode == 0 and set(streams) == set(STREAMS[dialect]), "discover", run)

    server.reset()
    full = run_connector("read", config, catalog_from(discovered, "full_refresh"))
    step("full refresh of every stream", full.seconds)
    ok, mismatched = full.returncode == 0 and not full.errors, []
    for name, stream in streams.items():
        got = [key_of(stream)(r) for r in full.records_of(name)]
        if sorted(map(str, got)) != sorted(map(str, expected_keys(server, name, dialect))):
            mismatched.append(f"{name} {len(got)}/{len(expected_keys(server, name, dialect))}")
    ok &= not mismatched
    records = sum(len(full.records_of(n)) for n in streams)
    print(f"    {records} records from {len(streams)} streams; each stream exactly the sandbox's records: "
          f"{'yes' if not mismatched else 'NO: ' + ', '.join(mismatched)}")
    print(f"    on the wire: {wire(server)}")
    _ensure(ok, "the full refresh did not return exactly the sandbox's records", full)

    incremental = [n for n, s in streams.items() if "incremental" in s["supported_sync_modes"] and n != "lastupdate"]
    server.reset()
    first = run_connector("read", config, catalog_from(discovered, "incremental", incremental))
    step(f"first incremental sync of the {len(incremental)} incremental streams", first.seconds)
    print(f"    {sum(len(first.records_of(n)) for n in incremental)} records; on the wire: {wire(server)}")
    _ensure(first.returncode == 0 and not first.errors, "the first incremental sync failed", first)

    started = time.monotonic()
    touched = {}
    for name in incremental:
        ids = data.ids(name, id_dialect)
        picks = [ids[0], ids[len(ids) // 2], ids[-1]][: TOUCH.get(name, 2)]
        if name in ("users", "suppliers", "payments") and dialect == "bearer":
            picks = [data.rest_id(name, data.index_of(name, p)) for p in picks]
        data.touch(name, ids=picks)
        touched[name] = set(picks)
    step("change records in the sandbox", time.monotonic() - started)
    print(f"    {sum(len(v) for v in touched.values())} records changed in {len(touched)} streams")

    server.reset()
    second = run_connector("read", config, catalog_from(discovered, "incremental", incremental),
                           state=first.final_state())
    step("incremental sync from the saved state", second.seconds)
    rows, ok = [], second.returncode == 0 and not second.errors
    for name in incremental:
        first_key = streams[name]["source_defined_primary_key"][0][0]  # the record's id
        ids = {r[first_key] for r in second.records_of(name)}
        found = len(touched[name] & ids)
        ok &= found == len(touched[name])
        rows.append([name, f"{found}/{len(touched[name])}", len(ids - touched[name]),
                     ", ".join(f"{k} = {v}" for k, v in (second.stream_state(name) or {}).items())])
    print(table(["stream", "changed found", "others re-read (cursor boundary)", "new state"], rows))
    print(f"    on the wire: {wire(server)}")
    for line in second.logs:
        if line["message"].startswith("Finished syncing SourceAroflo"):
            print("    " + line["message"].split(": ", 1)[1].split(". ")[0])
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
