"""The floor for CPU per record: a bare `requests` loop over the REST endpoints.

No CDK, no mapping, no state: page by number, `response.json()`, one Airbyte RECORD line per
record on stdout. `python -m bench.reference_reader read --config CONFIG [--catalog CATALOG]`,
CONFIG = {"base_url", "api_key", "page_size"} (the catalog, when given, names the streams).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import requests

TABLES = ("users", "suppliers", "payments")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["read"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--catalog")
    args = parser.parse_args(argv)
    with open(args.config) as handle:
        config = json.load(handle)
    streams = TABLES
    if args.catalog:
        with open(args.catalog) as handle:
            streams = [c["stream"]["name"] for c in json.load(handle)["streams"]]
    base = config["base_url"].rstrip("/")
    size = int(config.get("page_size", 1000))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {config['api_key']}"
    out = sys.stdout
    dumps = json.dumps
    for table in streams:
        page = 1
        while True:
            response = session.get(f"{base}/{table}", params={"page": page, "per_page": size}, timeout=60)
            response.raise_for_status()
            records = response.json()["data"]
            emitted_at = int(time.time() * 1000)
            for record in records:
                out.write(dumps({"type": "RECORD", "record": {"stream": table, "data": record,
                                                               "emitted_at": emitted_at}},
                                separators=(",", ":")) + "\n")
            if len(records) < size:
                break
            page += 1
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
