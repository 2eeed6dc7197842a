"""Objects the declarations do not describe stay one object column: a REST record's undocumented
parts (`address.geo`, `bank.account`, `metadata`) never become undeclared `a_b` columns (issue 18:
users `address_geo_lat`, suppliers `bank_account_last4`, payments `metadata_batch_id` before)."""

from __future__ import annotations

from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import discover, read

from source_aroflo.source import SourceAroflo

BASE = "https://rest.aroflo.test/v1"
CONFIG = {"credentials": {"auth_type": "bearer", "api_key": "unit-test-token"}, "base_url": BASE}

RECORDS = {
    "users": {"id": "u1", "first_name": "Aroha", "updated_at": "2024-05-01T10:00:00Z",
              "address": {"street": "1 Queen St", "city": "Auckland", "postcode": "1010", "state": "AUK",
                          "geo": {"lat": -36.85, "lng": 174.76}},
              "manager": {"id": "u0", "name": "Mia"}},
    "suppliers": {"id": "s1", "name": "Pipes Ltd", "updated_at": "2024-05-01T10:00:00Z",
                  "bank": {"name": "ANZ", "bsb": "013-000", "account": {"last4": "4321"}}},
    "payments": {"id": "p1", "amount": 10.5, "payment_date": "2024-05-01", "updated_at": "2024-05-01T10:00:00Z",
                 "customer": {"id": "c1", "name": "Zoë"},
                 "metadata": {"batch": {"id": "b7", "seq": 3}, "source": "eft"}},
}


def _catalog(stream) -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=stream, sync_mode=SyncMode.full_refresh, destination_sync_mode=DestinationSyncMode.overwrite)])


def test_undocumented_nested_objects_stay_one_object_column(requests_mock):
    streams = {s.name: s for s in discover(SourceAroflo(), CONFIG).catalog.catalog.streams}
    for name, record in RECORDS.items():
        requests_mock.get(f"{BASE}/{name}", json={"data": [record]})
        output = read(SourceAroflo(), CONFIG, _catalog(streams[name]))
        assert not output.errors, output.errors
        [row] = [r.record.data for r in output.records]
        declared = set(streams[name].json_schema["properties"])
        undeclared = set(row) - declared
        assert not any("_" in column for column in undeclared), (name, undeclared)
        assert undeclared <= {"metadata"}, (name, undeclared)
        flattened = [c for c in row if c.count("_") and c.split("_")[0] in ("address", "bank", "metadata")]
        assert all(c in declared for c in flattened), (name, flattened)

    users = _rows(requests_mock, streams, "users")
    assert users["address_city"] == "Auckland" and users["address"] == {"state": "AUK", "geo": {"lat": -36.85, "lng": 174.76}}
    suppliers = _rows(requests_mock, streams, "suppliers")
    assert suppliers["bank_name"] == "ANZ" and suppliers["bank"] == {"account": {"last4": "4321"}}
    payments = _rows(requests_mock, streams, "payments")
    assert payments["metadata"] == {"batch": {"id": "b7", "seq": 3}, "source": "eft"}
    assert "customer" not in payments or payments["customer"] is None or "id" in payments["customer"]


def _rows(requests_mock, streams, name) -> dict:
    requests_mock.get(f"{BASE}/{name}", json={"data": [RECORDS[name]]})
    return read(SourceAroflo(), CONFIG, _catalog(streams[name])).records[0].record.data
