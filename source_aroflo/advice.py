"""What a read warns about before it starts: configuration keys it does not use, and a catalog or
state that would otherwise surprise in silence."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Optional

from airbyte_cdk.models import SyncMode

from .config import Settings, parse_datetime
from .cursor import KEYS, LEGACY
from .declaration import READ_AT
from .stream import AroFloStream

log = logging.getLogger("airbyte.aroflo")


def warn_about(configured: Any, stream: AroFloStream, state: Optional[dict], settings: Settings) -> None:
    """Warnings for what would otherwise silently surprise: an incremental catalog without a cursor,
    a state key that is not the cursor, a state in the future."""
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
    ignored = sorted(k for k in state if k not in (cursor, READ_AT) + KEYS)
    if ignored:
        log.warning(f"{name}: the saved state has {', '.join(repr(k) for k in ignored)}, which is not this "
                    f"stream's cursor ({cursor!r}); ignored")
    value = state.get(cursor) or state.get(LEGACY)
    if isinstance(value, str) and value.strip():
        try:
            saved = parse_datetime(value)
        except ValueError:
            return  # the stream reports an unreadable state itself
        if saved > datetime.now(timezone.utc):
            log.warning(f"{name}: the saved state {cursor}={value} is in the future: no record can be newer, so "
                        "this sync reads nothing for it until then; reset the stream if the state is wrong")


def explain_ignored_keys(settings: Settings) -> None:
    if settings.unknown_keys:
        log.warning(f"Configuration keys not used by this version of source-aroflo: "
                    f"{', '.join(settings.unknown_keys)} (accepted; a newer version or the platform may use them)")
    if settings.sync_frequency_hours:
        log.info(
            f"sync_frequency_hours={settings.sync_frequency_hours} is not used by this connector: in Airbyte the "
            f"connection's schedule decides how often syncs run (set it to every {settings.sync_frequency_hours} hours "
            "there)"
        )
