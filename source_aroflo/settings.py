"""The connector's settings, validated and typed: what `config.parse` builds from what a person typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

SECRET_FIELDS = ("api_key", "secret_key", "p_encoded", "u_encoded", "org_encoded")
DEFAULT_SITE_TIMEZONE = "Australia/Melbourne"  # where AroFlo's day and its limits reset


@dataclass(frozen=True)
class Credentials:
    auth_type: str
    api_key: Optional[str] = None
    u_encoded: Optional[str] = None
    p_encoded: Optional[str] = None
    org_encoded: Optional[str] = None
    secret_key: Optional[str] = None
    host_ip: Optional[str] = None

    def __repr__(self) -> str:  # never print a secret, even in a debugger or a traceback
        return f"Credentials(auth_type={self.auth_type!r}, ...)"

    def secret_values(self) -> list[str]:
        return [v for v in (getattr(self, f) for f in SECRET_FIELDS) if v]


@dataclass(frozen=True)
class Settings:
    """Validated, typed configuration. Built only by `parse()`."""

    credentials: Credentials
    base_url: str
    start_date: Optional[datetime]
    initial_sync_days: int
    lookback_window_minutes: int
    page_size: int
    page_size_was_clamped_from: Optional[int]
    request_timeout_seconds: int
    retry_attempts: int
    max_retry_wait_seconds: int
    requests_per_second: Optional[int]
    requests_per_minute: Optional[int]
    enabled_streams: frozenset  # the seed tables switched on
    disabled_streams: frozenset  # the seed tables switched off (every other zone is chosen in the catalog)
    incremental: bool
    debug: bool
    sync_frequency_hours: Optional[int]
    site_timezone: str = DEFAULT_SITE_TIMEZONE
    unknown_keys: tuple = ()  # keys that resemble no known key: accepted, with a warning
    daily_quota_reserve: int = 400
    re_read_window_days: int = 31
    refresh_hours: int = 24
    single_id_requests_per_sync: int = 1000

    @property
    def dialect(self) -> str:
        return self.credentials.auth_type

    @property
    def site_tz(self) -> ZoneInfo:
        return ZoneInfo(self.site_timezone)

    def first_sync_start(self, now: datetime) -> datetime:
        """Where the first incremental sync starts: `start_date` wins over `initial_sync_days`."""
        return self.start_date or (now - timedelta(days=self.initial_sync_days))
