"""The three tables' columns and JSON schemas, declared once.

Seed columns (contract §3) come first and are in every record, null when the API has no value.
The zone API's other fields are declared too, under their flattened names, so a destination
gets typed columns for them; anything else the API sends is kept and allowed
(no `additionalProperties: false`).
"""

from __future__ import annotations

from typing import Mapping

STRING = {"type": ["null", "string"]}
NUMBER = {"type": ["null", "number"]}
BOOLEAN = {"type": ["null", "boolean"]}
DATE_TIME = {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
DATE = {"type": ["null", "string"], "format": "date"}
ARRAY = {"type": ["null", "array"], "items": {"type": ["null", "object", "string", "number", "boolean"]}}

SEED_COLUMNS: Mapping[str, Mapping[str, dict]] = {
    "users": {
        "id": {"type": "string"},
        "first_name": STRING, "last_name": STRING, "email": STRING, "phone": STRING,
        "role": STRING, "department": STRING, "employee_id": STRING, "status": STRING,
        "access_level": STRING, "territory": STRING,
        "created_at": DATE_TIME, "updated_at": DATE_TIME,
    },
    "suppliers": {
        "id": {"type": "string"},
        "name": STRING, "contact_person": STRING, "email": STRING, "phone": STRING,
        "address": STRING, "city": STRING, "state": STRING, "country": STRING,
        "postal_code": STRING, "payment_terms": STRING, "tax_id": STRING,
        "account_code": STRING, "status": STRING,
        "created_at": DATE_TIME, "updated_at": DATE_TIME,
    },
    "payments": {
        "id": {"type": "string"},
        "amount": NUMBER, "currency": STRING, "payment_date": DATE, "payment_method": STRING,
        "status": STRING, "reference_number": STRING, "customer_id": STRING,
        "invoice_id": STRING, "job_id": STRING, "transaction_type": STRING, "notes": STRING,
        "created_at": DATE_TIME, "updated_at": DATE_TIME,
    },
}

# Zone fields with no seed column, kept under their flattened names.
ZONE_EXTRA_COLUMNS: Mapping[str, Mapping[str, dict]] = {
    "users": {
        "username": STRING, "email2": STRING, "mobile": STRING, "fax": STRING,
        "userposition_positionid": STRING, "org_orgid": STRING,
        "createdutc": DATE, "lastupdatedutc": DATE,
        "customfields": ARRAY, "permissiongroups": ARRAY, "notes": ARRAY, "documentsandphotos": ARRAY,
    },
    "suppliers": {
        "suppliertype": STRING, "shortname": STRING, "mobile": STRING, "fax": STRING, "website": STRING,
        "mailingaddress_addressline1": STRING, "mailingaddress_addressline2": STRING,
        "mailingaddress_suburb": STRING, "mailingaddress_state": STRING,
        "mailingaddress_postcode": STRING, "mailingaddress_country": STRING,
        "orgs": ARRAY, "link_orgid": STRING, "link_orgname": STRING,
        "transactionterms_transactiontermnote": STRING, "transactionterms_transactiontermid": STRING,
        "termsnote": STRING, "postable": BOOLEAN, "datecreated": DATE, "dateinserted": DATE,
    },
    "payments": {
        "totalamount": NUMBER, "surchargeamount": NUMBER, "surchargepercentage": NUMBER,
        "chequenumber": STRING, "bankname": STRING, "bankaccountnumber": STRING,
        "bankbranch": STRING, "bankcode": STRING, "linkprocessed": BOOLEAN,
        "datelinkprocessed": DATE, "receivedby_userid": STRING, "receivedby_username": STRING,
    },
}


def json_schema(table: str) -> dict:
    properties = {**SEED_COLUMNS[table], **ZONE_EXTRA_COLUMNS[table]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["id"],
        "properties": {name: dict(schema) for name, schema in properties.items()},
    }
