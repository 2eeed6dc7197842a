"""Zone-API authentication: HMAC-SHA512 signature and header checks (apidocs.aroflo.com).

Implemented independently of the connector so the sandbox can catch signing bugs.
The signed `varString` is the raw query string exactly as it arrived on the wire.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote

ZONE_CREDENTIALS = {
    "u_encoded": "sandbox-user",
    "p_encoded": "sandbox-pass",
    "org_encoded": "sandbox-org",
    "secret_key": "sandbox-secret",
}
BEARER_TOKEN = "sandbox-token"
DEFAULT_MAX_SKEW_S = 300.0

_ENC_SAFE = "-_.!~*'()"


def encode_uri_component(value: str) -> str:
    """JavaScript encodeURIComponent (space -> %20, never '+')."""
    return quote(str(value), safe=_ENC_SAFE)


def authorization_value(u_encoded: str, p_encoded: str, org_encoded: str) -> str:
    return (f"uencoded={encode_uri_component(u_encoded)}&pencoded={encode_uri_component(p_encoded)}"
            f"&orgEncoded={encode_uri_component(org_encoded)}")


def signing_message(method: str, accept: str, authorization: str, afdatetimeutc: str,
                    var_string: str, host_ip: str | None = None) -> str:
    """METHOD + [HostIP] + urlPath('') + accept + Authorization + afdatetimeutc + varString."""
    parts = [method.upper()]
    if host_ip is not None:
        parts.append(host_ip)
    parts += ["", accept, authorization, afdatetimeutc, var_string]
    return "+".join(parts)


def compute_signature(secret_key: str, method: str, accept: str, authorization: str,
                      afdatetimeutc: str, var_string: str, host_ip: str | None = None) -> str:
    msg = signing_message(method, accept, authorization, afdatetimeutc, var_string, host_ip)
    return hmac.new(secret_key.encode("utf-8"), msg.encode("utf-8"), hashlib.sha512).hexdigest()


def build_zone_headers(var_string: str, credentials: dict | None = None, *,
                       host_ip: str | None = None, when: datetime | None = None,
                       accept: str = "text/json", method: str = "GET") -> dict:
    """Reference signer for tests/demos: headers for a request whose query is `var_string`."""
    c = credentials or ZONE_CREDENTIALS
    auth = authorization_value(c["u_encoded"], c["p_encoded"], c["org_encoded"])
    when = when or datetime.now(timezone.utc)
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{when.microsecond // 1000:03d}Z"
    sig = compute_signature(c["secret_key"], method, accept, auth, stamp, var_string, host_ip)
    headers = {"Authentication": f"HMAC {sig}", "Authorization": auth, "Accept": accept,
               "afdatetimeutc": stamp}
    if host_ip is not None:
        headers["HostIP"] = host_ip
    return headers


def parse_afdatetimeutc(value: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None
    return dt


class ZoneAuthResult:
    __slots__ = ("status", "message")

    def __init__(self, status: str, message: str):
        self.status, self.message = status, message

    @property
    def ok(self) -> bool:
        return self.status == "0"


def verify_zone_request(method: str, raw_query: str, headers, credentials: dict,
                        now_ts: float, max_skew_s: float = DEFAULT_MAX_SKEW_S) -> ZoneAuthResult:
    """Check a zone request the way AroFlo answers: body status codes, never HTTP errors.

    Order: required headers -> credentials (login failure "1") -> timestamp
    ("Payload has expired") -> signature ("-99999").
    """
    def h(name):
        return headers.get(name)

    authn, authz, stamp, accept = h("Authentication"), h("Authorization"), h("afdatetimeutc"), \
        h("Accept")
    missing = [n for n, v in (("Authentication", authn), ("Authorization", authz),
                              ("afdatetimeutc", stamp), ("Accept", accept)) if not v]
    if missing:
        return ZoneAuthResult("-99999", "Authentication failed: missing required header(s) "
                              + ", ".join(missing))
    fields = {k.lower(): v for k, v in parse_qsl(authz, keep_blank_values=True)}
    if not {"uencoded", "pencoded", "orgencoded"} <= fields.keys():
        return ZoneAuthResult("-99999", "Authentication failed: API setup invalid "
                              "(Authorization must carry uencoded, pencoded, orgEncoded)")
    if fields["orgencoded"] != credentials["org_encoded"]:
        return ZoneAuthResult("2", "Login failed: organisation not found")
    if fields["uencoded"] != credentials["u_encoded"] or \
            fields["pencoded"] != credentials["p_encoded"]:
        return ZoneAuthResult("1", "Login failed: invalid username or password")
    when = parse_afdatetimeutc(stamp)
    if when is None:
        return ZoneAuthResult("-99999", "Authentication failed: afdatetimeutc is not an "
                              "ISO-8601 UTC timestamp")
    if abs(when.timestamp() - now_ts) > max_skew_s:
        return ZoneAuthResult("-99999", "Payload has expired")
    scheme, _, sig = authn.strip().partition(" ")
    if scheme.upper() != "HMAC" or not sig:
        return ZoneAuthResult("-99999", "Authentication failed: Authentication header must be "
                              "'HMAC <hex>'")
    host_ip = h("HostIP")
    expected = compute_signature(credentials["secret_key"], method, accept, authz, stamp,
                                 raw_query, host_ip)
    if not hmac.compare_digest(expected, sig.strip()):  # contract: lower-case hex
        return ZoneAuthResult("-99999", "Authentication failed: HMAC signature mismatch")
    return ZoneAuthResult("0", "Login OK")
