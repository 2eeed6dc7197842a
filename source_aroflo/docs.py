"""The parts of the docs that are generated, so they cannot drift from the code and the recipes.

`python -m source_aroflo.docs` (or `make docs`) writes:

- the streams table, derived from the zone declarations (`zones/`), between the
  `<!-- streams-table:start -->` and `<!-- streams-table:end -->` markers of README.md and
  docs/aroflo.md;
- the SQL recipes, every `docs/recipes/*.sql` file as it is, between the `<!-- recipes:start -->`
  and `<!-- recipes:end -->` markers of docs/aroflo.md.

`unit_tests/test_metadata.py` fails when either file holds something else than this gives.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

from .declaration import Reading, Zone
from .zones import CHILDREN, ZONES

START, END = "<!-- streams-table:start -->", "<!-- streams-table:end -->"
FILES = ("README.md", "docs/aroflo.md")
RECIPES_START, RECIPES_END = "<!-- recipes:start -->", "<!-- recipes:end -->"
RECIPES_FILE = "docs/aroflo.md"
RECIPES_DIR = "docs/recipes"

_JOINED = {"lineitems": "lines", "stocklevels": "stock levels", "tasktotals": "task totals", "items": "items"}


def _how(zone: Zone) -> str:
    """How an incremental sync reads the zone (a full refresh reads every record)."""
    reading = zone.reading
    if reading is Reading.FEED:
        return "FEED: the change feed's changed ids, fetched by id"
    if reading is Reading.FEED_OR_SEEK:
        return "FEED: the change feed's changed ids, fetched by id, or a seek on its update time when that is fewer requests"
    if reading is Reading.SEEK_TIME:
        if zone.change_feed:
            return "SEEK_TIME: a seek on its time (no daily limit)"
        return "SEEK_TIME: a seek on its update time"
    if reading is Reading.WINDOW:
        future = ", future ones included" if zone.future else ""
        return (f"WINDOW on `{zone.window}`: records dated from the day before the last sync{future}; "
                f"once a day the last `re_read_window_days`")
    return "REFRESH: every record, at most every `refresh_hours`"


def _notes(zone: Zone) -> str:
    notes = []
    if zone.rest:
        notes.append("seed table (also in the REST dialect), seed columns first")
    if zone.newest and not zone.change_feed:
        notes.append(f"first sync newest first on `{zone.newest}`")
    if zone.joins:
        notes.append(", ".join(f"{_JOINED.get(j, j)} via `join={j}`" for j in zone.joins))
    if zone.list_key != zone.name:
        notes.append(f"AroFlo's list key `{zone.list_key}`")
    if zone.cursor:
        source = f"`{zone.cursor_key}`" + (" (site-local)" if zone.cursor_kind == "local" else "")
        if zone.cursor_key != zone.cursor:
            source += f", filtered as `{zone.cursor}`"
        notes.append("update time " + source)
    if zone.reading.uses_feed and zone.id_where != zone.id:
        notes.append(f"fetched by `{zone.id_where}`")
    if zone.caveat:
        notes.append("an edit older than the re-read window is not seen (see How each zone is read)")
    if zone.deleted:
        notes.append(f"`_ab_cdc_deleted_at` also from `{zone.deleted}`")
    if not zone.id_where and not zone.change_feed:
        notes.append("no id where field: read without a `where` (AroFlo documents no default filter)")
    return "; ".join(notes)


def streams_table() -> str:
    rows: List[str] = [
        "| stream | primary key | cursor | how an incremental sync reads it | what it holds | notes |",
        "|---|---|---|---|---|---|",
    ]
    for zone in ZONES:
        key = ", ".join(f"`{k}`" for k in zone.key)
        rows.append(f"| `{zone.name}` | {key} | `{zone.cursor_column}` | {_how(zone)} | {zone.doc} | {_notes(zone)} |")
    for child in CHILDREN:
        key = ", ".join(f"`{k}`" for k in child.key)
        join = f"from `join={child.join}`"
        if child.join not in child.parent.joins:
            join += f" (added to `{child.parent.name}`'s requests when this stream is selected)"
        rows.append(f"| `{child.name}` | {key} | `{child.cursor_column}` (its parent's) | with its parent "
                    f"`{child.parent.name}`, at no request of its own | {child.doc} | {join} |")
    return "\n".join(rows)


def recipes_section(root: str = ".") -> str:
    """Every `docs/recipes/*.sql`, in name order: its path, then its SQL as it is."""
    files = sorted((Path(root) / RECIPES_DIR).glob("*.sql"))
    if not files:
        return (f"(No recipe yet: `make docs` puts every `{RECIPES_DIR}/*.sql` here.)")
    parts = []
    for path in files:
        sql = path.read_text(encoding="utf-8").strip("\n")
        parts.append(f"#### `{RECIPES_DIR}/{path.name}`\n\n```sql\n{sql}\n```")
    return "\n\n".join(parts)


def _between(text: str, start: str, end: str, content: str) -> str:
    """`text` with `content` between its markers (ValueError when it has none)."""
    first, last = text.index(start) + len(start), text.index(end)
    return text[:first] + "\n" + content + "\n" + text[last:]


def with_table(text: str) -> str:
    """`text` with the generated streams table between its markers (ValueError when it has none)."""
    return _between(text, START, END, streams_table())


def with_recipes(text: str, root: str = ".") -> str:
    """`text` with the recipes between their markers (ValueError when it has none)."""
    return _between(text, RECIPES_START, RECIPES_END, recipes_section(root))


def main(root: str = ".") -> int:
    for name in FILES:
        path = Path(root) / name
        text = path.read_text(encoding="utf-8")
        updated = with_table(text)
        if name == RECIPES_FILE:
            updated = with_recipes(updated, root)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"{name}: generated parts updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
