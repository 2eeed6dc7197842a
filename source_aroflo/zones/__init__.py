"""Every AroFlo zone source-aroflo reads, declared once, and the child streams built from them.

The declarations are data, one `Zone` per zone, grouped by what the business does with them:
`jobs.py`, `sales.py`, `purchasing.py`, `clients.py`, `business.py`. `ZONES` lists them by name;
`CHILDREN` are the streams cut from a zone's records (lines, custom fields). `check_zones` runs at
import and fails naming the zone when a declaration is inconsistent. `taskresources` is not here:
it has no GET.
"""

from __future__ import annotations

from ..checks import check_zones
from ..declaration import Child, Zone
from .business import (BUSINESSUNITS, DOCUMENTSANDPHOTOS, LASTUPDATE, MESSAGEBOARD, MESSAGETEMPLATES,
                       PERMISSIONGROUPS, TRACKINGCENTRES, TRANSACTIONTERMS, USERPOSITION, USERS)
from .clients import ASSETCATEGORIES, ASSETS, CLIENTNOTES, CLIENTS, CONTACTS, LOCATIONS
from .jobs import PRIORITIES, SCHEDULES, SUBSTATUS, TASKEXPENSES, TASKLABOURS, TASKMATERIALS, TASKS, TASKTYPES, TIMESHEETS
from .purchasing import (BILLLINEITEMS, BILLS, CUSTOMHOLDERS, INVENTORY, INVENTORYCATEGORIES, INVENTORYLISTS,
                         INVENTORYSTOCKLEVELS, PURCHASEORDERS, SUPPLIERS, WORKORDERLINEITEMS, WORKORDERS)
from .sales import INVOICES, PAYMENTS, PROJECTS, QUOTELINEITEMS, QUOTES, STAGES

ZONES = (
    ASSETCATEGORIES,
    ASSETS,
    BILLLINEITEMS,
    BILLS,
    BUSINESSUNITS,
    CLIENTNOTES,
    CLIENTS,
    CONTACTS,
    CUSTOMHOLDERS,
    DOCUMENTSANDPHOTOS,
    INVENTORY,
    INVENTORYCATEGORIES,
    INVENTORYLISTS,
    INVENTORYSTOCKLEVELS,
    INVOICES,
    LASTUPDATE,
    LOCATIONS,
    MESSAGEBOARD,
    MESSAGETEMPLATES,
    PAYMENTS,
    PERMISSIONGROUPS,
    PRIORITIES,
    PROJECTS,
    PURCHASEORDERS,
    QUOTELINEITEMS,
    QUOTES,
    SCHEDULES,
    STAGES,
    SUBSTATUS,
    SUPPLIERS,
    TASKEXPENSES,
    TASKLABOURS,
    TASKMATERIALS,
    TASKS,
    TASKTYPES,
    TIMESHEETS,
    TRACKINGCENTRES,
    TRANSACTIONTERMS,
    USERPOSITION,
    USERS,
    WORKORDERLINEITEMS,
    WORKORDERS,
)
ZONES_BY_NAME = {zone.name: zone for zone in ZONES}


def _lines(parent: Zone, what: str) -> Child:
    return Child(f"{parent.name}_lines", parent, array="lines", join="lineitems", item_key="lineid",
                 doc=f"Lines of {what}: one row per line, with the {parent.id} and version of its parent.")


def _custom_fields(parent: Zone, what: str) -> Child:
    return Child(f"{parent.name}_customfields", parent, array="customfields", join="customfields",
                 item_key="fieldid", custom_fields=True,
                 doc=f"Custom fields of {what}: one row per field, its value typed by AroFlo's field type.")


# Streams built from their parent's pages as they are read (no request of their own).
CHILDREN = (
    _lines(INVOICES, "customer invoices"),
    _lines(QUOTES, "quotes"),
    _lines(PURCHASEORDERS, "purchase orders"),
    _lines(BILLS, "supplier bills"),
    _lines(WORKORDERS, "work orders"),
    _custom_fields(TASKS, "tasks"),
    _custom_fields(CLIENTS, "clients"),
    _custom_fields(SUPPLIERS, "suppliers"),
    _custom_fields(USERS, "users"),
    _custom_fields(ASSETS, "assets"),
    _custom_fields(LOCATIONS, "locations"),
)
CHILDREN_BY_NAME = {child.name: child for child in CHILDREN}
check_zones(ZONES, CHILDREN)
