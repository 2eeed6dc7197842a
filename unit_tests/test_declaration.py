"""The zone declarations: the field language, what derives from an entry, and the check that
fails when an entry is inconsistent."""

from __future__ import annotations

import dataclasses

import pytest

from source_aroflo import declaration
from source_aroflo.checks import check_child, check_zone, check_zones
from source_aroflo.declaration import (ARRAY, DELETED_AT, OBJECT, READ_AT, UPDATED_AT, Child, DeclarationError, Field,
                                       Grain, Reading, Zone, parse_fields)
from source_aroflo.seeds import Rename, SeedTable
from source_aroflo.schemas import json_schema
from source_aroflo.zones import CHILDREN, ZONES, ZONES_BY_NAME

# The contract's 43 zones but taskresources (no GET), written out: ../shared/aroflo-zones.md.
CONTRACT_ZONES = {
    "assetcategories", "assets", "billlineitems", "bills", "businessunits", "clientnotes", "clients", "contacts",
    "customholders", "documentsandphotos", "inventory", "inventorycategories", "inventorylists",
    "inventorystocklevels", "invoices", "lastupdate", "locations", "messageboard", "messagetemplates", "payments",
    "permissiongroups", "priorities", "projects", "purchaseorders", "quotelineitems", "quotes", "schedules", "stages",
    "substatus", "suppliers", "taskexpenses", "tasklabours", "taskmaterials", "tasks", "tasktypes", "timesheets",
    "trackingcentres", "transactionterms", "userposition", "users", "workorderlineitems", "workorders",
}
# List keys that are not the zone name.
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


def test_every_zone_stream_has_a_cursor_column_named_by_its_reading():
    # A change time where the zone has one (its own, or the change feed's); when the sync read it
    # where it has none; payments keep the seed's own date column (a WINDOW zone on `datepaid`).
    expected = {Reading.FEED: UPDATED_AT, Reading.FEED_OR_SEEK: UPDATED_AT, Reading.SEEK_TIME: UPDATED_AT,
                Reading.WINDOW: READ_AT, Reading.REFRESH: READ_AT}
    for zone in ZONES:
        wanted = "payment_date" if zone.name == "payments" else expected[zone.reading]
        assert zone.cursor_column == wanted, zone.name
        properties = json_schema(zone, "hmac")["properties"]
        assert properties[zone.cursor_column]["format"] == ("date" if zone.name == "payments" else "date-time"), zone.name
    assert ZONES_BY_NAME["payments"].reading is Reading.WINDOW and ZONES_BY_NAME["payments"].window == "datepaid"
    assert ZONES_BY_NAME["payments"].grain is Grain.DAY
    assert {z.name for z in ZONES if z.grain is Grain.DAY} == {"payments"}


def test_every_zone_schema_has_the_deletion_column_as_a_date_time():
    for zone in ZONES:  # (the REST dialect's three tables are the seed's own columns)
        column = json_schema(zone, "hmac")["properties"].get(DELETED_AT)
        assert column is not None and column["format"] == "date-time", zone.name


def test_child_streams_carry_their_parents_id_item_key_and_cursor():
    for child in CHILDREN:
        schema = json_schema(child, "hmac")
        assert schema["required"] == [child.parent.id, child.item_key], child.name
        assert schema["properties"][child.parent.id] == {"type": "string"}
        assert schema["properties"][child.cursor_column] == json_schema(child.parent, "hmac")["properties"][
            child.cursor_column], child.name
        assert child.join in child.parent.joins or child.custom_fields, child.name
    lines = {c.parent.name for c in CHILDREN if c.array == "lines"}
    custom = {c.parent.name for c in CHILDREN if c.custom_fields}
    assert lines == {"invoices", "quotes", "purchaseorders", "bills", "workorders"}
    assert custom == {"tasks", "clients", "suppliers", "users", "assets", "locations"}
    assert {c.name for c in CHILDREN} == {f"{p}_lines" for p in lines} | {f"{p}_customfields" for p in custom}


def test_a_new_zone_is_one_entry_and_everything_derives_from_it():
    zone = _zone(reading=Reading.SEEK_TIME, cursor="lastupdateddatetimeutc", default_filter="Created_UTC")
    assert check_zone(zone) == []
    schema = json_schema(zone, "hmac")
    assert schema["required"] == ["widgetid"]
    assert set(schema["properties"]) == {"widgetid", "name", "lastupdateddatetimeutc", "price", "updated_at",
                                         "_ab_cdc_deleted_at"}
    assert schema["properties"]["price"] == {"type": ["null", "number"]}
    assert zone.id_where == "widgetid" and zone.cursor_kind == "utc" and zone.cursor_column == "updated_at"
    assert zone.newest == "lastupdateddatetimeutc"  # a seek zone's first sync reads newest first on its cursor


def test_a_zone_with_no_change_signal_is_refreshed_and_stamped_with_the_read_time():
    zone = _zone()
    assert zone.reading is Reading.REFRESH and check_zone(zone) == []
    assert zone.cursor_column == "read_at" and zone.newest is None
    assert json_schema(zone, "hmac")["properties"]["read_at"]["format"] == "date-time"


def test_a_date_zone_names_its_window_field():
    zone = _zone(reading=Reading.WINDOW, window="lastupdateddatetimeutc")
    assert check_zone(zone) == []
    assert zone.cursor_column == "read_at" and zone.grain is Grain.SECOND


# ---- the check -----------------------------------------------------------------------------------
@pytest.mark.parametrize("changes, problem", [
    (dict(reading=Reading.SEEK_TIME), "declares no cursor"),
    (dict(reading=Reading.SEEK_TIME, cursor="createdutc"), "is not one of its where fields"),
    (dict(reading=Reading.SEEK_TIME, cursor="lastupdateddatetimeutc", fields="widgetid:id lastupdateddatetimeutc:date"),
     "is a date, not a date-time"),
    (dict(cursor="lastupdateddatetimeutc"), "but reads 'no change signal"),
    (dict(reading=Reading.WINDOW), "declares no window field"),
    (dict(reading=Reading.WINDOW, window="name"), "window field 'name' is not one of its where fields"),
    (dict(reading=Reading.WINDOW, window="widgetid"), "window field 'widgetid' is not a date"),
    (dict(window="lastupdateddatetimeutc"), "declares a window but reads"),
    (dict(future=True), "declares a window but reads"),
    (dict(deleted="gone"), "deletion time 'gone' is not among its fields"),
    (dict(where="widgetid x:money"), "where field 'x' has unknown kind 'money'"),
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


def _child(**changes) -> Child:
    parent = _zone(fields="widgetid:id lastupdateddatetimeutc:utc parts[partid:id qty:num]")
    base = dict(name="widgets_parts", parent=parent, array="parts", join="lineitems", item_key="partid",
                doc="Parts of widgets.")
    base.update(changes)
    return Child(**base)


@pytest.mark.parametrize("changes, problem", [
    (dict(array="nothere"), "has no array 'nothere'"),
    (dict(join="customfields"), "join 'customfields' does not bring 'parts'"),
    (dict(item_key="lineid"), "item key 'lineid' is not a field of widgets.parts"),
    (dict(name="widgets"), "has the name of a zone"),
    (dict(doc=""), "has no description"),
])
def test_an_inconsistent_child_stream_is_named_with_its_problem(changes, problem):
    child = _child(**changes)
    problems = check_child(child, {"widgets"})
    assert any(problem in p for p in problems), problems
    with pytest.raises(DeclarationError, match=problem):
        check_zones((child.parent,), (child,))


def test_a_consistent_child_stream_passes_the_check():
    child = _child(join="items", array="items",
                   parent=_zone(fields="widgetid:id lastupdateddatetimeutc:utc items[partid:id qty:num]"))
    assert check_child(child, {"widgets"}) == []


def test_two_declarations_of_one_zone_are_refused():
    with pytest.raises(DeclarationError, match="declared 2 times"):
        check_zones((_zone(), _zone()))


def test_the_shipped_declarations_pass_the_check_one_by_one():
    for zone in ZONES:
        assert check_zone(zone) == [], zone.name
    for child in CHILDREN:
        assert check_child(child, {z.name for z in ZONES}) == [], child.name
    check_zones(ZONES, CHILDREN)
    assert all(dataclasses.is_dataclass(z) and z.__dataclass_params__.frozen for z in ZONES)
    assert declaration.FEED_ZONES == {z.name for z in ZONES if z.reading.uses_feed}
