"""What the sandbox knows about AroFlo's zones: the documentation fixture, plus the few facts
the sandbox needs to join the docs to its records (written here from the docs, not from the
connector).

The fixture (`integration_tests/aroflo_docs/zones.json`, extracted from AroFlo's API docs) gives
per zone: `where` {field: documented type}, `default_where`, `order`, `joins`, `list_key` and
`fields` {path: {type, sample}} (paths like `client.clientid`, `lines[].lineid`): the union of
the field paths of the zone's example responses, with a sample value of each. Records are
rendered in exactly those paths, in the value format of each sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional

from integration_tests import aroflo_docs

# ---------------------------------------------------------------------------------------------
# The sandbox's own knowledge of AroFlo (from the docs' text and examples)
# ---------------------------------------------------------------------------------------------
# The key holding each zone's record id (the docs' examples). inventorystocklevels has none of
# its own: a stock level is an item held by a holder (itemid + assignedtoid).
ID_FIELDS: Dict[str, Optional[str]] = {
    "assetcategories": "categoryid", "assets": "assetid", "billlineitems": "lineid", "bills": "billid",
    "businessunits": "orgid", "clientnotes": "noteid", "clients": "clientid", "contacts": "userid",
    "customholders": "customholderid", "documentsandphotos": "documentid", "inventory": "itemid",
    "inventorycategories": "categoryid", "inventorylists": "listid", "inventorystocklevels": None,
    "invoices": "invoiceid", "locations": "locationid", "messageboard": "messageid",
    "messagetemplates": "templateid", "payments": "paymentid", "permissiongroups": "groupid",
    "priorities": "priorityid", "projects": "projectid", "purchaseorders": "purchaseorderid",
    "quotelineitems": "lineid", "quotes": "quoteid", "schedules": "scheduleid", "stages": "stageid",
    "substatus": "substatusid", "suppliers": "supplierid", "taskexpenses": "lineid",
    "tasklabours": "lineid", "taskmaterials": "lineid", "tasks": "taskid", "tasktypes": "tasktypeid",
    "timesheets": "timesheetid", "trackingcentres": "trackingcentreid",
    "transactionterms": "transactiontermid", "userposition": "positionid", "users": "userid",
    "workorderlineitems": "lineid", "workorders": "workorderid",
}

# Where (and order) fields whose value sits under another path of the record. Everything not
# listed here is the same-named top-level field of the record. A `None` path means the record
# does not carry the value at all (AroFlo filters on a column its answer leaves out); the
# business model answers those itself (business/views.py, `EXTRA`).
FIELD_PATHS: Dict[str, Dict[str, Optional[str]]] = {
    "assetcategories": {"parentcategoryid": "parentcategory.categoryid",
                        "parentcategoryname": "parentcategory.categoryname"},
    "inventorycategories": {"parentcategoryid": "parentcategory.categoryid",
                            "parentcategoryname": "parentcategory.categoryname"},
    # assets: the WHERE table spells the update fields `lastupdateutc`/`lastupdatedatetimeutc`;
    # the records carry `lastupdatedutc`/`lastupdateddatetimeutc` (docs/api/assets.md).
    "assets": {"category": "category.categoryname", "lastupdateutc": "lastupdatedutc",
               "lastupdatedatetimeutc": "lastupdateddatetimeutc"},
    "bills": {"purchaseorderid": "purchaseorder.purchaseorderid", "workorderid": "workorder.workorderid",
              "linkprocesseddate": None},
    # clientnotes: `createdutc` filters the note's `created_utc`.
    "clientnotes": {"createdutc": "created_utc"},
    # clients: `archived` and the update fields are filters only (the example records carry neither).
    "clients": {"archived": None, "lastupdateutc": None, "lastupdatedatetimeutc": None},
    "contacts": {"createdutc": None, "createddatetimeutc": None},
    "documentsandphotos": {"categoryname": "category.categoryname"},
    "inventory": {"category": "category.categoryname", "ischolderarchived": None, "isuserarchived": None,
                  "assignedtotype": None},
    "inventorystocklevels": {"lastupdatedutc": None, "lastupdateddatetimeutc": None, "isuserarchived": None,
                             "ischolderarchived": None, "isbuarchived": None},
    "invoices": {"taskid": None, "linkprocessed": None, "cusinvoiced": None, "taskdaterequested": None, "taskdatetimerequested": None,
                 "taskdatecompleted": None, "taskdatetimecompleted": None, "createdutc": None,
                 "createddatetimeutc": None},
    # locations: the links are one `linkedto` object; `archive` filters `archived`; the WHERE
    # table spells the update date `lasteupdatedutc`.
    "locations": {"linkedtotype": "linkedto.linkedtotype", "clientid": None, "supplierid": None, "orgid": None,
                  "clientname": None, "suppliername": None, "orgname": None, "archive": "archived",
                  "lasteupdatedutc": "lastupdatedutc"},
    "priorities": {"orgid": "org.orgid"},
    "projects": {"orgid": "org.orgid", "createdutc": None, "createddatetimeutc": None},
    "purchaseorders": {"linkprocessed": None, "adhocsupplier": None, "taskdaterequested": None, "taskdatetimerequested": None,
                       "taskdatecompleted": None, "taskdatetimecompleted": None, "deliveryby": "deliverybydate"},
    "quotelineitems": {"quoteid": "quote.quoteid"},
    "quotes": {"datetimedue": "duedatetime", "dateapproved": "approveddate", "datetimeapproved": "approveddatetime"},
    # schedules: a task's schedule names its task as `scheduletype.typeid` (type "task").
    "schedules": {"taskid": None, "scheduletotype": "scheduledto.scheduledtotype",
                  "scheduledtoid": "scheduledto.scheduledtoid", "scheduledtotype": "scheduledto.scheduledtotype",
                  "groupid": "grouping.groupid"},
    "stages": {"projectid": "project.projectid"},
    "substatus": {"orgid": "org.orgid"},
    "taskexpenses": {"taskid": "task.taskid", "status": "task.status", "expenselineid": "lineid",
                     "linkprocessed": None, "lablinkprocessed": None, "linkprocesseddate": None, "linkprocesseddatetime": None},
    "tasklabours": {"taskid": "task.taskid", "status": "task.status", "labourlineid": "lineid", "isinventory": None,
                    "labeodapproved": None, "clientname": "task.client.clientname", "orgname": "task.org.orgname",
                    "jobnumber": "task.jobnumber", "refcode": "task.refcode"},
    "taskmaterials": {"taskid": "task.taskid", "status": "task.status", "materiallineid": "lineid"},
    # tasks: the filters name the task's dates after their SQL columns; the records call them
    # request/completed; `orgid`/`tasktypeid` sit in objects; the salesperson fields in the
    # `salesperson` array (join=salesperson); `lastupdated` orders on the local update time.
    "tasks": {"task_id": "taskid", "clientname": "client.clientname", "orgname": "org.orgname", "orgid": "org.orgid",
              "tasktypeid": "tasktasktype.tasktypeid", "daterequested": "requestdate",
              "datetimerequested": "requestdatetime", "datecompleted": "completeddate",
              "datetimecompleted": "completeddatetime", "linkprocesseddatetime": None, "deleteddate": None,
              "deleteddatetime": None, "salesperson_givenname": None, "salesperson_surname": None,
              "salesperson_id": None, "lastupdated": "lastupdateddatetime"},
    "tasktypes": {"businessunitname": "businessunit.orgname", "clientid": None},
    "timesheets": {"taskid": "task.taskid", "userid": "user.userid"},
    "trackingcentres": {"orgid": "businessunit.orgid", "date_created": "datecreated"},
    "workorderlineitems": {"workorderid": "workorder.workorderid"},
}

# Where fields AroFlo's own example requests use although the WHERE table leaves them out (the
# fixture's `where_used`) are accepted too, typed here: payments' `datepaid`
# (docs/api/payments.md, "Get Payments"), invoices' `lastupdateddatetime` ("Get Approved Invoices
# updated after ..."), tasks' `task_id`, schedules' `groupid` and `scheduledtotype`...
EXAMPLE_WHERE_KINDS: Dict[str, str] = {"datepaid": "date", "lastupdateddatetime": "datetime", "task_id": "id",
                                       "taskid": "id", "groupid": "id", "scheduledtotype": "string",
                                       "linkprocessed": "bool", "lablinkprocessed": "bool"}

# Arrays and objects a `join` fills, per zone: join name -> record paths. Without the join
# AroFlo still sends the key, empty (`[]` or `{}`), as every example response shows.
JOINS: Dict[str, Dict[str, List[str]]] = {
    "assets": {"customfields": ["customfields"], "documentsandphotos": ["documentsandphotos"],
               "notes": ["notes"], "location": ["location"], "locationcustomfields": ["location.customfields"]},
    "bills": {"lineitems": ["lines"], "documentsandphotos": ["documentsandphotos"], "notes": ["notes"],
              "tasks": ["tasks"]},
    "businessunits": {"locations": ["locations"], "priorities": ["priorities"]},
    "clients": {"locations": ["locations"], "locationcustomfields": ["locations[].customfields"],
                "contacts": ["contacts"], "customfields": ["customfields"], "priorities": ["priorities"],
                "documentsandphotos": ["documentsandphotos"], "notes": ["notes"]},
    "inventory": {"stocklevels": ["stocklevels"], "documentsandphotos": ["documentsandphotos"]},
    "inventorylists": {"items": ["items"]},
    "invoices": {"lineitems": ["lines"], "task": ["task"], "project": ["project", "stage"],
                 "documentsandphotos": ["documentsandphotos"], "notes": ["notes"]},
    "locations": {"customfields": ["customfields"], "notes": ["notes"],
                  "documentsandphotos": ["documentsandphotos"]},
    "purchaseorders": {"lineitems": ["lines"], "task": ["tasks"], "project": ["projects"],
                       "documentsandphotos": ["documentsandphotos"], "notes": ["notes"]},
    "quotes": {"lineitems": ["lines"], "documentsandphotos": ["documentsandphotos"], "notes": ["notes"],
               "project": ["project"], "projects": ["project"]},
    "suppliers": {"locations": ["locations"], "locationcustomfields": ["locations[].customfields"],
                  "contacts": ["contacts"], "customfields": ["customfields"],
                  "documentsandphotos": ["documentsandphotos"], "notes": ["notes"]},
    "tasks": {"documentsandphotos": ["documentsandphotos"], "notes": ["tasknotes"], "tasknotes": ["tasknotes"],
              "assignedhistory": ["assigneds"], "material": ["materials"], "materials": ["materials"],
              "labour": ["labours"], "expense": ["expenses"], "purchaseorders": ["purchaseorders"],
              "assets": ["assets"], "customfields": ["customfields"], "location": ["location"],
              "locationcustomfields": ["location.customfields"], "project": ["project", "stage"],
              "tasktotals": ["tasktotals"], "substatus": ["substatus"], "salesperson": ["salesperson"],
              "quote": ["quote"]},
    "users": {"customfields": ["customfields"], "documentsandphotos": ["documentsandphotos"],
              "notes": ["notes"], "permissiongroups": ["permissiongroups"],
              "trackingcentredefaults": ["trackingcentredefaults"], "featureaccess": ["featureaccess"]},
    "workorders": {"lineitems": ["lines"], "tasks": ["tasks"], "bills": ["bills"], "notes": ["notes"],
                   "documentsandphotos": ["documentsandphotos"]},
}

# The zones AroFlo's change feed (`lastupdate`) documents, and the id field each entry's
# `zoneidreference` names (the examples: taskid, purchaseorderid, quoteid, materiallineid).
FEED_ZONES = ("tasks", "purchaseorders", "invoices", "clients", "suppliers", "locations", "tasklabours",
              "taskmaterials", "taskexpenses", "quotes")
FEED_ID_REFERENCE = {"tasks": "taskid", "purchaseorders": "purchaseorderid", "invoices": "invoiceid",
                     "clients": "clientid", "suppliers": "supplierid", "locations": "locationid",
                     "tasklabours": "labourlineid", "taskmaterials": "materiallineid",
                     "taskexpenses": "expenselineid", "quotes": "quoteid"}

# Zones whose example answers carry `zoneresponse` without `status`.
NO_ENVELOPE = frozenset({"quotes", "quotelineitems"})


# ---------------------------------------------------------------------------------------------
# The fixture
# ---------------------------------------------------------------------------------------------
def where_kind(documented: str) -> str:
    """A documented where type (`AroFlo ID`, `DATE(YYYY-MM-DD)`, `BOOLEAN`, ...) as one of
    id, date, datetime, bool, int, float, string."""
    text = str(documented or "").upper().replace(" ", "")
    if text.startswith("STRING"):
        return "string"
    if text.startswith("AROFLOID") or text in ("ID", "AROFLO_ID"):
        return "id"
    if text.startswith("DATETIME") or (text.startswith("DATE") and "HH" in text):
        return "datetime"
    if text.startswith("DATE"):
        return "date"
    if text.startswith("BOOL") or text == "TRUE,FALSE":
        return "bool"
    if text.startswith("INT") or text.startswith("NUMBER"):
        return "int"
    if text.startswith("FLOAT"):
        return "float"
    return "string"


@dataclass
class ZoneFacts:
    name: str
    where: Dict[str, str]                  # field -> kind (id, date, datetime, bool, int, float, string)
    default_column: Optional[str]          # the SQL column of the default filter, None if none
    order: List[str]
    joins: List[str]
    list_key: str
    fields: Dict[str, dict] = field(default_factory=dict)
    where_used: List[str] = field(default_factory=list)

    @property
    def id_field(self) -> Optional[str]:
        return ID_FIELDS.get(self.name)

    def path_of(self, name: str) -> Optional[str]:
        """The record path a where/order field compares (None: not in the record)."""
        paths = FIELD_PATHS.get(self.name, {})
        return paths[name] if name in paths else name

    def filterable(self) -> Dict[str, str]:
        return {**{f: EXAMPLE_WHERE_KINDS.get(f, "string") for f in self.where_used}, **self.where}

    def orderable(self) -> List[str]:
        return list(dict.fromkeys(list(self.order) + list(self.filterable())))


def _default_column(text) -> Optional[str]:
    if not text:
        return None
    found = re.findall(r"AND\s+([\w.]+)\s*>\s*DATEADD", str(text), flags=re.I)
    return found[-1] if found else None


def _where_map(raw) -> Dict[str, str]:
    out: Dict[str, str] = {}
    items = raw.items() if isinstance(raw, dict) else ((r.get("field"), r.get("type")) for r in raw or [])
    for name, documented in items:
        name = str(name or "").strip()
        if not name or " " in name:  # e.g. inventory's row "The following require JOIN stocklevels"
            continue
        out.setdefault(name.lower(), where_kind(documented))
    return out


@lru_cache(maxsize=1)
def load() -> Dict[str, ZoneFacts]:
    out = {}
    for name, z in aroflo_docs.load().items():
        if not z.get("get", True) or name == "taskresources":  # no GET (docs/api/taskresources.md)
            continue
        where = _where_map(z.get("where"))
        out[name] = ZoneFacts(
            name=name, where=where, default_column=_default_column(z.get("default_where")),
            order=[str(o).lower() for o in (z.get("order") or [])],
            joins=[str(j).lower() for j in (z.get("joins") or [])],
            list_key=z.get("list_key") or name, fields=dict(z.get("fields") or {}),
            where_used=[w.lower() for w in (z.get("where_used") or []) if w.lower() not in where])
    return out


def zone(name: str) -> ZoneFacts:
    return load()[name]


def zone_names() -> List[str]:
    return sorted(load())


def example(name: str) -> Optional[dict]:
    """AroFlo's example body of a zone, verbatim (None when the fixture keeps none)."""
    return aroflo_docs.example(name) if name in aroflo_docs.example_zones() else None
