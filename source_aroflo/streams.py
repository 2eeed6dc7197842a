"""The three tables, declared. Everything they share lives in `client.AroFloStream`."""

from .client import AroFloStream


class Users(AroFloStream):
    """Employees: names, contact details, position, organisation, access level."""

    table = "users"


class Suppliers(AroFloStream):
    """Suppliers: contact person, address, payment terms, tax id, account code."""

    table = "suppliers"


class Payments(AroFloStream):
    """Payments received: amount, date, method, reference, what they are linked to."""

    table = "payments"


STREAM_CLASSES = (Users, Suppliers, Payments)
