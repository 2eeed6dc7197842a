"""The zone declarations: the field language, what derives from an entry, and the check that
fails when an entry is inconsistent."""

from __future__ import annotations

import dataclasses

import pytest

from source_aroflo import declaration
from source_aroflo.checks import check_zone, check_zones
from source_aroflo.declaration import ARRAY, OBJECT, DeclarationError, Field, Reading, Zone, parse_fields
from source_aroflo.seeds import Rename, SeedTable
from source_aroflo.schemas import json_schema
from source_aroflo.zones import ZONES, ZONES_BY_NAME

# The contract's 43 zones but taskresources (no GET), written out: ../shared/aroflo-zones.md.
CONTRACT_ZONES = {
    "assetcategories", "assets", "billlineitems", "bills", "businessunits", "clientnotes", "clients", "contacts",
    "customholders", "documentsandphotos", "inventory", "inventorycategories", "inventorylists",
    "inventorystocklevels", "invoices", "lastupdate", "locations", "messageboard", "messagetemplates", "payments",
    "permissiongroups", "priorities", "projects", "purchaseorders", "quotelineitems", "quotes", "schedules", "stages",
    "substatus", "suppliers", "taskexpenses", "tasklabours", "taskmaterials", "tasks", "tasktypes", "timesheets",
    "trackingcentres", "transactionterms", "userposition", "users", "workorderlineitems", "workorders",
}
# §5.5: list keys that are not the zone name.
LIST_KEYS = {"inventory": "items", "taskexpenses": "expenses", "tasklabours": "labours", "taskmaterials": "materials",
             "substatus": "substatuses", "userposition": "userpositions", "messageboard": "messageboards"}


def _zone(**changes) -> Zone:
    base = dict(name="widgets", id="widgetid", doc="Widgets.", where="widgetid lastupdateddatetimeutc:utc",
                fields="widgetid:id name lastupdateddatetimeutc:utc price:num")
    base.update(changes)
    return Zone(**base)


# ---- the field language --------------------------------------------------------------------------
def test_fields_parse_into_kinds_objects_and_arrays():
    fields = parse_fields("a:id b c:num d{e:date f{g:bool}} h[i:utc j] k[]")
    assert [f.name for f in fields] == ["a", "b", "c", "d", "h", "k"]
    assert fields[1] == Field("b", "text")
    d = fields[3]
    assert d.kind == OBJECT and d.children[1].kind == OBJECT and d.children[1].children == (Field("g", "bool"),)
    assert fields[4] == Field("h", ARRAY, (Field("i", "utc"), Field("j", "text")))
    assert fields[5] == Field("k", ARRAY, ())
    assert [name for name, _ in d.flat()] == ["d_e", "d_f_g"]


@pytest.mark.parametrize("text, problem", [
    ("a:money", "unknown kind 'money'"),
    ("a a", "declared twice"),
    ("a{b", "missing '}'"),
    ("a[b}", "unexpected '}'"),
    ("a{}", "declares no field"),
    ("a:num{b}", "has no kind"),
    ("a b ]", "unexpected ']'"),
])
def test_a_malformed_field_list_is_refused_with_the_reason(text, problem):
    with pytest.raises(DeclarationError, match=problem.replace("[", r"\[").replace("{", r"\{").replace("}", r"\}")):
        parse_fields(text)


# ---- the declarations ----------------------------------------------------------------------------
def test_every_readable_zone_of_the_contract_is_declared_once():
    names = [z.name for z in ZONES]
    assert len(names) == len(set(names))
    assert set(names) == CONTRACT_ZONES
    check_zones(ZONES)  # also run at import


def test_list_keys_follow_the_contract():
    for zone in ZONES:
        assert zone.list_key == LIST_KEYS.get(zone.name, zone.name), zone.name


def test_the_three_seed_tables_are_offered_by_both_dialects_and_only_they():
    assert {z.name for z in ZONES if z.rest} == {"users", "suppliers", "payments"}
    for name in ("users", "suppliers", "payments"):
        rest, zone = json_schema(ZONES_BY_NAME[name], "bearer"), json_schema(ZONES_BY_NAME[name], "hmac")
        seed = list(ZONES_BY_NAME[name].seed.columns)
        assert list(rest["properties"])[: len(seed)] == seed == list(zone["properties"])[: len(seed)]


def test_line_items_come_with_their_documents_as_typed_arrays():
    for name in ("invoices", "quotes", "purchaseorders", "bills", "workorders"):
        zone = ZONES_BY_NAME[name]
        assert "lineitems" in zone.joins, name
        lines = json_schema(zone, "hmac")["properties"]["lines"]
        assert lines["type"] == ["null", "array"] and lines["items"]["properties"], name
    assert json_schema(ZONES_BY_NAME["invoices"], "hmac")["properties"]["lines"]["items"]["properties"]["total"] == \
        {"type": ["null", "number"]}


def test_every_incremental_stream_has_its_cursor_in_one_column_name():
    cursors = {z.name: z.cursor_column for z in ZONES if z.cursor_column}
    assert set(cursors.values()) == {"updated_at", "payment_date"}
    assert [n for n, c in cursors.items() if c != "updated_at"] == ["payments"]  # the seed's own date cursor
    for name in cursors:
        assert cursors[name] in json_schema(ZONES_BY_NAME[name], "hmac")["properties"], name


def test_a_new_zone_is_one_entry_and_everything_derives_from_it():
    zone = _zone(reading=Reading.SEEK_TIME, cursor="lastupdateddatetimeutc", default_filter="Created_UTC")
    assert check_zone(zone) == []
    schema = json_schema(zone, "hmac")
    assert schema["required"] == ["widgetid"]
    assert set(schema["properties"]) == {"widgetid", "name", "lastupdateddatetimeutc", "price", "updated_at"}
    assert schema["properties"]["price"] == {"type": ["null", "number"]}
    assert zone.id_where == "widgetid" and zone.cursor_kind == "utc" and zone.cursor_column == "updated_at"


# ---- the check -----------------------------------------------------------------------------------
@pytest.mark.parametrize("changes, problem", [
    (dict(reading=Reading.SEEK_TIME), "declares no cursor"),
    (dict(reading=Reading.SEEK_TIME, cursor="createdutc"), "is not one of its where fields"),
    (dict(reading=Reading.SEEK_DATE, cursor="lastupdateddatetimeutc"), "needs a date"),
    (dict(cursor="lastupdateddatetimeutc"), "but reads by 'full refresh only'"),
    (dict(reading=Reading.FEED), "does not list this zone"),
    (dict(name="quotes"), "is in the change feed"),
    (dict(where="lastupdateddatetimeutc:utc", default_filter="Created_UTC"), "no id where field"),
    (dict(joins=("lineitems",)), "adds field 'lines', which is not declared"),
    (dict(joins=("everything",)), "is not a known join"),
    (dict(rest=True), "only the seed's three tables"),
    (dict(id="missingid"), "is not among its fields"),
    (dict(id="price"), "is a num, not an id"),
    (dict(key=("widgetid", "nope")), "primary key column 'nope'"),
    (dict(id_where="nope"), "is not one of its where fields"),
    (dict(name="Widgets"), "lower-case"),
    (dict(doc=""), "no description"),
    (dict(seed=SeedTable(columns={"id": {}}, zone_rules={"id": Rename("nothere")})), "reads 'nothere'"),
    (dict(seed=SeedTable(columns={"id": {}}, zone_rules={"name": Rename("name")})), "seed table without a rule"),
])
def test_an_inconsistent_declaration_is_named_with_its_problem(changes, problem):
    zone = _zone(**changes)
    problems = check_zone(zone)
    assert any(problem in p for p in problems), problems
    with pytest.raises(DeclarationError, match=zone.name):
        check_zones((zone,))


def test_two_declarations_of_one_zone_are_refused():
    with pytest.raises(DeclarationError, match="declared 2 times"):
        check_zones((_zone(), _zone()))


def test_the_shipped_declarations_pass_the_check_one_by_one():
    for zone in ZONES:
        assert check_zone(zone) == [], zone.name
    assert all(dataclasses.is_dataclass(z) and z.__dataclass_params__.frozen for z in ZONES)
    assert declaration.FEED_ZONES == {z.name for z in ZONES if z.reading.uses_feed}
