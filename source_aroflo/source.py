"""Wiring: config -> dialect, authenticator, shared budget -> the enabled streams.

`read` adds three things to the CDK's `AbstractSource.read`:
- the seed's legacy state (`{"last_sync_time": ...}`, one cursor for every table) in any
  envelope becomes each stream's starting point;
- a stream the catalog names but the config disabled is skipped with a log line saying why;
- streams are read side by side when the API is slow (one thread each, under the one shared
  request budget), each through the CDK's own per-stream read, so per-stream order, state and
  error handling are the CDK's. See `parallel.py` for when, and why not the CDK's concurrent
  framework; records travel a page per message (`output.py`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Optional, Tuple

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
    Type,
)
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from . import config as config_module
from . import redaction
from .auth import ZoneHmacAuth, build_authenticator
from .config import ConfigError, Settings
from .dialects import dialect_for
from .output import RecordPage, StreamReadLog
from .pacing import build_budget
from .parallel import LockedMessageRepository, read_in_parallel
from .state import expand_legacy_state, load_state_file
from .streams import STREAM_CLASSES

log = logging.getLogger("airbyte.aroflo")
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
            else:
                log.info("The configuration is in the seed's flat format; it was converted to the spec's shape "
                         "for this run (inside Airbyte the converted config is saved for you)")
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
        stream = next(s for s in self._build_streams(settings, budget=None) if s.name in settings.enabled_streams)
        try:
            stream.probe()
        except AirbyteTracedException as error:
            return False, error.message
        return True, None

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        settings = self.settings(config)
        with self._lock:
            key = (settings.dialect, settings.base_url, settings.requests_per_second, settings.requests_per_minute)
            if key not in self._budgets:
                signer = ZoneHmacAuth(settings.credentials) if settings.dialect == config_module.HMAC else None
                self._budgets[key] = build_budget(settings.requests_per_second, settings.requests_per_minute, signer)
            budget = self._budgets[key]
        return [s for s in self._build_streams(settings, budget) if s.name in settings.enabled_streams]

    def _build_streams(self, settings: Settings, budget: Any) -> list:
        dialect = dialect_for(settings.dialect, settings.base_url)
        authenticator = build_authenticator(settings.credentials)
        started = datetime.now(timezone.utc)
        return [cls(settings, dialect, authenticator, budget, started) for cls in STREAM_CLASSES]

    # ---- read -----------------------------------------------------------------------------------
    def read(self, logger: logging.Logger, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
             state: Optional[List[AirbyteStateMessage]] = None) -> Iterator[AirbyteMessage]:
        redaction.install()
        settings = self.settings(config)
        _explain_ignored_keys(settings)
        if settings.page_size_was_clamped_from:
            log.warning(f"max_records_per_page={settings.page_size_was_clamped_from} is above the zone API's "
                        f"maximum of 500 records a page; using 500")
        wanted = []
        for configured in catalog.streams:
            name = configured.stream.name
            if name in settings.enabled_streams:
                wanted.append(configured)
            elif name in config_module.STREAM_SWITCHES:
                log.warning(f"Skipping stream '{name}': {config_module.STREAM_SWITCHES[name]} is false in the configuration")
            else:
                log.warning(f"Skipping stream '{name}': source-aroflo has no such stream (users, suppliers, payments)")
        names = [c.stream.name for c in wanted]
        state = expand_legacy_state(state or [], names)

        def one_stream(configured: Any) -> Iterator[AirbyteMessage]:
            stream_log = StreamReadLog(logger, configured.stream.name)
            single = ConfiguredAirbyteCatalog(streams=[configured])
            for message in super(SourceAroflo, self).read(stream_log, config, single, state):
                if type(message) is RecordPage:
                    stream_log.records += len(message.rows)
                yield message

        yield from read_in_parallel(wanted, one_stream, debug=settings.debug, pages=self.emit_record_pages)


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
    if settings.sync_frequency_hours:
        log.info(
            f"sync_frequency_hours={settings.sync_frequency_hours} is not used by this connector: in Airbyte the "
            f"connection's schedule decides how often syncs run (set it to every {settings.sync_frequency_hours} hours "
            "there)"
        )


# `check` validates the config against the spec's JSON schema before the source sees it, whatever
# `check_config_against_spec` says, and reports only the first schema error in jsonschema's words
# ("5000 is greater than the maximum of 1000", no key named). For this source, `config.parse()`
# runs first, so `check` fails with every problem in words a person can act on; configs that
# parse still get the CDK's schema check. Other sources are untouched.
_cdk_validate_connection = AirbyteEntrypoint.validate_connection


def _validate_connection(entrypoint: AirbyteEntrypoint, source_spec: Any, config: Mapping[str, Any]) -> None:
    if isinstance(getattr(entrypoint, "source", None), SourceAroflo):
        config_module.parse(config)  # raises ConfigError (a config_error: FAILED status, no traceback)
    _cdk_validate_connection(source_spec, config)


AirbyteEntrypoint.validate_connection = _validate_connection
