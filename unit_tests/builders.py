"""Builders for the unit tests: configs, REST records and pages, requests, catalogs, runs.

Tests read like sentences about the API:

    http_mocker.get(users_request().with_page(1).with_per_page(2).build(),
                    RestResponse().with_records(users_page(2)).build())
    output = run_read(config().with_page_size(2).build(), catalog("users"))

Everything here talks to no network: requests are answered by `HttpMocker` / `requests_mock`.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional

from airbyte_cdk.models import (
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    Level,
    StreamDescriptor,
    SyncMode,
    TraceType,
    Type,
)
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, _run_command, discover, read
from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse
from airbyte_cdk.test.models.scenario import ExpectedOutcome

from source_aroflo.source import SourceAroflo

BASE_URL = "https://aroflo.unit.test/v1"
API_KEY = "unit-token-7c1e9a4b2d"
NOW = "2024-06-01T12:00:00Z"  # the frozen clock of every test that freezes one
TABLES = ("users", "suppliers", "payments")


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---- configuration -------------------------------------------------------------------------------
class ConfigBuilder:
    """A valid bearer (REST) configuration pointed at the mocked API; change one thing at a time."""

    def __init__(self) -> None:
        self._config: dict = {
            "credentials": {"auth_type": "bearer", "api_key": API_KEY},
            "base_url": BASE_URL,
        }

    def with_page_size(self, size: Any) -> "ConfigBuilder":
        return self.with_("max_records_per_page", size)

    def with_start_date(self, value: Any) -> "ConfigBuilder":
        return self.with_("start_date", value)

    def with_initial_sync_days(self, days: Any) -> "ConfigBuilder":
        return self.with_("initial_sync_days", days)

    def with_lookback_minutes(self, minutes: Any) -> "ConfigBuilder":
        return self.with_("lookback_window_minutes", minutes)

    def with_retry_attempts(self, attempts: Any) -> "ConfigBuilder":
        return self.with_("retry_attempts", attempts)

    def with_max_retry_wait(self, seconds: Any) -> "ConfigBuilder":
        return self.with_("max_retry_wait_seconds", seconds)

    def with_incremental(self, enabled: Any) -> "ConfigBuilder":
        return self.with_("enable_incremental_sync", enabled)

    def with_stream_disabled(self, *names: str) -> "ConfigBuilder":
        for name in names:
            self._config[f"enable_{name}_sync"] = False
        return self

    def with_credentials(self, credentials: Any) -> "ConfigBuilder":
        return self.with_("credentials", credentials)

    def with_zone_credentials(self, **extra: Any) -> "ConfigBuilder":
        self._config["credentials"] = {"auth_type": "hmac", "u_encoded": "unit-user", "p_encoded": "unit-pass",
                                       "org_encoded": "unit-org", "secret_key": "unit-secret-5b7d", **extra}
        self._config["base_url"] = "https://aroflo.unit.test/"
        return self

    def with_(self, key: str, value: Any) -> "ConfigBuilder":
        self._config[key] = value
        return self

    def without(self, key: str) -> "ConfigBuilder":
        self._config.pop(key, None)
        return self

    def build(self) -> dict:
        return json.loads(json.dumps(self._config))


def config() -> ConfigBuilder:
    return ConfigBuilder()


def seed_config(**overrides: str) -> dict:
    """The seed's `configuration.json`: flat `api_key`, every value a string."""
    raw = {
        "api_key": API_KEY,
        "base_url": BASE_URL,
        "sync_frequency_hours": "6",
        "initial_sync_days": "30",
        "max_records_per_page": "100",
        "request_timeout_seconds": "30",
        "retry_attempts": "3",
        "enable_users_sync": "true",
        "enable_suppliers_sync": "true",
        "enable_payments_sync": "true",
        "enable_incremental_sync": "true",
        "enable_debug_logging": "false",
    }
    raw.update(overrides)
    return raw


# ---- REST records and answers --------------------------------------------------------------------
def rest_record(table: str, ident: Any, updated_at: str, **fields: Any) -> dict:
    """One REST record of `table` in the seed's snake_case shape."""
    base: dict = {"id": ident, "updated_at": updated_at, "created_at": "2023-01-01T00:00:00Z"}
    if table == "users":
        base.update(first_name=f"First{ident}", last_name=f"Last{ident}", email=f"u{ident}@example.com")
    elif table == "suppliers":
        base.update(name=f"Supplier {ident}", contact_person="Pat Doe")
    else:
        base.update(amount=str(10 + int(str(ident).lstrip("p") or 0)), currency="AUD", payment_date="2024-03-01")
    base.update(fields)
    return base


def page_of(table: str, n: int, start: str = "2024-03-01T00:00:00Z", step: timedelta = timedelta(minutes=1),
            first_id: int = 1) -> List[dict]:
    """`n` records of `table` ordered by updated_at, one every `step` from `start`, ids counting up."""
    first = at(start)
    return [rest_record(table, str(first_id + i), iso(first + i * step)) for i in range(n)]


def users_page(n: int, start: str = "2024-03-01T00:00:00Z", step: timedelta = timedelta(minutes=1),
               first_id: int = 1) -> List[dict]:
    return page_of("users", n, start, step, first_id)


class RestResponse:
    """An answer of the REST API: `{"data": [...]}` with HTTP 200 unless told otherwise."""

    def __init__(self) -> None:
        self._records: List[dict] = []
        self._status = 200
        self._headers: dict = {"Content-Type": "application/json"}
        self._body: Optional[str] = None
        self._key = "data"

    def with_records(self, records: Iterable[dict]) -> "RestResponse":
        self._records = list(records)
        return self

    def under_key(self, key: str) -> "RestResponse":
        self._key = key
        return self

    def with_status(self, status: int, error: Optional[str] = None) -> "RestResponse":
        self._status = status
        if error is not None:
            self._body = json.dumps({"error": error})
        return self

    def with_header(self, name: str, value: str) -> "RestResponse":
        self._headers[name] = value
        return self

    def with_raw_body(self, body: str, content_type: str = "text/html") -> "RestResponse":
        self._body = body
        self._headers["Content-Type"] = content_type
        return self

    def body(self) -> str:
        return self._body if self._body is not None else json.dumps({self._key: self._records})

    def build(self) -> HttpResponse:
        return HttpResponse(body=self.body(), status_code=self._status, headers=dict(self._headers))


class RestRequest:
    """The exact request the connector should send for one page."""

    def __init__(self, table: str) -> None:
        self._table = table
        self._params: dict = {"page": "1", "per_page": "100"}

    def with_page(self, page: int) -> "RestRequest":
        self._params["page"] = str(page)
        return self

    def with_per_page(self, size: int) -> "RestRequest":
        self._params["per_page"] = str(size)
        return self

    def with_modified_since(self, value: str) -> "RestRequest":
        self._params["modified_since"] = value
        return self

    def url(self) -> str:
        return f"{BASE_URL}/{self._table}"

    def build(self) -> HttpRequest:
        return HttpRequest(self.url(), query_params=dict(self._params),
                           headers={"Authorization": f"Bearer {API_KEY}"})


def request_for(table: str) -> RestRequest:
    return RestRequest(table)


def users_request() -> RestRequest:
    return RestRequest("users")


# ---- catalogs and state --------------------------------------------------------------------------
def catalog(*streams: str, mode: SyncMode = SyncMode.incremental) -> ConfiguredAirbyteCatalog:
    builder = CatalogBuilder()
    for name in streams or TABLES:
        builder.with_stream(name, mode)
    return builder.build()


def stream_state(stream: str, **values: Any) -> AirbyteStateMessage:
    return AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=stream), stream_state=AirbyteStateBlob(**values)),
    )


# ---- running the connector in-process ------------------------------------------------------------
def _outcome(expect_failure: bool) -> ExpectedOutcome:
    return ExpectedOutcome.EXPECT_EXCEPTION if expect_failure else ExpectedOutcome.EXPECT_SUCCESS


def run_read(cfg: Mapping[str, Any], cat: ConfiguredAirbyteCatalog, state: Optional[List[AirbyteStateMessage]] = None,
             expect_failure: bool = False) -> EntrypointOutput:
    return read(SourceAroflo(), cfg, cat, state, expected_outcome=_outcome(expect_failure))


def run_read_with_state_file(cfg: Mapping[str, Any], cat: ConfiguredAirbyteCatalog, state_file: Any,
                             expect_failure: bool = False) -> EntrypointOutput:
    """`read --state <file>` where the file holds exactly `state_file` (any JSON shape)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "config.json").write_text(json.dumps(cfg))
        (path / "catalog.json").write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(cat)))
        (path / "state.json").write_text(json.dumps(state_file))
        return _run_command(SourceAroflo(), ["read", "--config", str(path / "config.json"), "--catalog",
                                             str(path / "catalog.json"), "--state", str(path / "state.json")],
                            expected_outcome=_outcome(expect_failure))


def run_check(cfg: Any) -> EntrypointOutput:
    """`check --config <file>` in-process (the CDK's wrapper has read and discover only)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.json"
        path.write_text(json.dumps(cfg))
        return _run_command(SourceAroflo(), ["check", "--config", str(path)], expected_outcome=ExpectedOutcome.ALLOW_ANY)


def run_discover(cfg: Mapping[str, Any], expect_failure: bool = False) -> EntrypointOutput:
    return discover(SourceAroflo(), cfg, expected_outcome=_outcome(expect_failure))


# ---- reading the output --------------------------------------------------------------------------
def record_data(output: EntrypointOutput, stream: Optional[str] = None) -> List[dict]:
    return [m.record.data for m in output.records if stream is None or m.record.stream == stream]


def ids(output: EntrypointOutput, stream: str = "users") -> List[str]:
    return [row["id"] for row in record_data(output, stream)]


def states_of(output: EntrypointOutput, stream: str = "users") -> List[dict]:
    """Every STATE message's state for `stream`, in order."""
    found = []
    for message in output.state_messages:
        state = message.state
        if state.stream and state.stream.stream_descriptor.name == stream:
            blob = state.stream.stream_state
            found.append(dict(blob.__dict__) if blob is not None else {})
    return found


def final_state(output: EntrypointOutput, stream: str = "users") -> dict:
    states = states_of(output, stream)
    assert states, f"no state message for {stream}"
    return states[-1]


def error_traces(output: EntrypointOutput) -> list:
    return [m.trace.error for m in output.trace_messages if m.trace.type == TraceType.ERROR]


def log_lines(output: EntrypointOutput, level: Optional[Level] = None) -> List[str]:
    return [m.log.message for m in output.logs if level is None or m.log.level == level]


def connection_status(output: EntrypointOutput):
    statuses = [m.connectionStatus for m in output.connection_status_messages]
    assert len(statuses) == 1, f"expected one CONNECTION_STATUS message, got {len(statuses)}"
    return statuses[0]


def control_messages(output: EntrypointOutput) -> list:
    return [m.control for m in output.get_message_by_types([Type.CONTROL])]


# ---- a tiny in-memory REST API, for scenarios that depend on the answers to earlier requests ----
class FakeRestApi:
    """Answers `GET <BASE_URL>/<table>` the way the contract says the REST API does.

    Records of each table are kept ordered by (updated_at, id); `modified_since` is inclusive;
    `page`/`per_page` slice what matches. `before_request(n, api)` runs before the n-th request
    (1-based) so a test can edit the data mid-sync. Every request's parameters are kept.
    Use inside `requests_mock.Mocker()`: `FakeRestApi(...).install(mocker)`.
    """

    def __init__(self, **tables: List[dict]) -> None:
        self.tables = {name: list(records) for name, records in tables.items()}
        self.requests: List[dict] = []
        self.before_request = None

    def install(self, mocker: Any) -> "FakeRestApi":
        import re

        mocker.get(re.compile(re.escape(BASE_URL) + r"/(users|suppliers|payments)(\?.*)?$"), json=self._answer)
        return self

    def edit(self, table: str, ident: str, **changes: Any) -> None:
        for record in self.tables[table]:
            if record["id"] == ident:
                record.update(changes)

    def _answer(self, request: Any, context: Any) -> dict:
        from urllib.parse import parse_qs, urlparse

        parsed = urlparse(request.url)
        table = parsed.path.rsplit("/", 1)[-1]
        params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        self.requests.append({"table": table, **params})
        if self.before_request:
            self.before_request(len(self.requests), self)
        rows = sorted(self.tables.get(table, []), key=lambda r: (at(r["updated_at"]), r["id"]))
        if "modified_since" in params:
            since = at(params["modified_since"])
            rows = [r for r in rows if at(r["updated_at"]) >= since]
        page, per_page = int(params.get("page", 1)), int(params.get("per_page", 100))
        return {"data": [dict(r) for r in rows[(page - 1) * per_page: page * per_page]]}

    def params_of(self, table: str = "users") -> List[dict]:
        return [{k: v for k, v in r.items() if k != "table"} for r in self.requests if r["table"] == table]
