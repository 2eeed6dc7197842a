"""The credentials of each dialect, checked the way `config.parse` reports problems: every one in
words a person can act on, never echoing a secret."""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping, MutableMapping, Optional

from .declaration import REST, ZONE
from .settings import Credentials

BEARER, HMAC = REST, ZONE  # credentials.auth_type names the dialect

CREDENTIAL_FIELDS = {
    BEARER: ("api_key",),
    HMAC: ("u_encoded", "p_encoded", "org_encoded", "secret_key", "host_ip"),
}


def parse_credentials(creds: Any, problems: list) -> Optional[Credentials]:
    if creds is None:
        problems.append("credentials are missing: give an api_key (bearer) or the AroFlo API keys (hmac)")
        return None
    if not isinstance(creds, Mapping):
        problems.append("credentials must be an object with auth_type 'bearer' or 'hmac'")
        return None
    auth_type = creds.get("auth_type")
    if auth_type not in CREDENTIAL_FIELDS:
        problems.append(f"credentials.auth_type must be 'bearer' or 'hmac', got {auth_type!r}")
        return None
    allowed = set(CREDENTIAL_FIELDS[auth_type]) | {"auth_type"}
    for key in sorted(set(creds) - allowed):
        problems.append(f"credentials.{key} is not used by auth_type '{auth_type}'")
    values: MutableMapping[str, Any] = {}
    for key in CREDENTIAL_FIELDS[auth_type]:
        value = creds.get(key)
        if key == "host_ip":
            if value in (None, ""):
                continue
            try:
                ipaddress.ip_address(str(value).strip())
            except ValueError:
                problems.append(f"credentials.host_ip must be an IP address such as 203.0.113.10, got {value!r}")
                continue
            values[key] = str(value).strip()
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"credentials.{key} is required")
            continue
        if not isinstance(value, str):
            what = {bool: "true/false", int: "a number", float: "a number"}.get(type(value), type(value).__name__)
            problems.append(f"credentials.{key} must be text (a JSON string in quotes), got {what}")
            continue
        if value.startswith("<") and value.endswith(">"):
            problems.append(f"credentials.{key} still holds the template placeholder: paste the real value")
            continue
        values[key] = value.strip()
    return Credentials(auth_type=auth_type, **values)
