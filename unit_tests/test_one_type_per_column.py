"""A column name has one type in every stream discover offers (a warehouse joins and unions on them):
ids are strings, money numbers, dates dates. The seed tables' own seed columns (the contract's
`users`/`suppliers`/`payments` columns, e.g. payments' text `notes`) are the seed's and aside."""

from __future__ import annotations

from collections import defaultdict

from airbyte_cdk.test.entrypoint_wrapper import discover

from source_aroflo.source import SourceAroflo
from source_aroflo.zones import ZONES_BY_NAME

CONFIG = {"credentials": {"auth_type": "hmac", "u_encoded": "unit-user", "p_encoded": "unit-pass",
                          "org_encoded": "unit-org", "secret_key": "unit-secret"}}


def _type(schema: dict) -> tuple:
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    return tuple(sorted(t for t in types if t != "null")), schema.get("format"), schema.get("airbyte_type")


def _columns_by_type() -> dict:
    catalog = discover(SourceAroflo(), CONFIG).catalog.catalog
    seen: dict = defaultdict(lambda: defaultdict(list))
    for stream in catalog.streams:
        zone = ZONES_BY_NAME.get(stream.name)
        seed_columns = set(zone.seed.columns) if zone is not None and zone.seed is not None else set()
        for column, schema in stream.json_schema["properties"].items():
            if column not in seed_columns:
                seen[column][_type(schema)].append(stream.name)
    return seen


def test_every_column_name_has_one_type_in_every_stream():
    conflicts = {column: {str(kind): streams for kind, streams in kinds.items()}
                 for column, kinds in _columns_by_type().items() if len(kinds) > 1}
    assert conflicts == {}


def test_ids_are_strings_money_numbers_and_dates_dates():
    seen = _columns_by_type()
    samples = {"taskid": ("string",), "invoiceid": ("string",), "task_taskid": ("string",), "lineid": ("string",),
               "totalinc": ("number",), "cost": ("number",), "sell": ("number",), "hours": ("number",),
               "task_jobnumber": ("integer",)}
    for column, wanted in samples.items():
        assert {kind[0] for kind in seen[column]} == {wanted}, column
    assert {kind[1] for kind in seen["workdate"]} == {"date"}
    assert {kind[1] for kind in seen["updated_at"]} == {"date-time"}


def test_the_check_would_see_a_conflict():
    seen = _columns_by_type()
    # the check compares what destinations see: a text id and a numeric id would differ
    assert _type({"type": ["null", "string"]}) != _type({"type": ["null", "integer"]})
    assert _type({"type": ["null", "string"], "format": "date"}) != _type({"type": ["null", "string"], "format": "date-time"})
    assert len(seen["custon"]) == 1 and len(seen["datecreated"]) == 1
