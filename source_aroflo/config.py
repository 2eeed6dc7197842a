"""The connector's configuration: one place that turns what a person typed into `Settings`.

Two shapes arrive here. Airbyte's form produces the spec shape (`credentials` oneOf, typed
values). The seed's `configuration.json` is flat, holds `api_key` at the top level and every
value as a string (`"100"`, `"true"`). `normalize()` turns the second into the first without
guessing; `parse()` then validates every key and reports *all* problems at once, each in words
a person can act on. Nothing here talks to the network.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from typing import Any, Mapping, Optional
from urllib.parse import urlparse

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .credentials import BEARER, HMAC, parse_credentials
from .values import is_time_zone, time_zones
from .settings import DEFAULT_SITE_TIMEZONE, Settings

DEFAULT_BASE_URLS = {BEARER: "https://api.aroflo.com/v1", HMAC: "https://api.aroflo.com/"}
# The zone API returns at most 500 records a page and every request spends daily quota, so an
# unset page size means the maximum there; the seed's REST API documents 100 as its default.
DEFAULT_PAGE_SIZE = {BEARER: 100, HMAC: 500}
MAX_PAGE_SIZE = {BEARER: 1000, HMAC: 500}
# AroFlo documents 3 requests a second and 120 a minute for the zone API.
DEFAULT_PACING = {HMAC: (3, 120), BEARER: (None, None)}

STREAM_SWITCHES = {
    "users": "enable_users_sync",
    "suppliers": "enable_suppliers_sync",
    "payments": "enable_payments_sync",
}

_INTEGER_RANGES = {
    # key: (minimum, maximum or None, default)
    "initial_sync_days": (1, 365, 90),
    "lookback_window_minutes": (0, 525_600, 0),
    "max_records_per_page": (1, 1000, None),
    "request_timeout_seconds": (1, 600, 30),
    "retry_attempts": (0, 10, 3),
    "requests_per_second": (1, 100, None),
    "requests_per_minute": (1, 6000, None),
    "max_retry_wait_seconds": (1, 3600, 60),
    "sync_frequency_hours": (1, 8760, None),
    # AroFlo's daily quota (zone API): what is kept for the site's other integrations, how far
    # back a date zone's edits are looked for once a day, how often a zone with no change signal
    # is read again, and how many single-id requests one sync may make.
    "daily_quota_reserve": (0, 2000, 400),
    "re_read_window_days": (1, 365, 31),
    "refresh_hours": (1, 8760, 24),
    "single_id_requests_per_sync": (0, 20000, 1000),
}
_BOOLEANS = {
    "enable_users_sync": True,
    "enable_suppliers_sync": True,
    "enable_payments_sync": True,
    "enable_incremental_sync": True,
    "enable_debug_logging": False,
}
_OTHER_KEYS = {"credentials", "base_url", "start_date", "site_timezone"}
# How alike an unknown key must be to a known one to be taken for its typo (difflib's ratio):
# 'intial_sync_days' -> 'initial_sync_days' is 0.97; a key of another connector version resembles none.
TYPO_RATIO = 0.8
KNOWN_KEYS = frozenset(_INTEGER_RANGES) | frozenset(_BOOLEANS) | _OTHER_KEYS
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


class ConfigError(AirbyteTracedException):
    """A configuration a person must fix; Airbyte shows `message` and does not retry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        message = "Invalid configuration: " + "; ".join(problems)
        super().__init__(message=message, internal_message=message, failure_type=FailureType.config_error)


def is_seed_shaped(raw: Mapping[str, Any]) -> bool:
    return "credentials" not in raw and "api_key" in raw


def normalize(raw: Mapping[str, Any]) -> dict:
    """Return the spec-shaped equivalent of `raw` (the seed's flat, all-strings file included).

    Only unambiguous conversions happen here ("100" -> 100, "true" -> True, flat api_key ->
    credentials); anything else is left as it is for `parse()` to report.
    """
    config: dict = dict(raw)
    if is_seed_shaped(config):
        config["credentials"] = {"auth_type": BEARER, "api_key": config.pop("api_key")}
    creds = config.get("credentials")
    if isinstance(creds, Mapping) and "auth_type" not in creds:
        guessed = HMAC if "secret_key" in creds else BEARER if "api_key" in creds else None
        if guessed:
            config["credentials"] = {"auth_type": guessed, **creds}
    for key in _INTEGER_RANGES:
        value = config.get(key)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            config[key] = int(value.strip())
    for key in _BOOLEANS:
        value = config.get(key)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            config[key] = value.strip().lower() in _TRUE
    for key in ("base_url", "start_date", "site_timezone"):
        if isinstance(config.get(key), str) and not config[key].strip():
            del config[key]  # an empty optional field in a form means "not set"
    return config


def parse_datetime(value: str) -> datetime:
    """ISO date or date-time -> aware UTC datetime (a bare date means midnight UTC)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse(raw: Mapping[str, Any], now: Optional[datetime] = None) -> Settings:
    """Validate a configuration; raise `ConfigError` listing every problem found."""
    if not isinstance(raw, Mapping):
        raise ConfigError(["the configuration must be a JSON object"])
    config = normalize(raw)
    problems: list[str] = []

    unknown = []
    for key in sorted(set(config) - KNOWN_KEYS):
        hint = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=TYPO_RATIO)
        if hint:
            problems.append(f"unknown key '{key}' (did you mean '{hint[0]}'?)")
        else:
            unknown.append(key)  # a newer version's key, or one the platform adds: not an error

    credentials = parse_credentials(config.get("credentials"), problems)
    dialect = credentials.auth_type if credentials else BEARER

    numbers = {}
    for key, (low, high, default) in _INTEGER_RANGES.items():
        numbers[key] = _parse_int(config, key, low, high, default, problems)

    flags = {}
    for key, default in _BOOLEANS.items():
        value = config.get(key, default)
        if not isinstance(value, bool):
            problems.append(f"{key} must be true or false, got {value!r}")
            value = default
        flags[key] = value

    base_url = config.get("base_url", DEFAULT_BASE_URLS[dialect])
    if not isinstance(base_url, str):
        problems.append(f"base_url must be a URL string, got {base_url!r}")
    else:
        parsed_url = urlparse(base_url.strip())
        if parsed_url.scheme not in ("http", "https") or not parsed_url.netloc:
            problems.append(f"base_url must start with https:// (or http:// for a local test server), got {base_url!r}")
        base_url = base_url.strip()

    start_date = None
    if config.get("start_date") is not None:
        value = config["start_date"]
        try:
            start_date = parse_datetime(value) if isinstance(value, str) else None
            if start_date is None:
                raise ValueError
        except ValueError:
            problems.append(
                f"start_date must be an ISO date (2024-01-31) or date-time (2024-01-31T00:00:00Z), got {value!r}"
            )
        else:
            if start_date > (now or datetime.now(timezone.utc)):
                problems.append(f"start_date {value!r} is in the future: no record could match it")

    page_size = numbers["max_records_per_page"]
    clamped_from = None
    if page_size is None:
        page_size = DEFAULT_PAGE_SIZE[dialect]
    elif page_size > MAX_PAGE_SIZE[dialect]:
        clamped_from, page_size = page_size, MAX_PAGE_SIZE[dialect]

    per_second, per_minute = DEFAULT_PACING[dialect]
    if numbers["requests_per_second"] is not None:
        per_second = numbers["requests_per_second"]
    if numbers["requests_per_minute"] is not None:
        per_minute = numbers["requests_per_minute"]

    site_timezone = config.get("site_timezone") or DEFAULT_SITE_TIMEZONE
    if not isinstance(site_timezone, str) or not is_time_zone(site_timezone.strip()):
        hint = difflib.get_close_matches(str(site_timezone), time_zones(), n=1)
        problems.append(f"site_timezone must be an IANA time zone name such as Australia/Melbourne, got {site_timezone!r}"
                        + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        site_timezone = DEFAULT_SITE_TIMEZONE
    site_timezone = site_timezone.strip()

    enabled = frozenset(name for name, switch in STREAM_SWITCHES.items() if flags[switch])
    if not enabled and dialect == BEARER and not problems:
        problems.append("every stream is disabled (enable_users_sync, enable_suppliers_sync, enable_payments_sync): "
                        "enable at least one")

    if problems or credentials is None:
        raise ConfigError(problems)
    return Settings(
        credentials=credentials,
        base_url=base_url,
        start_date=start_date,
        initial_sync_days=numbers["initial_sync_days"],
        lookback_window_minutes=numbers["lookback_window_minutes"],
        page_size=page_size,
        page_size_was_clamped_from=clamped_from,
        request_timeout_seconds=numbers["request_timeout_seconds"],
        retry_attempts=numbers["retry_attempts"],
        max_retry_wait_seconds=numbers["max_retry_wait_seconds"],
        requests_per_second=per_second,
        requests_per_minute=per_minute,
        enabled_streams=enabled,
        disabled_streams=frozenset(STREAM_SWITCHES) - enabled,
        incremental=flags["enable_incremental_sync"],
        debug=flags["enable_debug_logging"],
        sync_frequency_hours=numbers["sync_frequency_hours"],
        site_timezone=site_timezone,
        unknown_keys=tuple(unknown),
        daily_quota_reserve=numbers["daily_quota_reserve"],
        re_read_window_days=numbers["re_read_window_days"],
        refresh_hours=numbers["refresh_hours"],
        single_id_requests_per_sync=numbers["single_id_requests_per_sync"],
    )


def _parse_int(config: Mapping[str, Any], key: str, low: int, high: Optional[int], default: Any, problems: list) -> Any:
    if key not in config or config[key] is None:
        return default
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            problems.append(f"{key} must be a whole number, got {value!r}")
            return default
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        problems.append(f"{key} must be {bounds}, got {value}")
        return default
    return value
