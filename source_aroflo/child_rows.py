"""A child stream's rows (lines, custom fields), cut from a page of its parent's mapped rows, and
the row a deleted record becomes.

A line keeps its declared objects flattened with `_` and gets its parent's id and version; a
custom field becomes one row per (parent id, field id) with its value also typed by AroFlo's field
type (checkbox, datefield, numeric). A parent that is a deletion row has no lines.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, List, Mapping, Optional

from .declaration import DELETED_AT, OBJECT, Child
from .values import to_bool, to_date, to_number


def _objects(fields: tuple) -> dict:
    """The declared objects among `fields`, each with the declared objects inside it."""
    return {f.name: _objects(f.children) for f in fields if f.kind == OBJECT}


def _flatten(value: Mapping[str, Any], out: dict, objects: dict, prefix: str = "") -> dict:
    """A line's declared objects flattened with `_`; an undeclared object stays one column."""
    for key, item in value.items():
        inner = objects.get(key)
        if inner is not None and type(item) is dict:
            _flatten(item, out, inner, f"{prefix}{key}_")
        else:
            out[prefix + key] = item
    return out


def _typed_value(kind: Any, value: Any) -> tuple:
    """(number, boolean, date) of a custom field's value, by AroFlo's field type."""
    kind = str(kind or "").strip().lower()
    if value is None or (type(value) is str and not value.strip()):
        return None, None, None
    if kind == "checkbox":
        flag = to_bool(value)
        return None, flag if type(flag) is bool else None, None
    if kind == "datefield":
        day = to_date(value) if type(value) is str else None
        return None, None, day if day and len(day) == 10 and day[4] == "-" else None
    if kind == "numeric":
        number = to_number(value)
        return (number if type(number) in (int, float) else None), None, None
    return None, None, None


def build_child_rows(child: Child, columns: Mapping[str, dict]) -> Callable[[Iterable[dict]], List[dict]]:
    """The function that cuts a page of the parent's mapped rows into the child's rows."""
    parent_key = child.parent_key if child.parent.seed is None else "id"
    array, cursor, key = child.array, child.cursor_column, child.parent_key
    template = dict.fromkeys(columns)
    objects = {} if child.custom_fields else _objects(child.item.children)

    def line(item: dict, ident: Any, version: Any) -> Optional[dict]:
        row = template.copy()
        _flatten(item, row, objects)
        row[key], row[cursor] = ident, version
        if row.get(child.item_key) is None:
            return None  # a line AroFlo sent without its id cannot be keyed
        row[child.item_key] = str(row[child.item_key])
        return row

    def custom_field(item: dict, ident: Any, version: Any) -> Optional[dict]:
        if item.get("fieldid") in (None, "", " "):
            return None
        value = item.get("value")
        number, flag, day = _typed_value(item.get("type"), value)
        archived = to_bool(item.get("archived"))
        return {key: ident, "fieldid": str(item["fieldid"]), "name": item.get("name"), "type": item.get("type"),
                "archived": archived if type(archived) is bool else None,
                "value": None if value is None else str(value), "value_number": number,
                "value_boolean": flag, "value_date": day, cursor: version}

    cut = custom_field if child.custom_fields else line

    def rows(parents: Iterable[dict]) -> List[dict]:
        out = []
        for parent in parents:
            items = parent.get(array)
            if type(items) is not list or parent.get(DELETED_AT) is not None:
                continue
            ident, version = parent.get(parent_key), parent.get(cursor)
            for item in items:
                if type(item) is dict:
                    row = cut(item, ident, version)
                    if row is not None:
                        out.append(row)
        return out

    return rows


def deletion_row(key_columns: tuple, ident: Any, cursor: str, stamp: str) -> dict:
    """What a record AroFlo no longer returns becomes: its key, its cursor and `_ab_cdc_deleted_at`."""
    row = {column: None for column in key_columns}
    row[key_columns[0]] = ident
    row[cursor] = stamp
    row[DELETED_AT] = stamp
    return row
