"""Airbyte's standard tests (the CDK's successor of the connector acceptance tests), both dialects.

`TestAirbyteStandards` is the CDK's `SourceTestSuiteBase`, unchanged, driven by the repository's
`acceptance-test-config.yml`, exactly as an Airbyte connector runs it. Each config of the file
becomes one scenario (`config`, `config_hmac`, `invalid_config`, `config_bad_token`,
`config_hmac_bad_secret`), and every test of the suite runs once per scenario: a test whose
command the config's sections do not run is skipped by the CDK with the reason (so
`test_config_matches_spec` is skipped for all five: the `spec` entry names the spec file only).

The `secrets/` configs point at a local sandbox: see `integration_tests/standard_sandbox.py`. A
module fixture starts one sandbox (60 users, 40 suppliers, 80 payments, 12 records in every
other zone), writes the configs into a per-session folder, points `tempfile` there (the CDK
leaves its `airbyte-test/temp_*` config and catalog files in the temporary folder), runs the
connector on the sandbox's clock and removes the folder afterwards.

The configured catalogs are discover's (every stream; `full_refresh` for `basic_read` and
`full_refresh`, incremental wherever a stream supports it — every stream does — for
`incremental`), and `test_committed_catalogs_are_discovers` keeps them so.

The CDK only collects the `spec`, `connection`, `discovery`, `basic_read` and `full_refresh`
sections. The checks the connector acceptance tests ran for `incremental` (a future state
returns no records; a second read from the first read's state does not go back) and for
`full_refresh` (two reads return the same records) are here too, driven by the same file.

Deselected here: the CDK's `image_tests` (`test_docker_image_*`: build, spec, spec backward
compatibility, check, config-matches-spec, discover, read inside the image). They need a Docker
daemon; this environment and CI have the `docker` CLI but no daemon, so the CDK's `skipif`
(docker not on PATH) does not skip them and they fail on the build, not on the connector. (The
CDK builds from Airbyte's own Python connector Dockerfile template, found in an Airbyte monorepo
checkout or downloaded from GitHub, and the registry comparison needs the network too.) Run
`pytest -m "not image_tests"`, as `make test` does. What they would check without Docker is
covered by `integration_tests/test_packaging.py`: the installed `source-aroflo` script answers
every command like `python main.py`, the Dockerfile's build context is enough for
`pip install .`, and it builds from the same pinned base image as `metadata.yaml`.

The CDK's pytest plugin (`airbyte_cdk.test.standard_tests.pytest_hooks`) is used through this
module's own `pytest_generate_tests` and fixtures rather than `pytest_plugins`: registered as a
plugin it would parametrize (or reject) any other test class in the run that takes an argument
named `scenario`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Optional

import pytest
import yaml
from airbyte_cdk.models import AirbyteMessageSerializer, Type
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.models.outcome import ExpectedOutcome
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from airbyte_cdk.test.standard_tests import pytest_hooks as cdk_hooks

from integration_tests import standard_sandbox
from integration_tests.standard_sandbox import ROOT, GeneratedSecrets, redirect
from source_aroflo.source import SourceAroflo

ACCEPTANCE = yaml.safe_load((ROOT / "acceptance-test-config.yml").read_text())["acceptance_tests"]
# The streams a config's `basic_read` entry declares empty (no record to expect from them).
EMPTY = {entry["config_path"]: {stream["name"] for stream in entry.get("empty_streams", [])}
         for entry in ACCEPTANCE["basic_read"]["tests"]}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    cdk_hooks.pytest_generate_tests(metafunc)  # only this module's tests


# The CDK plugin's fixtures, reading its command-line options when they exist (they only
# matter to the deselected image tests).
@pytest.fixture
def connector_image_override(request: pytest.FixtureRequest) -> Optional[str]:
    return request.config.getoption("--connector-image", default=None)


@pytest.fixture
def connector_base_image_override(request: pytest.FixtureRequest) -> Optional[str]:
    return request.config.getoption("--connector-base-image", default=None)


read_from_streams = cdk_hooks.read_from_streams
read_scenarios = cdk_hooks.read_scenarios


@pytest.fixture(scope="module", autouse=True)
def generated_secrets(tmp_path_factory: pytest.TempPathFactory):
    # pytest picks its own base temporary folder from `tempfile` on first use: fix it first,
    # so that it does not land in (and vanish with) the folder below.
    tmp_path_factory.getbasetemp()
    secrets = GeneratedSecrets().start()
    previous = tempfile.tempdir
    tempfile.tempdir = str(secrets.tmp)
    try:
        yield secrets
    finally:
        tempfile.tempdir = previous
        secrets.stop()
    assert not secrets.folder.exists()


@pytest.mark.filterwarnings("error::airbyte_cdk.test.standard_tests.DiscoveredCatalogWarning")
class TestAirbyteStandards(SourceTestSuiteBase):
    """The CDK's source test suite against `acceptance-test-config.yml`."""

    connector = SourceAroflo

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [
            scenario.model_copy(update={"config_path": redirect(scenario.config_path)})
            for scenario in super().get_scenarios()
        ]


# ---- the `incremental` and `full_refresh` checks the CDK does not collect ----------------------

def _entries(section: str) -> list:
    return [pytest.param(entry, id=Path(entry["config_path"]).stem) for entry in ACCEPTANCE[section]["tests"]]


def _run(verb: str, config_path: Path, catalog: Optional[dict] = None, state_path: Optional[Path] = None,
         expect: ExpectedOutcome = ExpectedOutcome.EXPECT_SUCCESS) -> entrypoint_wrapper.EntrypointOutput:
    """`read` in-process, as the CDK's standard tests run it, with an optional state file."""
    args = [verb, "--config", str(config_path)]
    folder = Path(tempfile.mkdtemp(prefix="aroflo-run-"))
    if catalog is not None:
        (folder / "catalog.json").write_text(json.dumps(catalog))
        args += ["--catalog", str(folder / "catalog.json")]
    if state_path is not None:
        args += ["--state", str(state_path)]
    result = entrypoint_wrapper._run_command(SourceAroflo(), args, expected_outcome=expect)  # noqa: SLF001
    assert not result.errors, result.get_formatted_error_message()
    return result


def _catalog(entry: dict, incremental_only: bool = False) -> dict:
    catalog = json.loads((ROOT / entry["configured_catalog_path"]).read_text())
    if incremental_only:
        catalog["streams"] = [s for s in catalog["streams"] if s["sync_mode"] == "incremental"]
    return catalog


def _records(result: entrypoint_wrapper.EntrypointOutput) -> dict[str, list]:
    by_stream: dict[str, list] = {}
    for message in result.records:
        by_stream.setdefault(message.record.stream, []).append(message.record.data)
    return by_stream


def _final_states(result: entrypoint_wrapper.EntrypointOutput) -> dict[str, dict]:
    final = {}
    for message in result.state_messages:
        stream = message.state.stream
        final[stream.stream_descriptor.name] = dict(stream.stream_state.__dict__)
    return final


def _state_file(states: dict[str, dict], folder: Path) -> Path:
    path = folder / "state.json"
    path.write_text(json.dumps([
        {"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": state}}
        for name, state in states.items()
    ]))
    return path


def _sync_start() -> str:
    """The instant the connector takes as a sync's start: the sandbox's clock (standard_sandbox)."""
    import os

    from integration_tests.harness import CLOCK_ENV

    return os.environ[CLOCK_ENV]


@pytest.mark.parametrize("entry", _entries("incremental"))
def test_incremental_future_state_reads_nothing(entry: dict) -> None:
    """CAT's abnormal-state test: a state far in the future returns no record and stays put."""
    catalog = _catalog(entry, incremental_only=True)
    assert catalog["streams"], "the incremental catalog has no incremental stream"
    future_path = ROOT / entry["future_state"]["future_state_path"]
    future = {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"]
              for s in json.loads(future_path.read_text())}
    assert {s["stream"]["name"] for s in catalog["streams"]} <= set(future), "a stream without a future state"

    result = _run("read", redirect(Path(entry["config_path"])), catalog, future_path)

    assert _records(result) == {}
    final = _final_states(result)
    for configured in catalog["streams"]:
        name, cursor = configured["stream"]["name"], configured["cursor_field"][0]
        assert final[name][cursor] == future[name][cursor], f"{name}: the future state moved"


def _day_before(value: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(value[:10]) - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("entry", _entries("incremental"))
def test_incremental_second_read_resumes_from_state(entry: dict, tmp_path: Path) -> None:
    """CAT's two-sequential-reads test: the second read starts from the first one's state.

    The state of a stream is its cursor: `updated_at`, the newest change the first read took (a
    change-feed instant for a zone read through the feed: no record of it is newer); `read_at`,
    the sync's start, for a zone without an update time; payments' `payment_date`, the sync's day.
    A zone with only a date reads again the records dated from the day before its last sync."""
    catalog = _catalog(entry)
    config_path = redirect(Path(entry["config_path"]))
    started = _sync_start()
    first = _run("read", config_path, catalog)
    first_records, states = _records(first), _final_states(first)
    incremental = {s["stream"]["name"]: s["cursor_field"][0] for s in catalog["streams"] if s["sync_mode"] == "incremental"}
    assert set(incremental) == {s["stream"]["name"] for s in catalog["streams"]}, "every stream syncs incrementally"
    assert set(first_records) == set(incremental) - EMPTY.get(entry["config_path"], set())
    for name, cursor in incremental.items():
        saved = states[name][cursor]
        values = [r[cursor] for r in first_records.get(name, []) if r.get(cursor) is not None]
        assert saved <= started[:len(saved)], f"{name}: a state past the sync's start: {states[name]}"
        if cursor == "read_at":
            assert saved == started and set(values) <= {started}, (name, states[name], set(values))
        elif cursor == "payment_date":
            assert saved == started[:10], (name, states[name])
        assert not values or saved >= max(values)[:len(saved)], (name, states[name], max(values))

    second = _run("read", config_path, catalog, _state_file(states, tmp_path))

    second_records, second_states = _records(second), _final_states(second)
    for name, cursor in incremental.items():
        start = states[name][cursor]
        rows = second_records.get(name, [])
        assert len(rows) < max(len(first_records.get(name, [])), 1), f"{name}: the second read started over"
        floor = _day_before(start) if cursor == "payment_date" else start
        assert all(r[cursor] >= floor for r in rows), f"{name}: a record from before the state"
        assert second_states[name][cursor] >= start, f"{name}: the state went backwards"


@pytest.mark.parametrize("entry", _entries("full_refresh"))
def test_full_refresh_reads_are_repeatable(entry: dict) -> None:
    """CAT's full-refresh test: two reads in a row return the same records."""
    catalog = _catalog(entry)
    assert {configured["sync_mode"] for configured in catalog["streams"]} == {"full_refresh"}
    config_path = redirect(Path(entry["config_path"]))
    first, second = (_records(_run("read", config_path, catalog)) for _ in range(2))
    assert set(first) == {s["stream"]["name"] for s in catalog["streams"]} - EMPTY.get(entry["config_path"], set())
    keys = {s["stream"]["name"]: [k[0] for k in s["primary_key"]] for s in catalog["streams"]}
    for name, rows in first.items():
        key = lambda r, columns=keys[name]: tuple(str(r[c]) for c in columns)  # noqa: E731
        assert sorted(second[name], key=key) == sorted(rows, key=key), name
        assert len({key(r) for r in rows}) == len(rows), f"{name}: a record was read twice"


@pytest.mark.parametrize("section", ["basic_read", "incremental", "full_refresh"])
def test_committed_catalogs_are_discovers(section: str) -> None:
    """Each configured catalog is every stream `discover` offers for that config, as discover
    describes it: full refreshes for `basic_read` and `full_refresh`, incremental (appended and
    deduplicated on the stream's key, on its default cursor) wherever a stream supports it for
    `incremental` — `python -m source_aroflo.catalog_tool --config ... [--mode full_refresh]`."""
    for entry in ACCEPTANCE[section]["tests"]:
        message = _run("discover", redirect(Path(entry["config_path"]))).catalog
        offered = {s["name"]: s for s in AirbyteMessageSerializer.dump(message)["catalog"]["streams"]}
        catalog = _catalog(entry)
        assert [s["stream"]["name"] for s in catalog["streams"]] == list(offered), entry["configured_catalog_path"]
        for configured in catalog["streams"]:
            stream = offered[configured["stream"]["name"]]
            assert configured["stream"] == stream, f"{stream['name']}: not discover's description (regenerate the file)"
            incremental = section == "incremental" and "incremental" in stream["supported_sync_modes"]
            assert configured["sync_mode"] == ("incremental" if incremental else "full_refresh"), stream["name"]
            assert configured["destination_sync_mode"] == ("append_dedup" if incremental else "overwrite")
            assert configured["cursor_field"] == (stream["default_cursor_field"] if incremental else [])
            assert configured["primary_key"] == stream["source_defined_primary_key"]


def test_generated_configs_are_the_committed_samples(generated_secrets: GeneratedSecrets) -> None:
    """`secrets/` configs differ from `integration_tests/sample_config*.json` only in URL and, for
    the failing ones, the one wrong credential; the committed samples document the sandbox."""
    for name, (sample, kind, overrides) in standard_sandbox.GENERATED.items():
        generated = generated_secrets.config(name)
        expected = standard_sandbox.sample_config(sample)
        assert expected["base_url"].startswith("http://127.0.0.1:")
        expected["base_url"] = generated_secrets.server.rest_base_url if kind == "rest" else generated_secrets.server.zone_base_url
        expected["credentials"].update(overrides)
        assert generated == expected
        assert json.loads(generated_secrets.path(name).read_text()) == generated
    check = _run("check", generated_secrets.path("config.json"))
    assert [m.connectionStatus.status.value for m in check.get_message_by_types([Type.CONNECTION_STATUS])] == ["SUCCEEDED"]
