"""Issue 5: no secret ever reaches any output, even with every debug switch on and a failing API.

`spec`, `check`, `discover` and `read` run with `enable_debug_logging: true`, the CDK's `--debug`
flag (request and response dumps with headers; urllib3's own logger is included when it logs) and `LOG_LEVEL=debug`, with good
and with bad credentials, against a sandbox whose users fail with HTTP 500 and whose suppliers
reset the connection. Nothing on stdout or stderr may contain a credential, its
encodeURIComponent form, the Authorization/Authentication header values, or any HMAC signature
the sandbox received.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor


from integration_tests.harness import TABLES, configured_catalog, run_connector
from integration_tests.sandbox import Dataset, SandboxServer, encode_uri_component

# Distinctive values, with characters encodeURIComponent changes, so each form can be searched.
GOOD = {
    "bearer": {"api_key": "tok-Qx7Vv9 Bearer/Secret+Zeta"},
    "hmac": {"u_encoded": "usr Kappa+Secret/71", "p_encoded": "pw&Lambda=Secret!93",
             "org_encoded": "org Mu%Secret~55", "secret_key": "hmac-key Nu+Secret/204"},
}
BAD = {
    "bearer": {"api_key": "tok-WrongXi Secret/666"},
    "hmac": {"u_encoded": "usr Omicron+Wrong/12", "p_encoded": "pw&Pi=Wrong!34",
             "org_encoded": "org Rho%Wrong~56", "secret_key": "hmac-key Sigma+Wrong/78"},
}
FAILING = [{"fault": "http_500", "match": {"table": "users"}, "times": -1},
           {"fault": "reset", "match": {"table": "suppliers"}, "times": -1}]
DEBUG_ENV = {"LOG_LEVEL": "debug"}


def _config(server: SandboxServer, dialect: str, creds: dict) -> dict:
    base = server.rest_base_url if dialect == "bearer" else server.zone_base_url
    return {"credentials": {"auth_type": dialect, **creds}, "base_url": base, "enable_debug_logging": True,
            "retry_attempts": 1, "max_retry_wait_seconds": 1, "request_timeout_seconds": 2,
            "start_date": "2000-01-01", "max_records_per_page": 20,
            **({"requests_per_second": 50, "requests_per_minute": 3000} if dialect == "hmac" else {})}


def _forbidden(dialect: str, server: SandboxServer) -> dict:
    """Every string that must not appear, named for the failure message."""
    found = {}
    for label, creds in (("good", GOOD[dialect]), ("bad", BAD[dialect])):
        for key, value in creds.items():
            found[f"{label} {key}"] = value
            found[f"{label} {key} encoded"] = encode_uri_component(value)
    signatures = set()
    for entry in server.stats(log=5000)["log"]:
        headers = {k.lower(): v for k, v in entry["headers"].items()}
        for name in ("authorization", "authentication"):
            if headers.get(name):
                found[f"{name} header #{len(found)}"] = headers[name]
        match = re.fullmatch(r"HMAC\s+([0-9a-fA-F]+)", headers.get("authentication", ""))
        if match:
            signatures.add(match.group(1))
    for i, signature in enumerate(sorted(signatures)):
        found[f"signature #{i}"] = signature
        found[f"signature #{i} (prefix)"] = signature[:32]
    return found, signatures


def test_no_secret_in_any_output_with_every_debug_switch_on(dialect):
    server = SandboxServer(Dataset(users=30, suppliers=20, payments=30), faults=FAILING, log_size=5000,
                           bearer_token=GOOD["bearer"]["api_key"], zone_credentials=GOOD["hmac"]).start()
    try:
        good, bad = _config(server, dialect, GOOD[dialect]), _config(server, dialect, BAD[dialect])
        catalog = configured_catalog("incremental", TABLES, dialect)
        jobs = {
            "spec": ("spec", None, None),
            "check good": ("check", good, None), "check bad": ("check", bad, None),
            "discover good": ("discover", good, None), "discover bad": ("discover", bad, None),
            "read good": ("read", good, catalog), "read bad": ("read", bad, catalog),
        }
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {name: pool.submit(run_connector, cmd, config, cat, extra_args=["--debug"], env=DEBUG_ENV,
                                         timeout=120)
                       for name, (cmd, config, cat) in jobs.items()}
            runs = {name: f.result() for name, f in futures.items()}
        forbidden, signatures = _forbidden(dialect, server)
    finally:
        server.stop()

    # The runs really did what they should, so their output is worth searching.
    assert runs["spec"].of_type("SPEC")
    assert runs["check bad"].connection_status()["status"] == "FAILED"
    assert runs["read good"].returncode != 0 and runs["read good"].records_of("payments")
    assert {e.get("stream_descriptor", {}).get("name") for e in runs["read good"].errors} >= {"users", "suppliers"}
    read_output = runs["read good"].stdout + runs["read good"].stderr
    assert '"level":"DEBUG"' in read_output.replace(" ", "")  # debug logging was on
    assert "Making outbound API request" in read_output  # the CDK's request/response dumps, headers included
    if dialect == "hmac":
        assert len(signatures) >= 10  # signatures of good and bad credentials were sent
    assert any(name.startswith("authorization header") for name in forbidden)

    leaks = []
    for run_name, run in runs.items():
        for stream_name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
            for what, value in forbidden.items():
                if value and value in text:
                    at = text.index(value)
                    leaks.append(f"{run_name} {stream_name}: {what} in ...{text[max(0, at - 80):at][-80:]!r}")
    assert not leaks, "\n".join(leaks[:20])
    # Debug mode keeps the stack traces of failed streams (they were searched above too).
    assert "Traceback (most recent call last)" in runs["read good"].stdout
