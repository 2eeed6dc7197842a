"""API records -> rows of the normalized tables (the seed README's columns), for both dialects, and the values
on the way (`values.py`).

`build_mapper(dialect, table)` is what the streams use; these tests call it the
same way (zone mappers with the declared zone extra columns).
"""

from __future__ import annotations

import pytest

from source_aroflo.mapping import build_mapper
from source_aroflo.values import to_bool, to_date, to_number, to_utc
from source_aroflo.zones import ZONES_BY_NAME

SEED_COLUMNS = {name: ZONES_BY_NAME[name].seed.columns for name in ("users", "suppliers", "payments")}

TABLES = ("users", "suppliers", "payments")


def rest(table: str):
    return build_mapper("bearer", table)


def zone(table: str):
    return build_mapper("hmac", table)


# ---- value conversions ---------------------------------------------------------------------------
@pytest.mark.parametrize("sent, expected", [
    ("2024-03-01T20:00:00+10:00", "2024-03-01T10:00:00Z"),
    ("2024-03-01T05:00:00-05:00", "2024-03-01T10:00:00Z"),
    ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z"),
    ("2024-03-01T10:00:00+00:00", "2024-03-01T10:00:00Z"),
    ("2024-03-01T00:30:00+05:30", "2024-02-29T19:00:00Z"),  # crosses midnight and a leap day
    ("2024-03-01T10:00:00.250+01:00", "2024-03-01T09:00:00.250Z"),
    ("2024-03-01T10:00:00", "2024-03-01T10:00:00Z"),  # no offset: already UTC
    ("2023/05/23 23:28:15", "2023-05-23T23:28:15Z"),  # zone date-time
    ("2018-10-16 13:30:19.58", "2018-10-16T13:30:19.580Z"),  # zone datetimeinserted
    ("2023/12/18", "2023-12-18T00:00:00Z"),
])
def test_timestamps_of_any_offset_or_zone_format_leave_in_utc(sent: str, expected: str) -> None:
    assert to_utc(sent) == expected


def test_an_unreadable_timestamp_is_kept_as_sent_rather_than_lost() -> None:
    assert to_utc("next Tuesday") == "next Tuesday"
    assert to_utc("  ") is None


@pytest.mark.parametrize("sent, expected", [
    ("2023/12/18", "2023-12-18"),
    ("2023-12-18", "2023-12-18"),
    ("2023-12-18T23:30:00-02:00", "2023-12-19"),  # a date-time is taken in UTC
    ("", None),
])
def test_dates_leave_as_yyyy_mm_dd(sent: str, expected) -> None:
    assert to_date(sent) == expected


@pytest.mark.parametrize("sent, expected", [
    ("296.7600", 296.76), ("1,296.50", 1296.5), ("12", 12), ("-3.5", -3.5), ("1e3", 1000.0),
    (10, 10), (2.5, 2.5), ("", None), (None, None), ("n/a", "n/a"),
])
def test_amounts_sent_as_strings_become_numbers(sent, expected) -> None:
    result = to_number(sent)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("sent, expected", [
    ("false", False), ("TRUE", True), ("True", True), ("0", False), ("1", True), ("yes", True), ("no", False),
    (True, True), (False, False), ("", None), (None, None), ("maybe", "maybe"),
])
def test_booleans_sent_as_strings_become_booleans(sent, expected) -> None:
    assert to_bool(sent) is expected if isinstance(expected, bool) or expected is None else to_bool(sent) == expected


def test_declared_objects_are_flattened_with_underscores_and_undeclared_ones_stay_one_column() -> None:
    # tasks declare client{clientid clientname} and tasktotals{...}; labours[] is an array of objects.
    row = zone("tasks")({"taskid": "T1==", "client": {"clientid": "C1==", "clientname": "Acme"},
                         "tasktotals": {"totalhrs": "1.50"}, "weather": {"sky": {"cover": "cloudy"}},
                         "labours": [{"lineid": "L1==", "hours": "2.25", "user": {"userid": "U1=="}}]})
    assert row["client_clientid"] == "C1==" and row["client_clientname"] == "Acme"
    assert row["tasktotals_totalhrs"] == 1.5  # declared num: typed
    assert row["weather"] == {"sky": {"cover": "cloudy"}}  # undeclared: one column, as sent
    assert not [c for c in row if c.startswith("weather_")]
    assert row["labours"] == [{"lineid": "L1==", "hours": 2.25, "user": {"userid": "U1=="}}]  # typed, kept nested


# ---- every table, both dialects -----------------------------------------------------------------
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("dialect", ["bearer", "hmac"])
def test_every_seed_column_is_present_and_null_when_the_api_sent_nothing(dialect: str, table: str) -> None:
    id_field = {"bearer": "id", "hmac": {"users": "userid", "suppliers": "supplierid", "payments": "paymentid"}[table]}[dialect]
    mapper = rest(table) if dialect == "bearer" else zone(table)
    row = mapper({id_field: "X1"})
    assert set(SEED_COLUMNS[table]) <= set(row)
    assert row["id"] == "X1"
    expected_defaults = {"status": "active"} if dialect == "hmac" and table != "payments" else {}
    assert {k: v for k, v in row.items() if k != "id" and v is not None} == expected_defaults


def test_a_rest_object_the_seed_declares_gives_its_declared_parts_columns_and_keeps_the_rest_whole() -> None:
    row = rest("users")({"id": 7, "favourite_colour": "blue",
                         "manager": {"id": 3, "name": "Ann", "phone": "03 9000 0000"},
                         "address": {"street": "1 Main St", "city": "Fitzroy", "geo": {"lat": -37.8}}})
    assert row["id"] == "7"  # ids are strings
    assert row["favourite_colour"] == "blue"  # undeclared: kept under its own name
    assert (row["manager_id"], row["manager_name"]) == ("3", "Ann")
    assert row["manager"] == {"phone": "03 9000 0000"}  # what no column takes stays one object column
    assert (row["address_street"], row["address_city"]) == ("1 Main St", "Fitzroy")
    assert row["address"] == {"geo": {"lat": -37.8}}
    assert not [c for c in row if c.startswith(("manager_phone", "address_geo"))]


def test_a_rest_object_wholly_taken_by_declared_columns_leaves_no_column_behind() -> None:
    row = rest("suppliers")({"id": "s1", "bank": {"name": "ANZ", "bsb": "013-000"}})
    assert (row["bank_name"], row["bank_bsb"]) == ("ANZ", "013-000")
    assert "bank" not in row


def test_an_object_sent_for_a_text_column_is_kept_as_sent_and_a_number_becomes_its_text() -> None:
    row = rest("suppliers")({"id": "s1", "address": {"city": "Fitzroy"}, "tax_id": 51824753556, "email": ["a", "b"]})
    assert row["address"] == {"city": "Fitzroy"}  # not its Python text: the destination sees what was sent
    assert row["tax_id"] == "51824753556" and row["email"] == ["a", "b"]


@pytest.mark.parametrize("table", TABLES)
def test_an_undeclared_top_level_rest_object_stays_one_column(table: str) -> None:
    row = rest(table)({"id": "x1", "metadata": {"batch": {"id": "b7"}, "source": "eft"}})
    assert row["metadata"] == {"batch": {"id": "b7"}, "source": "eft"}
    assert not [c for c in row if c.startswith("metadata_")]


def test_rest_records_are_typed_by_column() -> None:
    row = rest("payments")({
        "id": "p1", "amount": "296.7600", "currency": "AUD", "payment_date": "2023/12/18",
        "created_at": "2023-12-18T09:00:00+11:00", "updated_at": "2023-12-18T09:30:00+11:00",
        "reference_number": 12345, "status": "settled",
    })
    assert row["amount"] == 296.76
    assert row["payment_date"] == "2023-12-18"
    assert row["created_at"] == "2023-12-17T22:00:00Z" and row["updated_at"] == "2023-12-17T22:30:00Z"
    assert row["reference_number"] == "12345"  # every column is typed by its schema: a text column holds text
    assert row["currency"] == "AUD" and row["status"] == "settled"


def test_rest_users_keep_their_seed_columns_as_sent() -> None:
    record = {"id": "u1", "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "+61 3 9000 0000",
              "role": "Technician", "department": "Field", "employee_id": "E-7", "status": "active",
              "access_level": "standard", "territory": "VIC", "created_at": "2020-01-01T00:00:00Z",
              "updated_at": "2024-03-01T20:00:00+10:00"}
    row = rest("users")(record)
    assert {k: row[k] for k in record} == {**record, "updated_at": "2024-03-01T10:00:00Z"}
    # The REST table's other declared columns are there, null: every row has every column.
    assert {k: v for k, v in row.items() if k not in record} == dict.fromkeys(
        ["address_street", "address_city", "address_postcode", "manager_id", "manager_name", "hire_date", "locale"])


# ---- zone users -----------------------------------------------------------------------------------
ZONE_USER = {
    "userid": "JCQ6XyRRUCAgCg==", "givennames": "Ann", "surname": "Lee", "username": "alee",
    "email": "ann@example.com", "email2": "", "phone": "03 9000 0000", "mobile": "0400 000 000",
    "position": "Tech", "userposition": {"positionid": "P1", "positionname": "Senior Technician"},
    "org": {"orgid": "O1", "orgname": "Field Services"}, "accesstype": "Admin", "archived": "false",
    "createdutc": "2023/05/23", "createddatetimeutc": "2023/05/23 23:28:15",
    "lastupdatedutc": "2024/03/01", "lastupdateddatetimeutc": "2024/03/01 10:00:00",
    "customfields": [{"name": "Shirt", "value": "L"}],
}


def test_zone_users_map_to_the_seed_columns() -> None:
    row = zone("users")(ZONE_USER)
    assert row["id"] == "JCQ6XyRRUCAgCg=="
    assert (row["first_name"], row["last_name"]) == ("Ann", "Lee")
    assert row["role"] == "Senior Technician"
    assert row["department"] == "Field Services"
    assert row["access_level"] == "Admin"
    assert row["status"] == "active"
    assert row["created_at"] == "2023-05-23T23:28:15Z"
    assert row["updated_at"] == "2024-03-01T10:00:00Z"
    assert row["employee_id"] is None and row["territory"] is None
    # Fields with no seed column stay, typed, under their flattened names.
    assert row["username"] == "alee" and row["mobile"] == "0400 000 000"
    assert row["userposition_positionid"] == "P1" and row["org_orgid"] == "O1"
    assert row["createdutc"] == "2023-05-23" and row["lastupdatedutc"] == "2024-03-01"
    assert row["customfields"] == [{"name": "Shirt", "value": "L"}]
    # Renamed fields are not duplicated under their zone names.
    assert not {"userid", "givennames", "surname", "lastupdateddatetimeutc", "org_orgname"} & set(row)


def test_a_zone_users_role_falls_back_to_position_when_there_is_no_position_name() -> None:
    for userposition in ({"positionid": "P1", "positionname": ""}, {"positionid": "P1"}, None):
        record = {**ZONE_USER, "position": "Apprentice"}
        if userposition is None:
            record.pop("userposition")
        else:
            record["userposition"] = userposition
        assert zone("users")(record)["role"] == "Apprentice", userposition


@pytest.mark.parametrize("archived, status", [("true", "archived"), ("TRUE", "archived"), ("false", "active"),
                                              ("FALSE", "active"), (True, "archived"), (None, "active")])
def test_zone_status_comes_from_archived(archived, status) -> None:
    for table, record in (("users", ZONE_USER), ("suppliers", ZONE_SUPPLIER)):
        mapped = zone(table)({**record, "archived": archived})
        assert mapped["status"] == status, table
        assert "archived" not in mapped


# ---- zone suppliers -------------------------------------------------------------------------------
ZONE_SUPPLIER = {
    "supplierid": "S1==", "suppliername": "Bolts & Co", "suppliertype": "Trade", "shortname": "BOLTS",
    "firstname": "Pat", "surname": "Doe", "email": "pat@bolts.example", "phone": "03 9111 1111",
    "abn": "51 824 753 556", "website": "bolts.example",
    "address": {"addressline1": "1 Main St", "addressline2": "Unit 2", "suburb": "Fitzroy", "state": "VIC",
                "postcode": "3065", "country": "Australia"},
    "mailingaddress": {"addressline1": "PO Box 9", "addressline2": "", "suburb": "Carlton", "state": "VIC",
                       "postcode": "3053", "country": "Australia"},
    "orgs": [{"orgid": "O1", "orgname": "Field Services", "archived": "false"}],
    "link": {"orgid": "O1", "orgname": "Field Services", "externalid": "ACC-1001"},
    "transactionterms": {"transactionterm": "30 days EOM", "transactiontermnote": "", "transactiontermid": "T1"},
    "terms": "Net 30", "termsnote": "", "postable": "TRUE", "archived": "false",
    "datecreated": "2018-10-16 13:30:19.58", "dateinserted": "2018-10-16 13:30:19.58",
    "datetimeinserted": "2018-10-16 13:30:19.58",
}


def test_zone_suppliers_map_to_the_seed_columns() -> None:
    row = zone("suppliers")(ZONE_SUPPLIER)
    assert row["id"] == "S1==" and row["name"] == "Bolts & Co"
    assert row["contact_person"] == "Pat Doe"
    assert row["address"] == "1 Main St, Unit 2"
    assert (row["city"], row["state"], row["postal_code"], row["country"]) == ("Fitzroy", "VIC", "3065", "Australia")
    assert row["payment_terms"] == "30 days EOM"
    assert row["tax_id"] == "51 824 753 556"
    assert row["account_code"] == "ACC-1001"
    assert row["status"] == "active"
    # Site-local: 13:30 in Melbourne on 16 October 2018 (daylight time, +11:00) is 02:30 UTC.
    assert row["created_at"] == "2018-10-16T02:30:19.580Z"
    assert row["updated_at"] is None  # the zone has no last-updated field for suppliers
    assert row["postable"] is True
    assert row["datecreated"] == "2018-10-16"  # declared a date (one type per column name in every stream)
    assert row["mailingaddress_addressline1"] == "PO Box 9" and row["mailingaddress_suburb"] == "Carlton"
    assert row["link_orgid"] == "O1" and row["orgs"][0]["orgname"] == "Field Services"
    assert row["transactionterms_transactiontermid"] == "T1"


@pytest.mark.parametrize("firstname, surname, expected", [
    ("Pat", "Doe", "Pat Doe"), ("Pat", "", "Pat"), ("", "Doe", "Doe"), (None, None, None), ("  Pat ", "Doe", "Pat Doe"),
])
def test_a_zone_suppliers_contact_person_joins_first_name_and_surname(firstname, surname, expected) -> None:
    assert zone("suppliers")({**ZONE_SUPPLIER, "firstname": firstname, "surname": surname})["contact_person"] == expected


@pytest.mark.parametrize("line1, line2, expected", [
    ("1 Main St", "Unit 2", "1 Main St, Unit 2"), ("1 Main St", "", "1 Main St"), ("", "Unit 2", "Unit 2"), ("", "", None),
])
def test_a_zone_suppliers_address_joins_its_two_lines(line1, line2, expected) -> None:
    record = {**ZONE_SUPPLIER, "address": {**ZONE_SUPPLIER["address"], "addressline1": line1, "addressline2": line2}}
    assert zone("suppliers")(record)["address"] == expected


def test_a_zone_suppliers_payment_terms_fall_back_to_terms() -> None:
    record = {**ZONE_SUPPLIER, "transactionterms": {"transactionterm": "", "transactiontermid": "T0"}}
    assert zone("suppliers")(record)["payment_terms"] == "Net 30"


# ---- zone payments --------------------------------------------------------------------------------
ZONE_PAYMENT = {
    "paymentid": "PAY1==", "amount": "296.7600", "totalamount": "300.0000", "surchargeamount": "3.2400",
    "surchargepercentage": "1.08", "datepaid": "2023/12/18", "paymentmethodname": "EFT", "reference": "INV-77",
    "notes": "thanks", "chequenumber": "", "bankname": "", "linkprocessed": "TRUE", "datelinkprocessed": "2023/12/19",
    "linkedto": {"linkedtoid": "INV77==", "linkedtotype": "invoice"},
    "receivedby": {"userid": "U1==", "username": "alee"},
}


def test_zone_payments_map_to_the_seed_columns() -> None:
    row = zone("payments")(ZONE_PAYMENT)
    assert row["id"] == "PAY1=="
    assert row["amount"] == 296.76
    assert row["payment_date"] == "2023-12-18"
    assert row["payment_method"] == "EFT"
    assert row["reference_number"] == "INV-77"
    assert row["invoice_id"] == "INV77=="
    assert row["transaction_type"] == "invoice"
    assert row["notes"] == "thanks"
    assert row["currency"] is None and row["customer_id"] is None and row["job_id"] is None
    assert (row["totalamount"], row["surchargeamount"], row["surchargepercentage"]) == (300.0, 3.24, 1.08)
    assert row["linkprocessed"] is True and row["datelinkprocessed"] == "2023-12-19"
    assert row["receivedby_userid"] == "U1==" and row["receivedby_username"] == "alee"


@pytest.mark.parametrize("kind", ["Invoice", "INVOICE"])
def test_a_payment_linked_to_an_invoice_in_any_case_carries_its_invoice_id(kind: str) -> None:
    row = zone("payments")({**ZONE_PAYMENT, "linkedto": {"linkedtoid": "INV9", "linkedtotype": kind}})
    assert row["invoice_id"] == "INV9"


@pytest.mark.parametrize("kind", ["job", "project", ""])
def test_a_payment_linked_to_something_else_has_no_invoice_id_but_keeps_what_it_is_linked_to(kind: str) -> None:
    row = zone("payments")({**ZONE_PAYMENT, "linkedto": {"linkedtoid": "JOB5", "linkedtotype": kind}})
    assert row["invoice_id"] is None
    assert row["transaction_type"] == (kind or None)
    # Nothing the API sent is lost: the id stays under its flattened name.
    assert row.get("linkedto_linkedtoid") == "JOB5"


def test_a_zone_record_with_unknown_fields_keeps_them() -> None:
    row = zone("payments")({**ZONE_PAYMENT, "gstamount": "27.00", "extra": {"nested": "yes"}})
    assert row["gstamount"] == "27.00"  # undeclared: passed through untyped
    assert row["extra"] == {"nested": "yes"}  # an undeclared object: one column
    assert "extra_nested" not in row


def test_mapping_does_not_change_the_record_it_was_given() -> None:
    record = {**ZONE_PAYMENT, "linkedto": dict(ZONE_PAYMENT["linkedto"])}
    before = repr(record)
    zone("payments")(record)
    assert repr(record) == before


def test_every_offset_timestamp_agrees_with_a_datetime_conversion() -> None:
    """The per-minute shortcut against Python's own conversion, over offsets either side of
    UTC (whole and half hours), midnight and month/year/leap-day edges, with and without
    milliseconds; asked twice so the second answer comes from the remembered minute."""
    import random
    from datetime import datetime, timezone

    rng = random.Random(6)
    offsets = ["+00:00", "+10:00", "+11:00", "-05:00", "+05:30", "-09:30", "+14:00", "-12:00"]
    for _ in range(3000):
        moment = datetime(2020, 1, 1) + (datetime(2025, 1, 1) - datetime(2020, 1, 1)) * rng.random()
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if rng.random() < 0.3:
            text = rng.choice(["2024-02-29T", "2023-12-31T", "2024-01-01T", "2024-03-01T"]) + text[11:]
        millis = rng.choice(["", ".000", f".{rng.randrange(1000):03d}"])
        sent = text + millis + rng.choice(offsets)
        utc = datetime.fromisoformat(sent).astimezone(timezone.utc)
        expected = utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond // 1000:03d}" if utc.microsecond else "") + "Z"
        assert to_utc(sent) == expected, sent
        assert to_utc(sent) == expected, sent


@pytest.mark.parametrize("sent", ["2024-03-01T20:00:xx+10:00", "2024-03-01T2a:00:00+10:00", "2024-13-01T20:00:00+10:00",
                                  "2024-03-01T25:00:00+10:00", "2024-03-01T20:61:00+10:00", "2024-02-30T20:00:00+10:00",
                                  "2024-03-01T20:00:00*10:00"])
def test_a_malformed_offset_timestamp_is_kept_as_sent(sent: str) -> None:
    assert to_utc(sent) == sent
