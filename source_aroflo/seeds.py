"""The seed's three tables (contract §3): their columns, and how the zone dialect fills them."""

from __future__ import annotations

from .declaration import ArchivedStatus, FirstOf, Joined, LinkedId, Rename, SeedTable
from .schemas import ANY_ARRAY, DATE, DATE_TIME, NUMBER, STRING

_ID = {"type": "string"}

USERS = SeedTable(
    columns={
        "id": _ID, "first_name": STRING, "last_name": STRING, "email": STRING, "phone": STRING,
        "role": STRING, "department": STRING, "employee_id": STRING, "status": STRING,
        "access_level": STRING, "territory": STRING, "created_at": DATE_TIME, "updated_at": DATE_TIME,
    },
    zone_rules={
        "id": Rename("userid"), "first_name": Rename("givennames"), "last_name": Rename("surname"),
        "email": Rename("email"), "phone": Rename("phone"),
        "role": FirstOf(("userposition_positionname", "position")), "department": Rename("org_orgname"),
        "status": ArchivedStatus(), "access_level": Rename("accesstype"),
        "created_at": Rename("createddatetimeutc"), "updated_at": Rename("lastupdateddatetimeutc"),
    },
    rest_extra={
        "address_street": STRING, "address_city": STRING, "address_postcode": STRING,
        "manager_id": STRING, "manager_name": STRING, "hire_date": DATE, "locale": STRING,
    },
    rest_objects=("address", "manager"),
)

SUPPLIERS = SeedTable(
    columns={
        "id": _ID, "name": STRING, "contact_person": STRING, "email": STRING, "phone": STRING,
        "address": STRING, "city": STRING, "state": STRING, "country": STRING, "postal_code": STRING,
        "payment_terms": STRING, "tax_id": STRING, "account_code": STRING, "status": STRING,
        "created_at": DATE_TIME, "updated_at": DATE_TIME,
    },
    zone_rules={
        "id": Rename("supplierid"), "name": Rename("suppliername"),
        "contact_person": Joined(("firstname", "surname"), " "), "email": Rename("email"),
        "phone": Rename("phone"), "address": Joined(("address_addressline1", "address_addressline2"), ", "),
        "city": Rename("address_suburb"), "state": Rename("address_state"), "country": Rename("address_country"),
        "postal_code": Rename("address_postcode"),
        "payment_terms": FirstOf(("transactionterms_transactionterm", "terms")), "tax_id": Rename("abn"),
        "account_code": Rename("link_externalid"), "status": ArchivedStatus(),
        # Site-local (§5.3): converted to UTC with site_timezone.
        "created_at": Rename("datetimeinserted"),
    },
    rest_extra={"bank_name": STRING, "bank_bsb": STRING, "website": STRING, "tags": ANY_ARRAY},
    rest_objects=("bank",),
)

PAYMENTS = SeedTable(
    columns={
        "id": _ID, "amount": NUMBER, "currency": STRING, "payment_date": DATE, "payment_method": STRING,
        "status": STRING, "reference_number": STRING, "customer_id": STRING, "invoice_id": STRING,
        "job_id": STRING, "transaction_type": STRING, "notes": STRING,
        "created_at": DATE_TIME, "updated_at": DATE_TIME,
    },
    zone_rules={
        "id": Rename("paymentid"), "amount": Rename("amount"), "payment_date": Rename("datepaid"),
        "payment_method": Rename("paymentmethodname"), "reference_number": Rename("reference"),
        "invoice_id": LinkedId("linkedto_linkedtoid", "linkedto_linkedtotype", ("invoice",)),
        "job_id": LinkedId("linkedto_linkedtoid", "linkedto_linkedtotype", ("job", "task")),
        "transaction_type": FirstOf(("linkedto_linkedtotype",)), "notes": Rename("notes"),
    },
    rest_extra={"customer_name": STRING, "fee": NUMBER},
    rest_objects=("customer",),
)
