"""Which streams a configuration offers, and in words why one is not offered.

The zone dialect offers every readable zone and the child streams of the zones it offers; the
REST dialect the seed's three tables. The seed's `enable_*_sync` switches take a table out, with
its child streams.
"""

from __future__ import annotations

from typing import Any, Dict

from .config import STREAM_SWITCHES, Settings
from .credentials import HMAC
from .zones import CHILDREN, ZONES, ZONES_BY_NAME


def offered_declarations(settings: Settings) -> Dict[str, Any]:
    """The streams this configuration offers, by name: zones, then child streams."""
    zones = offered_zones(settings)
    offered: Dict[str, Any] = {zone.name: zone for zone in zones}
    if settings.dialect == HMAC:
        offered.update({child.name: child for child in CHILDREN if child.parent.name not in settings.disabled_streams})
    return offered


def switched_off(name: str, settings: Settings) -> bool:
    for child in CHILDREN:
        if child.name == name:
            name = child.parent.name
    return name in STREAM_SWITCHES and name in settings.disabled_streams


def offered_zones(settings: Settings) -> list:
    """The zones this configuration's dialect can read, less the seed tables switched off."""
    return [zone for zone in ZONES if settings.dialect in zone.dialects and zone.name not in settings.disabled_streams]


def why_not_offered(name: str, settings: Settings) -> str:
    parent = next((child.parent.name for child in CHILDREN if child.name == name), name)
    if parent in STREAM_SWITCHES and parent in settings.disabled_streams:
        return f"{STREAM_SWITCHES[parent]} is false in the configuration"
    zone = ZONES_BY_NAME.get(parent)
    if zone is not None and settings.dialect not in zone.dialects:
        return (f"the REST API (bearer token) has only users, suppliers and payments; '{name}' needs AroFlo's "
                f"zone API (credentials.auth_type 'hmac')")
    if parent != name and settings.dialect != HMAC:
        return f"'{name}' needs AroFlo's zone API (credentials.auth_type 'hmac')"
    return "source-aroflo has no such stream (discover lists the streams)"
