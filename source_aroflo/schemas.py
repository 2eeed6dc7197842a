"""JSON schemas, derived from the zone declarations.

- A zone stream's columns are its declared fields, objects flattened with `_`, each typed by its
  kind (`declaration.py`); arrays are arrays of objects whose declared fields are typed too; a
  stream with an incremental cursor also has `updated_at`.
- The seed tables' columns (contract §3) come first in both dialects; in the zone dialect the
  zone's other fields follow (those the column rules do not turn into seed columns), in the REST
  dialect the REST API's own extra fields.

Fields AroFlo adds later still come through: no schema sets `additionalProperties: false`.
"""

from __future__ import annotations

from typing import Dict, Mapping

from .declaration import ARRAY, OBJECT, REST, UPDATED_AT, Field, Zone

STRING = {"type": ["null", "string"]}
INTEGER = {"type": ["null", "integer"]}
NUMBER = {"type": ["null", "number"]}
BOOLEAN = {"type": ["null", "boolean"]}
DATE_TIME = {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
DATE = {"type": ["null", "string"], "format": "date"}
ANY_ARRAY = {"type": ["null", "array"], "items": {"type": ["null", "object", "string", "number", "boolean"]}}

_KIND_SCHEMAS = {"id": STRING, "text": STRING, "int": INTEGER, "num": NUMBER, "bool": BOOLEAN,
                 "date": DATE, "utc": DATE_TIME, "local": DATE_TIME}


def field_schema(f: Field) -> dict:
    if f.kind == ARRAY:
        if not f.children:
            return dict(ANY_ARRAY)
        return {"type": ["null", "array"],
                "items": {"type": ["null", "object"], "properties": {c.name: field_schema(c) for c in f.children}}}
    if f.kind == OBJECT:
        return {"type": ["null", "object"], "properties": {c.name: field_schema(c) for c in f.children}}
    return dict(_KIND_SCHEMAS[f.kind])


def columns(zone: Zone, dialect: str) -> Dict[str, dict]:
    """Every column of the stream, in order, with its JSON schema."""
    out: Dict[str, dict] = {}
    if zone.seed is not None:
        out.update({name: dict(schema) for name, schema in zone.seed.columns.items()})
        if dialect == REST:
            out.update({name: dict(schema) for name, schema in zone.seed.rest_extra.items()})
            return out
        consumed = {source for rule in zone.seed.zone_rules.values() for source in rule.consumes}
        for name, f in zone.columns():
            if name not in consumed and name not in out:
                out[name] = field_schema(f)
        return out
    for name, f in zone.columns():
        out[name] = field_schema(f)
    if zone.cursor_column == UPDATED_AT:
        out[UPDATED_AT] = dict(DATE_TIME)
    for key in zone.key:
        out[key] = {**out[key], "type": "string"}  # a primary key is never null
    return out


def json_schema(zone: Zone, dialect: str) -> dict:
    properties = columns(zone, dialect)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": list(zone.key),
        "properties": properties,
    }


def seed_columns(zone: Zone) -> Mapping[str, dict]:
    return zone.seed.columns if zone.seed else {}
