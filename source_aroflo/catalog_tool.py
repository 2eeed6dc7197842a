"""`python -m source_aroflo.catalog_tool --config secrets/config.json > catalog.json` (or `make catalog`):
a configured catalog of every stream discover offers with this configuration, for `read`.

Each stream is incremental (append + dedup on its primary key) where it supports it, else a full
refresh (overwrite): what an Airbyte connection with every stream selected sends. `--mode
full_refresh` asks for full refreshes only; `--streams a,b` selects some streams.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type


def configured(catalog: dict, mode: str = "incremental", streams: Optional[List[str]] = None) -> dict:
    wanted = set(streams or ())
    out = []
    for stream in catalog["streams"]:
        if wanted and stream["name"] not in wanted:
            continue
        incremental = mode == "incremental" and "incremental" in stream["supported_sync_modes"]
        out.append({"stream": stream, "sync_mode": "incremental" if incremental else "full_refresh",
                    "destination_sync_mode": "append_dedup" if incremental else "overwrite",
                    "cursor_field": list(stream.get("default_cursor_field") or []) if incremental else [],
                    "primary_key": stream.get("source_defined_primary_key") or []})
    return {"streams": out}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="the connector's config file")
    parser.add_argument("--mode", choices=("incremental", "full_refresh"), default="incremental")
    parser.add_argument("--streams", default="", help="comma-separated stream names (default: every stream)")
    args = parser.parse_args(argv)
    from .source import SourceAroflo
    from .state import read_input_file

    source = SourceAroflo()
    config = source.configure(read_input_file("config", args.config), "")
    message = AirbyteMessage(type=Type.CATALOG, catalog=source.discover(None, config))  # type: ignore[arg-type]
    catalog = AirbyteMessageSerializer.dump(message)["catalog"]
    streams = [s.strip() for s in args.streams.split(",") if s.strip()]
    json.dump(configured(catalog, args.mode, streams), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
