"""The seed's three tables (the seed README's three tables): their columns, and how the zone dialect fills them.

Each column of a seed table is filled in the zone dialect by one rule over the record's
flattened fields; the rules are data here, compiled once per stream by `mapping.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

from .schemas import ANY_ARRAY, DATE, DATE_TIME, NUMBER, STRING


class _Rule:
    """A column rule: the fields it reads, and those it takes out of the row (they become the
    column rather than staying columns of their own)."""

    @property
    def consumes(self) -> Tuple[str, ...]:
        return self.reads

    @property
    def reads(self) -> Tuple[str, ...]:
        raise NotImplementedError


@dataclass(frozen=True)
class Rename(_Rule):
    """The column is this flattened AroFlo field."""

    source: str

    @property
    def reads(self) -> Tuple[str, ...]:
        return (self.source,)


@dataclass(frozen=True)
class FirstOf(_Rule):
    """The first of these fields that has a value."""

    sources: Tuple[str, ...]

    @property
    def reads(self) -> Tuple[str, ...]:
        return self.sources


@dataclass(frozen=True)
class Joined(_Rule):
    """The fields that have a value, joined with `separator`."""

    sources: Tuple[str, ...]
    separator: str

    @property
    def reads(self) -> Tuple[str, ...]:
        return self.sources


@dataclass(frozen=True)
class ArchivedStatus(_Rule):
    """"archived" when the flag is true, else "active"."""

    source: str = "archived"

    @property
    def reads(self) -> Tuple[str, ...]:
        return (self.source,)


@dataclass(frozen=True)
class LinkedId(_Rule):
    """`id_field` when `type_field` is one of `types` (the fields stay in the record)."""

    id_field: str
    type_field: str
    types: Tuple[str, ...]

    @property
    def consumes(self) -> Tuple[str, ...]:
        return ()

    @property
    def reads(self) -> Tuple[str, ...]:
        return (self.id_field, self.type_field)


@dataclass(frozen=True)
class SeedTable:
    """One of the seed's three tables: its columns, and how the zone dialect fills them."""

    columns: Mapping[str, dict]  # column -> JSON schema, in the seed's order
    zone_rules: Mapping[str, Any]  # column -> Rename | FirstOf | Joined | ArchivedStatus | LinkedId
    rest_extra: Mapping[str, dict] = field(default_factory=dict)  # REST fields beyond the seed columns
    rest_objects: Tuple[str, ...] = ()  # REST keys that hold objects (flattened with `_`)

    def column_from(self, source: str) -> Optional[str]:
        """The seed column that is the zone field `source` renamed, if any."""
        return next((column for column, rule in self.zone_rules.items()
                     if isinstance(rule, Rename) and rule.source == source), None)

    def check(self, zone_columns: Mapping[str, Any]) -> list:
        problems = []
        for column, rule in self.zone_rules.items():
            if column not in self.columns:
                problems.append(f"column rule for {column!r}, which is not a seed column")
            for source in rule.reads:
                if source not in zone_columns:
                    problems.append(f"column {column!r} reads {source!r}, which is not among its fields")
        if "id" not in self.zone_rules:
            problems.append("seed table without a rule for its id column")
        return problems


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
        # Site-local: converted to UTC with site_timezone.
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
