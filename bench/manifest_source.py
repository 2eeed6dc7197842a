"""Run `bench/manifest.yaml` with the CDK's `YamlDeclarativeSource`, as a declarative connector's
`run.py` does: `python -m bench.manifest_source read --config CONFIG --catalog CATALOG`."""

from __future__ import annotations

import sys
from pathlib import Path

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

MANIFEST = Path(__file__).with_name("manifest.yaml")


def main(argv=None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    catalog_path = AirbyteEntrypoint.extract_catalog(args)
    config_path = AirbyteEntrypoint.extract_config(args)
    state_path = AirbyteEntrypoint.extract_state(args)
    source = YamlDeclarativeSource(
        path_to_yaml=str(MANIFEST),
        catalog=YamlDeclarativeSource.read_catalog(catalog_path) if catalog_path else None,
        config=YamlDeclarativeSource.read_config(config_path) if config_path else None,
        state=YamlDeclarativeSource.read_state(state_path) if state_path else None,
        config_path=config_path,
    )
    launch(source, args)


if __name__ == "__main__":
    main()
