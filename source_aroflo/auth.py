"""How requests prove who they are: a bearer token (seed REST API) or AroFlo's HMAC-SHA512 signature.

The HMAC signature covers the query string, so it must be computed over the very bytes that go
on the wire. `ZoneHmacAuth` is a `requests` auth hook: it runs on the *prepared* request, reads
the query back from the final URL and signs that, with a fresh `afdatetimeutc` on every call.
The CDK's HttpClient calls the session's auth hook again before each retry, so a retried
request is re-signed with a new timestamp (a stale one is answered "Payload has expired").
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from typing import Callable, Optional
from urllib.parse import quote, urlsplit

import requests
from airbyte_cdk.sources.streams.http.requests_native_auth import TokenAuthenticator

from .declaration import ZONE
from .settings import Credentials

ACCEPT = "text/json"
# encodeURIComponent leaves these alone besides letters and digits.
_URI_COMPONENT_SAFE = "-_.!~*'()"


def encode_uri_component(value: str) -> str:
    """JavaScript's encodeURIComponent: spaces become %20 (never +), `|` becomes %7C, `*` stays."""
    return quote(value, safe=_URI_COMPONENT_SAFE)


def authorization_value(credentials: Credentials) -> str:
    return (
        f"uencoded={encode_uri_component(credentials.u_encoded or '')}"
        f"&pencoded={encode_uri_component(credentials.p_encoded or '')}"
        f"&orgEncoded={encode_uri_component(credentials.org_encoded or '')}"
    )


def format_timestamp(moment: datetime) -> str:
    """`afdatetimeutc`: ISO-8601 UTC with milliseconds and Z."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sign(secret_key: str, *, method: str, host_ip: Optional[str], accept: str, authorization: str,
         timestamp: str, var_string: str) -> str:
    """AroFlo's signature: HMAC-SHA512 over the fields joined with '+', lower-case hex.

    Field order: method, HostIP (left out entirely when not used), urlPath (always empty),
    accept, Authorization value, afdatetimeutc, the query string as sent.
    """
    fields = [method.upper()]
    if host_ip:
        fields.append(host_ip)
    fields += ["", accept, authorization, timestamp, var_string]
    message = "+".join(fields)
    return hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha512).hexdigest()


class ZoneHmacAuth(requests.auth.AuthBase):
    """Signs each prepared request for AroFlo's zone API."""

    def __init__(self, credentials: Credentials, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self._secret = credentials.secret_key or ""
        self._host_ip = credentials.host_ip
        self._authorization = authorization_value(credentials)
        self._clock = clock

    def __repr__(self) -> str:
        return "ZoneHmacAuth(...)"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        timestamp = format_timestamp(self._clock())
        var_string = urlsplit(request.url or "").query
        signature = sign(
            self._secret,
            method=request.method or "GET",
            host_ip=self._host_ip,
            accept=ACCEPT,
            authorization=self._authorization,
            timestamp=timestamp,
            var_string=var_string,
        )
        request.headers["Authentication"] = f"HMAC {signature}"
        request.headers["Authorization"] = self._authorization
        request.headers["Accept"] = ACCEPT
        request.headers["afdatetimeutc"] = timestamp
        if self._host_ip:
            request.headers["HostIP"] = self._host_ip
        return request


def build_authenticator(credentials: Credentials) -> requests.auth.AuthBase:
    if credentials.auth_type == ZONE:
        return ZoneHmacAuth(credentials)
    return TokenAuthenticator(token=credentials.api_key or "")
