"""Wiring: config -> dialect, authenticator, shared budget, change feed -> the streams.

Every stream is built from a zone declaration (`zones.ZONES`): the zone dialect offers every
readable zone, the REST dialect the seed's three tables; the seed's `enable_*_sync` switches
take users, suppliers or payments out. `read` adds to the CDK's `AbstractSource.read`:
- the seed's legacy state (`{"last_sync_time": ...}`, one cursor for every table) in any
  envelope becomes each stream's starting point;
- a stream the catalog names but the config disabled (or this dialect lacks) is skipped with a
  log line saying why; other surprises (a state in the future, a state key that is not the
  cursor, an incremental catalog with incremental syncs off) get a warning;
- one change feed and one quota ledger per sync, shared by the streams;
- streams are read side by side by a bounded pool of workers under the one shared request
  budget, each through the CDK's own per-stream read (`parallel.py`); the streams are built
  once per sync, and the sync ends with one summary line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteControlConnectorConfigMessage,
    AirbyteControlMessage,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    ConnectorSpecificationSerializer,
    OrchestratorType,
    Status,
    SyncMode,
    Type,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from . import cdk_seams
from . import config as config_module
from . import redaction
from .auth import ZoneHmacAuth, build_authenticator
from .client import TAKEN, AroFloStream
from .config import ConfigError, Settings
from .dialects import FEED, dialect_for
from .feed import ChangeFeed
from .output import RecordPage, StreamReadLog
from .pacing import QuotaLedger, build_budget
from .parallel import LockedMessageRepository, read_in_parallel, workers_for
from .readers import FeedEntries, FirstSync, NewestEntry
from .state import expand_legacy_state, load_state_file
from .zones import ZONES, ZONES_BY_NAME

log = logging.getLogger("airbyte.aroflo")
CHANGE_FEED = "change feed"  # the quota ledger's name for the sync's own reads of the `lastupdate` zone
SPEC_PATH = Path(__file__).with_name("spec.json")
AIRBYTE_JOB_ENV = "WORKER_JOB_ID"  # set by the Airbyte platform in every connector container


class SourceAroflo(AbstractSource):
    check_config_against_spec = False  # config.parse() checks everything, in human words
    emit_record_pages = False  # set by a writer that takes a page of records as one message (output.launch)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._budgets: dict = {}
        self._messages = LockedMessageRepository()

    @property
    def message_repository(self) -> LockedMessageRepository:
        return self._messages

    # ---- spec / config ------------------------------------------------------------------------
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return ConnectorSpecificationSerializer.load(json.loads(SPEC_PATH.read_text()))

    def configure(self, config: Mapping[str, Any], temp_dir: str) -> Mapping[str, Any]:
        """Normalize the seed's flat, all-strings configuration to the spec shape.

        Inside Airbyte (the platform sets `WORKER_JOB_ID` in connector containers) the migrated
        config goes out as a CONTROL message, the way Airbyte's own connectors migrate configs:
        the platform stores it, secrets in its secret store. Anywhere else a CONTROL message
        would print the secrets to the terminal, so the config is normalized for this run only
        and a log line says so.
        """
        redaction.install()
        if not isinstance(config, Mapping):
            return config
        normalized = config_module.normalize(config)
        redaction.register_secrets(_secret_values(normalized))
        if normalized != dict(config):
            if os.environ.get(AIRBYTE_JOB_ENV):
                self.message_repository.emit_message(_control_message(normalized))
            elif config_module.is_seed_shaped(config):
                log.info("The configuration is in the seed's flat format; it was converted to the spec's shape "
                         "for this run (inside Airbyte the converted config is saved for you)")
            else:
                changed = sorted(k for k in normalized if normalized.get(k) != config.get(k))
                log.info(f"Configuration values given as text were read as numbers or true/false: "
                         f"{', '.join(changed)} (inside Airbyte the converted config is saved for you)")
        return normalized

    @classmethod
    def read_state(cls, state_path: str) -> List[AirbyteStateMessage]:
        return load_state_file(state_path)

    def settings(self, config: Mapping[str, Any]) -> Settings:
        settings = config_module.parse(config)
        redaction.register_secrets(settings.credentials.secret_values())
        if settings.debug:
            logging.getLogger("airbyte.aroflo").setLevel(logging.DEBUG)
        return settings

    # ---- check / discover ---------------------------------------------------------------------
    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        redaction.install()
        ok, message = self.check_connection(logger, config)
        if ok:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        return AirbyteConnectionStatus(status=Status.FAILED, message=redaction.scrub(str(message)))

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, Optional[str]]:
        try:
            settings = self.settings(config)
        except ConfigError as error:
            return False, error.message
        _explain_ignored_keys(settings)
        streams = {s.name: s for s in self._build_streams(settings, budget=None)}
        # One request for one record of the first seed table offered (users, unless switched off).
        stream = next((streams[n] for n in config_module.STREAM_SWITCHES if n in streams), None) or next(iter(streams.values()))
        try:
            stream.probe()
        except AirbyteTracedException as error:
            return False, error.message
        return True, None

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        built = self.__dict__.get("_built")
        if built is not None:  # inside read: the streams of this sync, built once
            return built
        settings = self.settings(config)
        return self._build_streams(settings, self._budget_for(settings))

    def _budget_for(self, settings: Settings) -> Any:
        with self._lock:
            key = (settings.dialect, settings.base_url, settings.requests_per_second, settings.requests_per_minute)
            if key not in self._budgets:
                signer = ZoneHmacAuth(settings.credentials) if settings.dialect == config_module.HMAC else None
                self._budgets[key] = build_budget(settings.requests_per_second, settings.requests_per_minute, signer)
            return self._budgets[key]

    def _build_streams(self, settings: Settings, budget: Any, feed: Any = None, ledger: Any = None) -> list:
        dialect = dialect_for(settings.dialect, settings.base_url)
        authenticator = build_authenticator(settings.credentials)
        started = datetime.now(timezone.utc)
        return [AroFloStream(zone, settings, dialect, authenticator, budget, started, feed=feed, ledger=ledger)
                for zone in offered_zones(settings)]

    def _change_feed(self, settings: Settings, budget: Any, ledger: QuotaLedger) -> ChangeFeed:
        """The sync's change feed, read through a `lastupdate` stream of its own."""
        dialect = dialect_for(settings.dialect, settings.base_url)
        authenticator = build_authenticator(settings.credentials)
        zone = ZONES_BY_NAME[FEED]

        def stream() -> AroFloStream:
            return AroFloStream(zone, settings, dialect, authenticator, budget, datetime.now(timezone.utc),
                                ledger=ledger, label=CHANGE_FEED)

        def entries(after: Optional[str], zones: Tuple[str, ...]):
            return stream().read_rows(FeedEntries(zone, settings.page_size, after, zones))

        def newest(zones: Tuple[str, ...]) -> Optional[str]:
            rows = [row for page in stream().read_rows(NewestEntry(zone, zones)) for row in page]
            return rows[0].get("updated_at") if rows else None

        return ChangeFeed(entries, newest)

    # ---- read -----------------------------------------------------------------------------------
    def read(self, logger: logging.Logger, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
             state: Optional[List[AirbyteStateMessage]] = None) -> Iterator[AirbyteMessage]:
        redaction.install()
        settings = self.settings(config)
        _explain_ignored_keys(settings)
        if settings.page_size_was_clamped_from:
            log.warning(f"max_records_per_page={settings.page_size_was_clamped_from} is above the zone API's "
                        f"maximum of 500 records a page; using 500")
        offered = {zone.name for zone in offered_zones(settings)}
        wanted = []
        for configured in catalog.streams:
            name = configured.stream.name
            if name in offered:
                wanted.append(configured)
            else:
                log.warning(f"Skipping stream '{name}': {why_not_offered(name, settings)}")
        names = [c.stream.name for c in wanted]
        state = expand_legacy_state(state or [], names)
        budget = self._budget_for(settings)
        ledger = QuotaLedger(zone_api=settings.dialect == config_module.HMAC)
        feed = self._change_feed(settings, budget, ledger)
        streams = {s.name: s for s in self._build_streams(settings, budget, feed, ledger)}
        states = _states_by_stream(state)
        for configured in wanted:
            stream = streams[configured.stream.name]
            _warn_about(configured, stream, states.get(stream.name), settings)
            if configured.sync_mode == SyncMode.incremental and stream.reads_feed:
                feed.register(stream.name, stream.feed_since(states.get(stream.name) or {}))
        self._built = list(streams.values())
        summary = _Summary(logger)
        logger.info(f"Starting syncing {self.name}: {len(wanted)} streams")

        def one_stream(configured: Any) -> Iterator[AirbyteMessage]:
            stream_log = StreamReadLog(logger, configured.stream.name)
            single = ConfiguredAirbyteCatalog(streams=[configured])
            started = time.monotonic()
            try:
                for message in super(SourceAroflo, self).read(stream_log, config, single, state):
                    if type(message) is RecordPage:
                        stream_log.records += len(message.rows)
                    yield message
            finally:
                summary.add(configured.stream.name, stream_log.records, time.monotonic() - started, ledger)

        try:
            yield from read_in_parallel(wanted, one_stream, debug=settings.debug, pages=self.emit_record_pages,
                                        workers=workers_for(settings.requests_per_second))
        finally:
            self._built = None
            summary.finish(self.name, ledger, feed)


def offered_zones(settings: Settings) -> list:
    """The zones this configuration's dialect can read, less the seed tables switched off."""
    return [zone for zone in ZONES if settings.dialect in zone.dialects and zone.name not in settings.disabled_streams]


def why_not_offered(name: str, settings: Settings) -> str:
    if name in config_module.STREAM_SWITCHES and name in settings.disabled_streams:
        return f"{config_module.STREAM_SWITCHES[name]} is false in the configuration"
    zone = ZONES_BY_NAME.get(name)
    if zone is not None and settings.dialect not in zone.dialects:
        return (f"the REST API (bearer token) has only users, suppliers and payments; '{name}' needs AroFlo's "
                f"zone API (credentials.auth_type 'hmac')")
    return "source-aroflo has no such stream (discover lists the streams)"


def _states_by_stream(messages: List[AirbyteStateMessage]) -> Dict[str, dict]:
    out = {}
    for message in messages:
        if message.stream is not None:
            blob = message.stream.stream_state
            out[message.stream.stream_descriptor.name] = dict(blob.__dict__) if blob is not None else {}
    return out


def _warn_about(configured: Any, stream: AroFloStream, state: Optional[dict], settings: Settings) -> None:
    """Warnings for what would otherwise silently surprise (issue 12)."""
    name = stream.name
    if configured.sync_mode == SyncMode.incremental and not stream.supports_incremental:
        if not settings.incremental:
            log.warning(f"{name}: the catalog asks for an incremental sync but enable_incremental_sync is false: "
                        "read as a full refresh (every record)")
        else:
            log.warning(f"{name}: has no incremental cursor; read as a full refresh (every record)")
        return
    if configured.sync_mode != SyncMode.incremental or not state:
        return
    cursor = stream.cursor_field[0] if stream.cursor_field else None
    ignored = sorted(k for k in state if k not in (cursor, "last_sync_time", TAKEN, FirstSync.PROGRESS))
    if ignored:
        log.warning(f"{name}: the saved state has {', '.join(repr(k) for k in ignored)}, which is not this "
                    f"stream's cursor ({cursor!r}); ignored")
    value = state.get(cursor) or state.get("last_sync_time")
    if isinstance(value, str) and value.strip():
        try:
            saved = config_module.parse_datetime(value)
        except ValueError:
            return  # the stream reports an unreadable state itself
        if saved > datetime.now(timezone.utc):
            log.warning(f"{name}: the saved state {cursor}={value} is in the future: no record can be newer, so "
                        "this sync reads nothing for it until then; reset the stream if the state is wrong")


class _Summary:
    """One line per sync: records, requests and time per stream (the streams run side by side)."""

    def __init__(self, logger: logging.Logger):
        self._logger = logger
        self._lock = threading.Lock()
        self._rows: List[Tuple[str, int, float]] = []
        self._started = time.monotonic()

    def add(self, stream: str, records: int, seconds: float, ledger: QuotaLedger) -> None:
        with self._lock:
            self._rows.append((stream, records, seconds))

    def finish(self, source: str, ledger: QuotaLedger, feed: ChangeFeed) -> None:
        parts = []
        for stream, records, seconds in sorted(self._rows):
            daily, free = ledger.daily.get(stream, 0), ledger.feed.get(stream, 0)
            spent = f"{daily} requests" + (f" + {free} change-feed" if free else "")
            parts.append(f"{stream} {records} records, {spent}, {seconds:.1f} s")
        if ledger.feed.get(CHANGE_FEED):
            parts.append(f"change feed {ledger.feed[CHANGE_FEED]} requests, {feed.entries} entries")
        self._logger.info(f"Finished syncing {source} in {time.monotonic() - self._started:.1f} s: "
                          f"{ledger.summary()}. " + "; ".join(parts))


def _secret_values(config: Mapping[str, Any]) -> list:
    creds = config.get("credentials")
    if not isinstance(creds, Mapping):
        return []
    return [str(creds[k]) for k in config_module.SECRET_FIELDS if creds.get(k)]


def _control_message(config: Mapping[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.CONTROL,
        control=AirbyteControlMessage(
            type=OrchestratorType.CONNECTOR_CONFIG,
            emitted_at=datetime.now(timezone.utc).timestamp() * 1000,
            connectorConfig=AirbyteControlConnectorConfigMessage(config=dict(config)),
        ),
    )


def _explain_ignored_keys(settings: Settings) -> None:
    if settings.unknown_keys:
        log.warning(f"Configuration keys not used by this version of source-aroflo: "
                    f"{', '.join(settings.unknown_keys)} (accepted; a newer version or the platform may use them)")
    if settings.sync_frequency_hours:
        log.info(
            f"sync_frequency_hours={settings.sync_frequency_hours} is not used by this connector: in Airbyte the "
            f"connection's schedule decides how often syncs run (set it to every {settings.sync_frequency_hours} hours "
            "there)"
        )


# `check` validates the config against the spec's JSON schema before the source sees it and
# reports only jsonschema's first error; `config.parse()` runs first instead, so `check` fails with
# every problem in words a person can act on (cdk_seams.py, 3).
cdk_seams.check_config_first(SourceAroflo, config_module.parse)
