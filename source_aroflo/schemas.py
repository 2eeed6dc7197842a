"""JSON schemas, derived from the declarations.

- A zone stream's columns are its declared fields, objects flattened with `_`, each typed by its
  kind (`fields.py`); arrays are arrays of objects whose declared fields are typed too; then the
  cursor column (`updated_at`, or `read_at` for zones without an update time) and Airbyte's
  `_ab_cdc_deleted_at` (set on a record AroFlo deleted).
- The seed tables' columns (the seed README's three tables) come first in both dialects; in the zone dialect the
  zone's other fields follow (those the column rules do not turn into seed columns), in the REST
  dialect the REST API's own extra fields.
- A child stream (lines, custom fields) has its parent's id, the item's fields (objects
  flattened), and the parent's cursor column: the version of the parent the row belongs to.

Fields AroFlo adds later still come through: no schema sets `additionalProperties: false`.
"""

from __future__ import annotations

from typing import Any, Dict

from .declaration import ZONE
from .fields import ARRAY, OBJECT, Field

STRING = {"type": ["null", "string"]}
INTEGER = {"type": ["null", "integer"]}
NUMBER = {"type": ["null", "number"]}
BOOLEAN = {"type": ["null", "boolean"]}
DATE_TIME = {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
DATE = {"type": ["null", "string"], "format": "date"}
ANY_ARRAY = {"type": ["null", "array"], "items": {"type": ["null", "object", "string", "number", "boolean"]}}
ANY_OBJECT = {"type": ["null", "object"]}

KIND_SCHEMAS = {"id": STRING, "text": STRING, "int": INTEGER, "num": NUMBER, "bool": BOOLEAN,
                "date": DATE, "utc": DATE_TIME, "local": DATE_TIME}
# The columns of a custom-field row besides the parent's id and cursor (AroFlo's custom field
# types: text, numeric, Datefield, checkbox, radio, Select, textarea).
CUSTOM_FIELD_COLUMNS = {"fieldid": {"type": "string"}, "name": STRING, "type": STRING, "archived": BOOLEAN,
                        "value": STRING, "value_number": NUMBER, "value_boolean": BOOLEAN, "value_date": DATE}


def field_schema(f: Field) -> dict:
    if f.kind == ARRAY:
        if not f.children:
            return dict(ANY_ARRAY)
        return {"type": ["null", "array"],
                "items": {"type": ["null", "object"], "properties": {c.name: field_schema(c) for c in f.children}}}
    if f.kind == OBJECT:
        return {"type": ["null", "object"], "properties": {c.name: field_schema(c) for c in f.children}}
    return dict(KIND_SCHEMAS[f.kind])


def columns(declaration: Any, dialect: str) -> Dict[str, dict]:
    """Every column of the stream of a `Zone` or `Child`, in order, with its JSON schema."""
    from .declaration import DELETED_AT, REST, Child

    if isinstance(declaration, Child):
        return _child_columns(declaration)
    zone = declaration
    out: Dict[str, dict] = {}
    if zone.seed is not None:
        out.update({name: dict(schema) for name, schema in zone.seed.columns.items()})
        if dialect == REST:
            out.update({name: dict(schema) for name, schema in zone.seed.rest_extra.items()})
            for key in zone.seed.rest_objects:
                out.setdefault(key, dict(ANY_OBJECT))  # parts it sends beyond the declared columns
            return out
        consumed = {source for rule in zone.seed.zone_rules.values() for source in rule.consumes}
        for name, f in zone.columns():
            if name not in consumed and name not in out:
                out[name] = field_schema(f)
    else:
        for name, f in zone.columns():
            out[name] = field_schema(f)
    out.setdefault(zone.cursor_column, dict(DATE_TIME))
    out[DELETED_AT] = dict(DATE_TIME)
    for key in zone.key:
        out[key] = {**out[key], "type": "string"}  # a primary key is never null
    return out


def _child_columns(child: Any) -> Dict[str, dict]:
    out: Dict[str, dict] = {child.parent_key: {"type": "string"}}
    if child.custom_fields:
        out.update({name: dict(schema) for name, schema in CUSTOM_FIELD_COLUMNS.items()})
    else:
        for item in child.item.children:
            for name, f in item.flat():
                out.setdefault(name, field_schema(f))
        out[child.item_key] = {"type": "string"}
    parent_cursor = columns(child.parent, ZONE)[child.cursor_column]
    out[child.cursor_column] = dict(parent_cursor)
    return out


def json_schema(declaration: Any, dialect: str) -> dict:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": list(declaration.key),
        "properties": columns(declaration, dialect),
    }
