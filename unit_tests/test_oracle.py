"""Every zone declaration checked against AroFlo's own documentation, not against itself.

The local sandbox renders its records from the same declarations the connector reads with, so a
misspelt field, id, where or join name in `zones/` passes every other test. The oracle here is
independent: `integration_tests/aroflo_docs/zones.json` holds what apidocs.aroflo.com documents for
each zone (its WHERE table, default WHERE clause, ORDER BY and JOINs, the list key and every field
of its example responses, with a sample value), and `examples/` holds some of AroFlo's example
bodies verbatim.

- `oracle_problems(zone)`: every way one declaration disagrees with the docs, in words.
- Every declaration must agree; a declaration with one misspelt name must not.
- AroFlo's example bodies, replayed through the connector's public entrypoint, come out as
  exactly their records, every column declared and typed as the discovered schema says.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest
from airbyte_cdk.models import (ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode, Level,
                                SyncMode)
from airbyte_cdk.test import entrypoint_wrapper

from integration_tests import aroflo_docs
from source_aroflo.declaration import ARRAY, OBJECT, Field, Zone
from source_aroflo.source import SourceAroflo
from source_aroflo.zones import ZONES, ZONES_BY_NAME

DOCS = aroflo_docs.load()

# ---- the oracle ------------------------------------------------------------------------------
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}[/-]\d{2}[/-]\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}[/-]\d{2}[/-]\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")
_BOOLEANS = {"true", "false", "0", "1", "yes", "no"}


def declared_paths(fields: Tuple[Field, ...], prefix: str = "") -> Iterator[Tuple[str, Field]]:
    """(path, field) of every declared field: objects recurse with `.`, array items with `[].`."""
    for f in fields:
        path = prefix + f.name
        yield path, f
        if f.kind == OBJECT:
            yield from declared_paths(f.children, path + ".")
        elif f.kind == ARRAY:
            yield from declared_paths(f.children, path + "[].")


def _documented_fields(zone: Zone, docs: dict) -> Dict[str, dict]:
    """The documented fields, with `x.y` read as `x[].y` where AroFlo sends `x` both as an object and
    as an array and the declaration reads it as an array (a lone object is read as a one-item list)."""
    fields = dict(docs["fields"])
    arrays = {path for path, f in declared_paths(zone.fields) if f.kind == ARRAY}
    both = sorted((p for p in arrays if {"object", "array"} <= set(fields.get(p, {}).get("type", "").split("|"))),
                  key=len, reverse=True)
    for parent in both:
        for path in [p for p in fields if p.startswith(parent + ".")]:
            moved = parent + "[]." + path[len(parent) + 1:]
            entry = fields.pop(path)
            if moved in fields:
                types = fields[moved]["type"].split("|")
                types += [t for t in entry["type"].split("|") if t not in types]
                sample = fields[moved]["sample"] if fields[moved]["sample"] is not None else entry["sample"]
                entry = {"type": "|".join(types), "sample": sample}
            fields[moved] = entry
    return fields


def _undocumented(zone: Zone, path: str) -> bool:
    """Named in `zone.undocumented`: itself, or the object/array it is part of (`[]` may be left out)."""
    walked = ""
    for part in path.split("."):
        walked = f"{walked}.{part}" if walked else part
        if walked in zone.undocumented or walked.replace("[]", "") in zone.undocumented:
            return True
    return False


def _sample_problem(kind: str, sample) -> Optional[str]:
    """Why `sample` cannot be a value of `kind`, or None."""
    if sample is None:
        return None
    if kind in ("num", "int"):
        if isinstance(sample, bool) or not (isinstance(sample, (int, float))
                                            or (isinstance(sample, str) and _NUMBER.match(sample.strip()))):
            return "not a number"
        if kind == "int" and float(sample) != int(float(sample)):
            return "not a whole number"
    elif kind == "bool":
        if not (isinstance(sample, bool) or sample in (0, 1)
                or (isinstance(sample, str) and sample.strip().lower() in _BOOLEANS)):
            return "not a boolean"
    elif kind == "date":
        if not (isinstance(sample, str) and _DATE.match(sample.strip())):
            return "not a date (YYYY/MM/DD)"
    elif kind in ("utc", "local"):
        if not (isinstance(sample, str) and _DATE_TIME.match(sample.strip())):
            return "not a date-time"
    elif kind == "text":
        if isinstance(sample, str) and (_DATE_TIME.match(sample.strip()) or _DATE.match(sample.strip())):
            return "a date or date-time, declared text"
    return None


def oracle_problems(zone: Zone, docs: Optional[dict] = None) -> List[str]:
    """Every way the declaration of `zone` disagrees with AroFlo's documentation, in words."""
    docs = DOCS if docs is None else docs
    name = zone.name
    doc = docs.get(name)
    if doc is None:
        return [f"{name}: zone {name!r} is not documented"]
    if not doc["get"]:
        return [f"{name}: zone {name!r} has no documented GET"]
    problems: List[str] = []
    say = problems.append
    fields = _documented_fields(zone, doc)
    top_level = {path for path in fields if "." not in path and "[]" not in path}
    where = set(doc["where"])
    used = set(doc.get("where_used", ()))

    def check_where(what: str, value: str) -> None:
        if value not in where and value not in used:
            say(f"{name}: {what} {value!r} is not a documented where field (documented: {', '.join(sorted(where)) or 'none'})")

    if zone.list_key != doc["list_key"]:
        say(f"{name}: list key {zone.list_key!r} is not the documented list key {doc['list_key']!r}")
    if zone.id not in top_level:
        say(f"{name}: id {zone.id!r} is not a top-level field of the example responses")
    if zone.id_where:
        check_where("id where field", zone.id_where)
    if zone.cursor:
        check_where("cursor", zone.cursor)
    if zone.cursor_key and zone.cursor_key not in top_level:
        say(f"{name}: cursor key {zone.cursor_key!r} is not a top-level field of the example responses")
    for where_name in zone.where:
        check_where("where field", where_name)
    window = getattr(zone, "window", None)  # declarations that read a date window name its where field
    if window:
        check_where("window", window)
    deleted = getattr(zone, "deleted", None)  # ... and the field of the time a record was deleted
    if deleted and deleted not in top_level:
        say(f"{name}: deleted field {deleted!r} is not a top-level field of the example responses")
    for join in zone.joins:
        if join not in doc["joins"]:
            say(f"{name}: join {join!r} is not a documented join (documented: {', '.join(doc['joins']) or 'none'})")
    documented_default = doc["default_where"].split()[1] if doc["default_where"] else None
    if zone.default_filter != documented_default:
        say(f"{name}: default filter {zone.default_filter!r} is not the field of the documented default WHERE "
            f"clause ({doc['default_where']!r})")

    declared = dict(declared_paths(zone.fields))
    for path, f in declared.items():
        entry = fields.get(path)
        if entry is None:
            if not _undocumented(zone, path):
                say(f"{name}: declared field {path!r} is not in the example responses (and not in `undocumented`)")
            continue
        types = set(entry["type"].split("|"))
        if f.kind == OBJECT and "object" not in types and types != {"null"}:
            say(f"{name}: {path!r} is declared an object; the examples send {entry['type']}")
        elif f.kind == ARRAY and "array" not in types and types != {"null"}:
            say(f"{name}: {path!r} is declared an array; the examples send {entry['type']}")
        elif f.kind not in (OBJECT, ARRAY):
            if types & {"object", "array"}:
                say(f"{name}: {path!r} is declared {f.kind}; the examples send {entry['type']}")
                continue
            why = _sample_problem(f.kind, entry["sample"])
            if why and path in zone.narrowed and f.kind == "date" and _DATE_TIME.match(str(entry["sample"]).strip()):
                why = None  # a date-time declared as its date, on purpose (the reason is in the declaration)
            if why:
                say(f"{name}: {path!r} is declared {f.kind} but the sample {entry['sample']!r} is {why}")
            if f.kind in ("utc", "local") and (f.kind == "utc") != ("utc" in f.name.lower()):
                say(f"{name}: {path!r} is declared {f.kind}; a date-time is utc exactly when its name says utc")
    for path in fields:
        if path not in declared:
            say(f"{name}: field {path!r} of the example responses is not declared")
    for path in zone.narrowed:
        if path not in declared:
            say(f"{name}: {path!r} is named narrowed but is not declared")
    if zone.newest and zone.newest not in set(doc["order"]) | where | used:
        say(f"{name}: newest-first order field {zone.newest!r} is neither a documented order field nor a where field")
    for path in zone.undocumented:
        if path in fields:
            say(f"{name}: {path!r} is named undocumented but the example responses show it")
        elif not any(p == path or p.replace("[]", "") == path for p in declared):
            say(f"{name}: {path!r} is named undocumented but is not declared")
    return problems


# ---- every declaration agrees ------------------------------------------------------------------
def test_every_documented_zone_with_a_get_is_declared():
    documented = {zone for zone, doc in DOCS.items() if doc["get"]}
    assert documented - set(ZONES_BY_NAME) == set()
    assert set(DOCS) == documented | {"taskresources"}


@pytest.mark.parametrize("zone", ZONES, ids=[zone.name for zone in ZONES])
def test_every_declaration_agrees_with_aroflos_docs(zone):
    assert oracle_problems(zone) == []


# ---- a misspelt declaration is caught ---------------------------------------------------------
def _renamed(fields: Tuple[Field, ...], path: str, new: str) -> Tuple[Field, ...]:
    """`fields` with the field at `path` (`a.b` or `a[].b`) renamed to `new`."""
    head, _, rest = path.replace("[].", ".").partition(".")
    out = []
    for f in fields:
        if f.name == head:
            f = dataclasses.replace(f, name=new) if not rest else dataclasses.replace(
                f, children=_renamed(f.children, rest, new))
        out.append(f)
    assert out != list(fields), f"no field {path!r}"
    return tuple(out)


def _rekinded(fields: Tuple[Field, ...], name: str, kind: str) -> Tuple[Field, ...]:
    return tuple(dataclasses.replace(f, kind=kind) if f.name == name else f for f in fields)


Z = ZONES_BY_NAME
MISSPELT = {
    # The assets WHERE table says `lastupdatedatetimeutc`; `lastupdateddatetimeutc` is the record's field.
    "assets where": (dataclasses.replace(Z["assets"], where="assetid:id lastupdateddatetimeutc:utc"),
                     "lastupdateddatetimeutc"),
    "assets cursor": (dataclasses.replace(Z["assets"], cursor="lastupdateddatetimeutc"), "lastupdateddatetimeutc"),
    "assets cursor key": (dataclasses.replace(Z["assets"], cursor_key="lastupdatedatetimeutc"),
                          "lastupdatedatetimeutc"),
    "users cursor": (dataclasses.replace(Z["users"], cursor="lastupdatedatetimeutc"), "lastupdatedatetimeutc"),
    "tasks field": (dataclasses.replace(Z["tasks"], fields=_renamed(Z["tasks"].fields, "jobnumber", "jobnumbr")),
                    "jobnumbr"),
    "tasks nested field": (dataclasses.replace(
        Z["tasks"], fields=_renamed(Z["tasks"].fields, "labours[].user.userid", "usrid")), "labours[].user.usrid"),
    "invoices field": (dataclasses.replace(
        Z["invoices"], fields=_renamed(Z["invoices"].fields, "lastupdateddatetimeutc", "lastupdatedatetimeutc")),
        "lastupdatedatetimeutc"),
    "users id": (dataclasses.replace(Z["users"], id="user_id"), "user_id"),
    "timesheets id where": (dataclasses.replace(Z["timesheets"], id_where="timesheet_id"), "timesheet_id"),
    "inventory list key": (dataclasses.replace(Z["inventory"], list_key="inventory"), "inventory"),
    "substatus list key": (dataclasses.replace(Z["substatus"], list_key="substatus"), "substatus"),
    "invoices join": (dataclasses.replace(Z["invoices"], joins=("lineitem",)), "lineitem"),
    "bills join": (dataclasses.replace(Z["bills"], joins=("lineitems", "stocklevels")), "stocklevels"),
    "users bool as num": (dataclasses.replace(Z["users"], fields=_rekinded(Z["users"].fields, "archived", "num")),
                          "archived"),
    "timesheets date as number": (dataclasses.replace(
        Z["timesheets"], fields=_rekinded(Z["timesheets"].fields, "workdate", "int")), "workdate"),
    "tasks object as text": (dataclasses.replace(
        Z["tasks"], fields=_rekinded(Z["tasks"].fields, "client", "text")), "client"),
    "lastupdate where": (dataclasses.replace(Z["lastupdate"], where="zonename lastupdatedutc:utc"), "lastupdatedutc"),
    "payments default filter": (dataclasses.replace(Z["payments"], default_filter="DatePaid_UTC"), "DatePaid_UTC"),
}

_ZONE_ARGUMENTS = {f.name for f in dataclasses.fields(Zone)}
if "window" in _ZONE_ARGUMENTS:  # declarations that read a date window
    MISSPELT["payments window"] = (dataclasses.replace(Z["payments"], window="date_paid"), "date_paid")
if "deleted" in _ZONE_ARGUMENTS:  # ... or name the field of a record's deletion time
    MISSPELT["tasklabours deleted"] = (dataclasses.replace(Z["tasklabours"], deleted="deletedatetime"),
                                       "deletedatetime")


@pytest.mark.parametrize("case", sorted(MISSPELT))
def test_a_misspelt_declaration_is_caught(case):
    zone, wrong = MISSPELT[case]
    problems = oracle_problems(zone)
    assert any(repr(wrong) in p and p.startswith(f"{zone.name}: ") for p in problems), problems


def test_an_undocumented_zone_is_caught():
    zone = dataclasses.replace(Z["users"], name="userz")
    assert oracle_problems(zone) == ["userz: zone 'userz' is not documented"]


def test_undocumented_names_an_existing_field_with_a_reason():
    users = Z["users"]
    assert oracle_problems(dataclasses.replace(users, undocumented={**users.undocumented, "nosuchfield": "why"})) \
        == ["users: 'nosuchfield' is named undocumented but is not declared"]
    assert oracle_problems(dataclasses.replace(users, undocumented={**users.undocumented, "userid": "why"})) \
        == ["users: 'userid' is named undocumented but the example responses show it"]


# ---- AroFlo's example bodies, replayed ----------------------------------------------------------
CONFIG = {"credentials": {"auth_type": "hmac", "u_encoded": "u", "p_encoded": "p", "org_encoded": "o",
                          "secret_key": "s"},
          "base_url": "https://api.aroflo.com/"}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _type_problems(value, schema: dict, where: str) -> Iterator[str]:
    """Why `value` is not what `schema` says (undeclared keys of objects included)."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    if value is None:
        if types and "null" not in types:
            yield f"{where}: null, schema {types}"
        return
    if schema.get("format") == "date-time":
        if not (isinstance(value, str) and _TIMESTAMP.match(value)):
            yield f"{where}: {value!r} is not a UTC date-time ending in Z"
    elif schema.get("format") == "date":
        if not (isinstance(value, str) and _ISO_DATE.match(value)):
            yield f"{where}: {value!r} is not a YYYY-MM-DD date"
    elif isinstance(value, bool):
        if "boolean" not in types:
            yield f"{where}: boolean {value!r}, schema {types}"
    elif isinstance(value, int):
        if "integer" not in types and "number" not in types:
            yield f"{where}: integer {value!r}, schema {types}"
    elif isinstance(value, float):
        if "number" not in types:
            yield f"{where}: number {value!r}, schema {types}"
    elif isinstance(value, str):
        if "string" not in types:
            yield f"{where}: string {value!r}, schema {types}"
    elif isinstance(value, list):
        if "array" not in types:
            yield f"{where}: array, schema {types}"
        else:
            for i, item in enumerate(value):
                yield from _type_problems(item, schema.get("items", {}), f"{where}[{i}]")
    elif isinstance(value, dict):
        if "object" not in types:
            yield f"{where}: object, schema {types}"
        elif "properties" in schema:
            for key, item in value.items():
                if key not in schema["properties"]:
                    yield f"{where}.{key}: not declared in the schema"
                else:
                    yield from _type_problems(item, schema["properties"][key], f"{where}.{key}")


def _answer(zone: str, body: dict, list_key: str):
    empty = {**body, "zoneresponse": {**body["zoneresponse"], list_key: [], "currentpageresults": 0}}

    def respond(request, context):
        query = parse_qs(urlsplit(request.url).query)
        context.status_code = 200
        page = int(query.get("page", ["1"])[0])
        return body if page <= 1 else {**empty, "zoneresponse": {**empty["zoneresponse"], "pagenumber": str(page)}}

    return respond


def _asks_for(zone: str):
    return lambda request: parse_qs(urlsplit(request.url).query).get("zone") == [zone]


@pytest.mark.parametrize("zone_name", aroflo_docs.example_zones())
def test_aroflos_example_bodies_read_exactly(zone_name, requests_mock):
    zone = ZONES_BY_NAME[zone_name]
    body = aroflo_docs.example(zone_name)
    list_key = DOCS[zone_name]["list_key"]
    sent = body["zoneresponse"][list_key]
    requests_mock.get(re.compile(r"^https://api\.aroflo\.com/"), json=_answer(zone_name, body, list_key),
                      additional_matcher=_asks_for(zone_name))

    discovered = entrypoint_wrapper.discover(SourceAroflo(), CONFIG)
    stream = next(s for s in discovered.catalog.catalog.streams if s.name == zone_name)
    catalog = ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=stream, sync_mode=SyncMode.full_refresh, destination_sync_mode=DestinationSyncMode.overwrite)])
    output = entrypoint_wrapper.read(SourceAroflo(), CONFIG, catalog)

    assert output.errors == [], output.get_formatted_error_message()
    loud = [log.log.message for log in output.logs if log.log.level in (Level.WARN, Level.ERROR, Level.FATAL)]
    assert loud == []
    assert requests_mock.called
    rows = [message.record.data for message in output.records]
    id_column = "id" if zone.seed is not None else zone.id
    assert [row[id_column] for row in rows] == [record[zone.id] for record in sent]
    properties = stream.json_schema["properties"]
    problems = []
    for i, row in enumerate(rows):
        for column, value in row.items():
            if column not in properties:
                problems.append(f"record {i}: column {column!r} is not declared in the schema")
            else:
                problems += list(_type_problems(value, properties[column], f"record {i}: {column}"))
    assert problems == []
