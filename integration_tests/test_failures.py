"""When something is wrong, one clear message, and only what is wrong fails (issues 17 and 18).

- A wrong secret stops the sync at the first refused login: one error, not one per stream.
- A zone the API user may not read fails that stream, naming AroFlo's permission groups; the other
  streams finish and keep their state.
- A catalog naming a stream source-aroflo does not have is a config error before any request.
- A base_url with a wrong path (a web server's HTTP 404 with a JSON body that is not AroFlo's)
  points at base_url.
"""

from __future__ import annotations

from integration_tests.harness import catalog_from, run_connector, sandbox_config


def _stream_errors(run) -> list:
    return [m["trace"]["error"] for m in run.of_type("TRACE")
            if m["trace"].get("type") == "ERROR" and m["trace"]["error"].get("stream_descriptor")]


def test_a_wrong_secret_stops_the_sync_at_the_first_refusal_with_one_message(sandbox, discovered):
    server = sandbox(zones=5)
    config = sandbox_config(server, "hmac")
    config["credentials"]["secret_key"] = "not-the-secret"

    run = run_connector("read", config, catalog=catalog_from(discovered, "incremental"))

    assert run.returncode != 0
    assert len(run.errors) == 1, [e["message"] for e in run.errors]
    assert "secret_key" in run.errors[0]["message"] and run.errors[0]["failure_type"] == "config_error"
    assert len(run.stdout) < 20_000  # before: 43 error traces, 134 KB
    assert server.stats()["total"] <= 5  # the requests already on their way, no more


def test_a_zone_the_api_user_may_not_read_fails_alone_and_says_which_permission(sandbox, discovered):
    server = sandbox(zones=20, denied_zones={"bills": "3"})
    config = sandbox_config(server, "hmac")
    streams = ["bills", "bills_lines", "priorities", "users"]

    run = run_connector("read", config, catalog=catalog_from(discovered, "incremental", streams=streams))

    assert run.returncode != 0  # the sync reports the failed streams
    failed = {e["stream_descriptor"]["name"]: e["message"] for e in _stream_errors(run)}
    assert set(failed) == {"bills", "bills_lines"}
    assert "Permission Groups" in failed["bills"] and "bills zone" in failed["bills"]
    for name in ("priorities", "users"):
        assert run.records_of(name) and run.stream_state(name), name
    statuses = {(m["trace"]["stream_status"]["stream_descriptor"]["name"], m["trace"]["stream_status"]["status"])
                for m in run.of_type("TRACE") if m["trace"].get("type") == "STREAM_STATUS"}
    assert ("users", "COMPLETE") in statuses and ("bills", "INCOMPLETE") in statuses


def test_a_catalog_naming_a_stream_the_connector_does_not_have_is_a_config_error(sandbox, discovered):
    server = sandbox(zones=5)
    catalog = catalog_from(discovered, "incremental", streams=["users"])
    unknown = dict(catalog["streams"][0], stream={**catalog["streams"][0]["stream"], "name": "timesheet"})
    catalog["streams"].append(unknown)

    run = run_connector("read", sandbox_config(server, "hmac"), catalog=catalog)

    assert run.returncode != 0 and len(run.errors) == 1
    assert "'timesheet'" in run.errors[0]["message"] and run.errors[0]["failure_type"] == "config_error"
    assert server.stats()["total"] == 0


def test_a_base_url_with_a_wrong_path_points_at_base_url(sandbox):
    server = sandbox(zones=2)
    config = sandbox_config(server, "hmac", base_url=server.url.rstrip("/") + "/wrong/")

    run = run_connector("check", config)

    status = run.connection_status()
    assert status["status"] == "FAILED"
    assert "base_url" in status["message"] and "unknown status" not in status["message"]
