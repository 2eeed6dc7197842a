"""The docs' streams table, derived from the zone declarations.

`python -m source_aroflo.docs` writes it between the `<!-- streams-table:start -->` and
`<!-- streams-table:end -->` markers of README.md and docs/aroflo.md; a unit test fails when
either file holds another table than the declarations give.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

from .declaration import Reading, Zone
from .zones import CHILDREN, ZONES

START, END = "<!-- streams-table:start -->", "<!-- streams-table:end -->"
FILES = ("README.md", "docs/aroflo.md")

_HOW = {
    Reading.REFRESH: "full refresh, incremental: read in full every `refresh_hours`",
    Reading.SEEK_TIME: "full refresh, incremental on its update time",
    Reading.WINDOW: "full refresh, incremental on a date (new every sync, re-read window daily)",
    Reading.FEED: "full refresh, incremental through the change feed",
    Reading.FEED_OR_SEEK: "full refresh, incremental through the change feed or its update time (fewer requests)",
}
_JOINED = {"lineitems": "lines", "stocklevels": "stock levels", "tasktotals": "task totals", "items": "items"}


def _notes(zone: Zone) -> str:
    notes = []
    if zone.rest:
        notes.append("seed table (also in the REST dialect), seed columns first")
    if zone.joins:
        notes.append(", ".join(f"{_JOINED.get(j, j)} via `join={j}`" for j in zone.joins))
    if zone.list_key != zone.name:
        notes.append(f"AroFlo's list key `{zone.list_key}`")
    if zone.cursor:
        source = f"`{zone.cursor_key}`" + (" (site-local)" if zone.cursor_kind == "local" else "")
        if zone.cursor_key != zone.cursor:
            source += f", filtered as `{zone.cursor}`"
        notes.append("update time " + source)
    if zone.window:
        notes.append(f"date `{zone.window}`" + (" (future dates too)" if zone.future else ""))
    if zone.reading.uses_feed and zone.id_where != zone.id:
        notes.append(f"fetched by `{zone.id_where}`")
    if zone.caveat:
        notes.append("see Sync modes for what it cannot see")
    if zone.deleted:
        notes.append(f"deleted records: `_ab_cdc_deleted_at` from `{zone.deleted}`")
    if not zone.id_where and zone.name != "lastupdate":
        notes.append("no where field: read without one (no default filter documented)")
    return "; ".join(notes)


def streams_table() -> str:
    rows: List[str] = [
        "| stream (= AroFlo zone) | primary key | sync modes | cursor | what it holds | notes |",
        "|---|---|---|---|---|---|",
    ]
    for zone in ZONES:
        key = ", ".join(f"`{k}`" for k in zone.key)
        cursor = f"`{zone.cursor_column}`"
        rows.append(f"| `{zone.name}` | {key} | {_HOW[zone.reading]} | {cursor} | {zone.doc} | {_notes(zone)} |")
    for child in CHILDREN:
        key = ", ".join(f"`{k}`" for k in child.key)
        rows.append(f"| `{child.name}` | {key} | as its parent `{child.parent.name}`, at no request of its own | "
                    f"`{child.cursor_column}` (the parent's) | {child.doc} | from `join={child.join}` |")
    return "\n".join(rows)


def with_table(text: str) -> str:
    """`text` with the generated table between its markers (ValueError when it has none)."""
    start, end = text.index(START) + len(START), text.index(END)
    return text[:start] + "\n" + streams_table() + "\n" + text[end:]


def main(root: str = ".") -> int:
    for name in FILES:
        path = Path(root) / name
        text = path.read_text(encoding="utf-8")
        updated = with_table(text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"{name}: streams table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
