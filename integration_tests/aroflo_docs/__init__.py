"""AroFlo's documented facts (apidocs.aroflo.com), as data: see README.md here.

- `load()`: zones.json parsed, zone name -> its documented facts.
- `example(zone)`: one of AroFlo's example response bodies of that zone (`examples/<zone>.json`).
- `example_zones()`: the zones that have an example body here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Tuple

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "examples"


@lru_cache(maxsize=1)
def _zones() -> str:
    return (HERE / "zones.json").read_text(encoding="utf-8")


def load() -> Dict[str, Any]:
    """Every documented zone -> {doc, get, where, where_used, default_where, order, joins, list_key, fields, notes?}."""
    return json.loads(_zones())  # a fresh copy each call: callers may change it


def example(zone: str) -> Dict[str, Any]:
    """AroFlo's example body of `zone` (envelope and all), as the docs show it."""
    return json.loads((EXAMPLES / f"{zone}.json").read_text(encoding="utf-8"))


def example_zones() -> Tuple[str, ...]:
    return tuple(sorted(path.stem for path in EXAMPLES.glob("*.json")))
