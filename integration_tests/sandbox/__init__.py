"""Local AroFlo API sandbox (both dialects) for integration tests, demos and benchmarks.

    from integration_tests.sandbox import Dataset, SandboxServer, ZONE_CREDENTIALS
    with SandboxServer(Dataset(users=60)) as s:
        ...  # s.rest_base_url, s.zone_base_url, s.stats()
"""

from .dataset import DEFAULT_NOW, FEED_ZONES, TABLES, Dataset
from .faults import FAULTS, FaultPlan
from .ratelimit import quota_day, request_kind
from .rest import FORBIDDEN_TOKEN
from .server import SandboxServer, single_id_field
from .signing import (BEARER_TOKEN, ZONE_CREDENTIALS, build_zone_headers, compute_signature,
                      encode_uri_component, verify_zone_request)

__all__ = ["BEARER_TOKEN", "DEFAULT_NOW", "FAULTS", "FEED_ZONES", "FORBIDDEN_TOKEN", "TABLES",
           "ZONE_CREDENTIALS", "Dataset", "FaultPlan", "SandboxServer", "build_zone_headers",
           "compute_signature", "encode_uri_component", "quota_day", "request_kind",
           "single_id_field", "verify_zone_request"]
