"""REST (bearer) dialect: auth, parameter validation and paging (the bearer-token API the seed README describes).

Strict on purpose: bad parameters get 400 so connector bugs surface in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .dataset import TABLES, Dataset

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
FORBIDDEN_TOKEN = "sandbox-forbidden"  # a valid-looking token without access -> 403


class RestError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class RestQuery:
    table: str
    page: int
    per_page: int
    since_ts: float | None


def check_bearer(authorization: str | None, token: str) -> None:
    if not authorization:
        raise RestError(401, "Missing Authorization header (expected 'Bearer <api_key>')")
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise RestError(401, "Authorization must be 'Bearer <api_key>'")
    if value.strip() == FORBIDDEN_TOKEN:
        raise RestError(403, "API key is not authorized for this resource")
    if value.strip() != token:
        raise RestError(401, "Invalid API key")


def parse_modified_since(value: str) -> float:
    """ISO-8601 with `Z` or an offset; naive or malformed values are rejected."""
    hint = ""
    if " " in value.strip():
        hint = " (a '+' in the query string must be sent as %2B)"
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RestError(400, f"Invalid modified_since {value!r}: expected ISO-8601, "
                             f"e.g. 2025-10-31T12:00:00Z{hint}") from None
    if dt.tzinfo is None:
        raise RestError(400, f"Invalid modified_since {value!r}: include a UTC offset or 'Z'"
                             f"{hint}")
    return dt.timestamp()


def _int(name: str, raw: str, lo: int, hi: int | None) -> int:
    try:
        v = int(raw)
    except ValueError:
        raise RestError(400, f"Invalid {name}: {raw!r} is not an integer") from None
    if v < lo or (hi is not None and v > hi):
        rng = f"{lo}-{hi}" if hi is not None else f">= {lo}"
        raise RestError(400, f"Invalid {name}: {v} (allowed {rng})")
    return v


def parse_rest_query(resource: str, params: list[tuple[str, str]]) -> RestQuery:
    if resource not in TABLES:
        raise RestError(404, f"Unknown resource {resource!r}")
    d = dict(params)
    page = _int("page", d["page"], 1, None) if "page" in d else 1
    per_page = _int("per_page", d["per_page"], 1, MAX_PER_PAGE) if "per_page" in d \
        else DEFAULT_PER_PAGE
    since = parse_modified_since(d["modified_since"]) if d.get("modified_since") else None
    return RestQuery(resource, page, per_page, since)


def rest_page_indices(ds: Dataset, q: RestQuery, page: int | None = None) -> list[int]:
    """Record indices of one page: updated_at >= modified_since, by (updated_at, id)."""
    p = page or q.page
    start = (p - 1) * q.per_page
    return ds.rest_query(q.table, q.since_ts)[start:start + q.per_page]


def rest_page(ds: Dataset, q: RestQuery, page: int | None = None) -> list[dict]:
    with ds.lock:
        return [ds.rest_record(q.table, i) for i in rest_page_indices(ds, q, page)]
