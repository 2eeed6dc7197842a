"""A minimal CDK source for the same REST API: one `HttpStream` per table, no mapping.

Page-number paging, `response.json()["data"]` parsed once per page, records passed on as the
API sent them. It is what the connector costs without its own work (mapping, keyset paging,
state, parallel streams), so connector CPU / this CPU is the price of that work.
`python -m bench.minimal_cdk_source read --config CONFIG --catalog CATALOG`,
CONFIG = {"base_url", "api_key", "page_size"}.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable, List, Mapping, MutableMapping, Optional, Tuple

import requests
from airbyte_cdk.entrypoint import launch
from airbyte_cdk.models import ConnectorSpecification
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.requests_native_auth import TokenAuthenticator

TABLES = ("users", "suppliers", "payments")
SPEC = {"type": "object", "required": ["base_url", "api_key"],
        "properties": {"base_url": {"type": "string"}, "api_key": {"type": "string", "airbyte_secret": True},
                       "page_size": {"type": "integer"}}}


class Table(HttpStream):
    primary_key = "id"

    def __init__(self, table: str, base_url: str, page_size: int, authenticator: Any):
        self._table = table
        self._base = base_url.rstrip("/") + "/"
        self._page_size = page_size
        self._last_count = 0
        super().__init__(authenticator=authenticator)

    @property
    def name(self) -> str:
        return self._table

    @property
    def url_base(self) -> str:
        return self._base

    def path(self, **kwargs: Any) -> str:
        return self._table

    def get_json_schema(self) -> Mapping[str, Any]:
        return {"type": "object", "additionalProperties": True, "properties": {}}

    def request_params(self, next_page_token: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> MutableMapping[str, Any]:
        return {"page": (next_page_token or {}).get("page", 1), "per_page": self._page_size}

    def next_page_token(self, response: requests.Response) -> Optional[Mapping[str, Any]]:
        if self._last_count < self._page_size:
            return None
        page = int(response.request.url.split("page=")[1].split("&")[0])
        return {"page": page + 1}

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        records = response.json()["data"]
        self._last_count = len(records)
        yield from records


class MinimalSource(AbstractSource):
    def spec(self, logger: Any) -> ConnectorSpecification:
        return ConnectorSpecification(connectionSpecification=SPEC)

    def check_connection(self, logger: Any, config: Mapping[str, Any]) -> Tuple[bool, Optional[Any]]:
        return True, None

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        auth = TokenAuthenticator(token=config["api_key"])
        size = int(config.get("page_size", 1000))
        return [Table(t, config["base_url"], size, auth) for t in TABLES]


if __name__ == "__main__":
    launch(MinimalSource(), sys.argv[1:])
