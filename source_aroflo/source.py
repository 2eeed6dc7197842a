"""Wiring: spec, config, check, discover, and `read` handed to one `Sync`.

Every stream is built from a declaration (`zones.ZONES`, `zones.CHILDREN`): the zone dialect
offers every readable zone and the child streams (lines, custom fields), the REST dialect the
seed's three tables; the seed's `enable_*_sync` switches take users, suppliers or payments out
(and their child streams). `read` adds to what the CDK does:
- the seed's legacy state (`{"last_sync_time": ...}`, one cursor for every table) in any
  envelope becomes each stream's starting point;
- a stream the catalog names but the config disabled is skipped with a log line saying why; a
  stream source-aroflo does not have (or this dialect lacks) is a config error before any request;
  other surprises (a state in the future, a state key that is not the cursor, an incremental
  catalog with incremental syncs off) get a warning;
- the sync itself — families, change feed, quota, pacing, side-by-side reading — is `sync.Sync`.
"""

from __future__ import annotations

import json
import logging
import os
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
    FailureType,
    OrchestratorType,
    Status,
    Type,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from . import cdk_seams
from . import config as config_module
from . import redaction
from .advice import explain_ignored_keys, warn_about
from .auth import build_authenticator
from .change_feed import NewestEntry
from .config import ConfigError, Settings
from .dialects import FEED, dialect_for
from .offering import offered_declarations, switched_off, why_not_offered
from .paging import Seek
from .parallel import LockedMessageRepository
from .settings import SECRET_FIELDS
from .state import expand_legacy_state, load_state_file
from .stream import AroFloStream
from .sync import Sync
from .zones import ZONES_BY_NAME

log = logging.getLogger("airbyte.aroflo")
SPEC_PATH = Path(__file__).with_name("spec.json")
AIRBYTE_JOB_ENV = "WORKER_JOB_ID"  # set by the Airbyte platform in every connector container


class SourceAroflo(AbstractSource):
    check_config_against_spec = False  # config.parse() checks everything, in human words
    emit_record_pages = False  # set by a writer that takes a page of records as one message (output.launch)

    def __init__(self) -> None:
        super().__init__()
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
        explain_ignored_keys(settings)
        offered = offered_declarations(settings)
        if settings.dialect == config_module.HMAC:
            # The change feed: it proves the keys without spending AroFlo's daily quota (the
            # platform checks a connection before every sync). Permission to read each zone is
            # that stream's own matter.
            stream = _streams(settings, [ZONES_BY_NAME[FEED]])[0]
            reader: Any = NewestEntry(stream.zone)
        else:  # one request for one record of the first seed table offered (users, unless switched off)
            name = next((n for n in config_module.STREAM_SWITCHES if n in offered), None) or next(iter(offered))
            stream = _streams(settings, [offered[name]])[0]
            reader = Seek(stream.zone, "updated_at", 1, stream.key, None, field="updated_at")
        try:
            stream.probe(reader)
        except AirbyteTracedException as error:
            return False, error.message
        return True, None

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        settings = self.settings(config)
        return _streams(settings, list(offered_declarations(settings).values()))

    # ---- read -----------------------------------------------------------------------------------
    def read(self, logger: logging.Logger, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
             state: Optional[List[AirbyteStateMessage]] = None) -> Iterator[AirbyteMessage]:
        redaction.install()
        settings = self.settings(config)
        explain_ignored_keys(settings)
        if settings.page_size_was_clamped_from:
            log.warning(f"max_records_per_page={settings.page_size_was_clamped_from} is above the zone API's "
                        f"maximum of 500 records a page; using 500")
        offered = offered_declarations(settings)
        wanted, unknown = [], []
        for configured in catalog.streams:
            name = configured.stream.name
            if name in offered:
                wanted.append(configured)
            elif switched_off(name, settings):
                log.warning(f"Skipping stream '{name}': {why_not_offered(name, settings)}")
            else:
                unknown.append(f"'{name}' ({why_not_offered(name, settings)})")
        if unknown:
            raise AirbyteTracedException(
                message=f"The configured catalog names streams source-aroflo cannot read: {'; '.join(unknown)}. "
                        f"Make the catalog from `discover` with this configuration.",
                failure_type=FailureType.config_error)
        names = [c.stream.name for c in wanted]
        states = _states_by_stream(expand_legacy_state(state or [], names))
        streams = {s.name: s for s in _streams(settings, [offered[n] for n in names])}
        for configured in wanted:
            warn_about(configured, streams[configured.stream.name], states.get(configured.stream.name), settings)
        sync = Sync(settings, ConfiguredAirbyteCatalog(streams=wanted), states, logger, offered,
                    pages=self.emit_record_pages)
        yield from sync.messages()


def _streams(settings: Settings, declarations: list) -> List[AroFloStream]:
    dialect = dialect_for(settings.dialect, settings.base_url)
    authenticator = build_authenticator(settings.credentials)
    return [AroFloStream(declaration, settings, dialect, authenticator) for declaration in declarations]


def _states_by_stream(messages: List[AirbyteStateMessage]) -> Dict[str, dict]:
    out = {}
    for message in messages:
        if message.stream is not None:
            blob = message.stream.stream_state
            out[message.stream.stream_descriptor.name] = dict(blob.__dict__) if blob is not None else {}
    return out


def _secret_values(config: Mapping[str, Any]) -> list:
    creds = config.get("credentials")
    if not isinstance(creds, Mapping):
        return []
    return [str(creds[k]) for k in SECRET_FIELDS if creds.get(k)]


def _control_message(config: Mapping[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.CONTROL,
        control=AirbyteControlMessage(
            type=OrchestratorType.CONNECTOR_CONFIG,
            emitted_at=datetime.now(timezone.utc).timestamp() * 1000,
            connectorConfig=AirbyteControlConnectorConfigMessage(config=dict(config)),
        ),
    )


# `check` validates the config against the spec's JSON schema before the source sees it and
# reports only jsonschema's first error; `config.parse()` runs first instead, so `check` fails with
# every problem in words a person can act on (cdk_seams.py, 3).
cdk_seams.check_config_first(SourceAroflo, config_module.parse)
