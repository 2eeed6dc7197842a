"""Each zone's records as AroFlo shows them, from the site's columns.

`Views(site).values(zone, i, active)` gives record `i` as flat raw values keyed by the docs'
field paths (`client.clientid`, `lines` -> a list of dicts): strings, numbers (money in
dollars), booleans, epoch seconds for dates (None for a blank), `EMPTY` for an object AroFlo
sends as `{}`. `shape.Template` turns them into AroFlo's formats. Arrays a join fills are only
computed when `active` (the joined paths) holds them.

`EXTRA[zone][field]` answers the where fields AroFlo documents but its records do not carry
(`docs.FIELD_PATHS` maps them to None): (format kind, getter(views, i)).
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from ..shape import EMPTY, LOCAL_DATE, LOCAL_DT, UTC_DATE, UTC_DT
from . import words as W
from .core import DAY, TAGS, mix, rid, zone_id
from .site import Site, ascii_of, gst


def money(cents: int) -> float:
    return cents / 100.0


def _long_time(ts: float) -> str:
    from ..shape import fmt_long
    return fmt_long(ts)


class Views:
    def __init__(self, site: Site):
        self.s = site
        self.t = site.t

    # ------------------------------------------------------------------------- pieces
    def uname(self, u: int) -> str:
        users = self.t["users"]
        return f"{users.given[u]} {users.surname[u]}" if 0 <= u < len(users) else ""

    def uid(self, u: int) -> str:
        return rid("users", u) if u >= 0 else ""

    def user_ref(self, out: dict, prefix: str, u: int, name_key: str = "username") -> None:
        out[prefix + "userid"] = self.uid(u)
        out[prefix + name_key] = self.uname(u)

    def person(self, out: dict, prefix: str, u: int) -> None:
        users = self.t["users"]
        out[prefix + "userid"] = self.uid(u)
        out[prefix + "givennames"] = users.given[u] if u >= 0 else ""
        out[prefix + "surname"] = users.surname[u] if u >= 0 else ""

    def bu(self, out: dict, prefix: str, b: int, idkey: str = "orgid", namekey: str = "orgname") -> None:
        bus = self.t["businessunits"]
        b = b if 0 <= b < len(bus) else 0
        out[prefix + idkey] = rid("businessunits", b)
        out[prefix + namekey] = bus.name[b]

    def client_name(self, c: int) -> str:
        return self.t["clients"].name[c]

    def refcode(self, task: int) -> str:
        t = self.t["tasks"]
        return f"{self.t['clients'].short[t.client[task]]}{t.refseq[task]}"

    def web_id(self, kind: str, i: int) -> str:
        h = mix(TAGS[kind], i)
        raw = "".join(chr(33 + (h >> (6 * k)) % 90) for k in range(10)) + "  \n"
        return quote(raw, safe="")

    def docs(self, kind: str, parent: int) -> List[dict]:
        d = self.t["documentsandphotos"]
        return [self.doc_item(j) for j in self.s.docs_of.get((kind, parent), ()) if j not in d.deleted]

    def doc_item(self, j: int) -> dict:
        d = self.t["documentsandphotos"]
        h = mix(self.s.seed, 301, j)
        code = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[(h >> (5 * k)) % 32] for k in range(8))
        out = {"documentid": rid("documentsandphotos", j), "sizeinbytes": d.size[j], "uploadeddatetime": d.created[j],
               "filter": "Internal Only" if h % 4 else "Show Client", "comment": d.comment[j],
               "url": f"https://office.aroflo.com/DocStorage/{code[:4]}-{code[4:]}-original?expires="
                      f"{int(self.s.now) + 600}&signature={h:016X}{mix(h, 1):016X}",
               "name": d.name[j]}
        self.user_ref(out, "uploadedbyuser.", d.user[j])
        return out

    def gen_notes(self, kind: str, parent: int, base: float, until: float, n_max: int = 3,
                  key: str = "content") -> List[dict]:
        """Notes on a record that is not a note zone of its own (tasks, users, assets, quotes...)."""
        h = mix(self.s.seed, 311, TAGS[kind], parent)
        n = h % (n_max + 1)
        out = []
        span = max(until - base, 60.0)
        for k in range(n):
            when = base + span * (k + 1) / (n + 1)
            hk = mix(h, k)
            user = self.s.pick_staff("office", when, hk)
            text = W.CLIENT_NOTES[hk % len(W.CLIENT_NOTES)] if kind != "tasks" else W.LABOUR_NOTES[hk % len(W.LABOUR_NOTES)]
            item = {"filter": W.NOTE_FILTERS[(hk >> 8) % len(W.NOTE_FILTERS)], "timeposted": _long_time(when),
                    "noteid": zone_id(TAGS["tasknotes"] if kind == "tasks" else TAGS["otherNotes"],
                                      (TAGS[kind] << 20 | parent) * 4 + k if kind != "tasks" else parent * 4 + k),
                    key: f"<p>{text}</p>" if hk % 3 == 0 else text, "dateposted": when,
                    "user.userid": self.uid(user), "user.username": self.uname(user)}
            out.append(item)
        return out

    def cfields(self, zone: str, i: int) -> List[dict]:
        out = []
        for k, (name, ftype, options) in enumerate(W.CUSTOM_FIELDS.get(zone, ())):
            h = mix(self.s.seed, 321, len(zone), i, k)
            if h % 3 == 0:
                continue  # not filled in
            if ftype == "checkbox":
                value = "TRUE" if h % 2 else "FALSE"
            elif ftype == "Datefield":
                from datetime import date
                value = date.fromordinal(738000 + (h >> 8) % 1500).isoformat()
            elif ftype == "numeric":
                value = str((h >> 8) % 100)
            elif options:
                value = options[(h >> 8) % len(options)]
            else:
                value = f"{name[:3].upper()}{(h >> 8) % 100000:05d}" if ftype == "text" else "Gate code 1234#"
            out.append({"fieldid": zone_id(TAGS["customfields"], (TAGS.get(zone, 0) << 8) + k), "value": value,
                        "archived": False, "type": ftype, "name": name})
        return out

    def location_item(self, k: int, with_cf: bool) -> dict:
        loc, c = self.t["locations"], self.t["clients"]
        contact = loc.contact[k]
        ct = self.t["contacts"]
        out = {"locationid": rid("locations", k), "gpslat": loc.lat[k], "postcode": loc.postcode[k],
               "SiteContact": f"{ct.given[contact]} {ct.surname[contact]}" if contact >= 0 else "",
               "state": "VIC", "suburb": loc.suburb[k],
               "SiteEmail": (f"{ascii_of(ct.given[contact])}.{ascii_of(ct.surname[contact])}@example.com.au"
                             if contact >= 0 else ""),
               "locationname": loc.name[k], "country": "AUSTRALIA", "gpslong": loc.lng[k],
               "address": loc.street[k], "archived": loc.archived[k],
               "SitePhone": c.phone[loc.owner[k]] if loc.kind[k] == "client" else ""}
        out["customfields"] = self.cfields("locations", k) if with_cf else []
        return out

    def put(self, out: dict, prefix: str, item: dict) -> None:
        for key, value in item.items():
            out[prefix + key] = value

    def task_ref(self, out: dict, prefix: str, task: int) -> None:
        """The `task` object of labour, material and expense lines."""
        t = self.t["tasks"]
        out[prefix + "taskid"] = rid("tasks", task)
        out[prefix + "status"] = t.status[task]
        self.bu(out, prefix + "org.", t.bu[task])
        out[prefix + "linkprocesseddate"] = t.linkproc[task] if t.linkproc[task] > 0 else None
        out[prefix + "refcode"] = self.refcode(task)
        out[prefix + "jobnumber"] = t.jobno[task]
        out[prefix + "linkprocessed"] = t.linkproc[task] > 0
        out[prefix + "client.clientid"] = rid("clients", t.client[task])
        out[prefix + "client.clientname"] = self.client_name(t.client[task])

    def task_summary(self, out: dict, prefix: str, task: int) -> None:
        """The `task` object of invoices, quotes and purchase orders."""
        t = self.t["tasks"]
        out[prefix + "taskid"] = rid("tasks", task)
        out[prefix + "requestdatetime"] = t.requested[task]
        out[prefix + "requestdate"] = t.requested[task]
        out[prefix + "completeddatetime"] = t.completed[task] if t.completed[task] > 0 else None
        out[prefix + "completeddate"] = t.completed[task] if t.completed[task] > 0 else None
        out[prefix + "refcode"] = self.refcode(task)
        out[prefix + "jobnumber"] = t.jobno[task]
        out[prefix + "tasktype"] = self.t["tasktypes"].name[t.type[task]]
        out[prefix + "client.orgid"] = rid("clients", t.client[task])
        out[prefix + "client.orgname"] = self.client_name(t.client[task])
        out[prefix + "taskname"] = t.name[task]
        out[prefix + "linkprocessed"] = t.linkproc[task] > 0
        out[prefix + "linkprocesseddate"] = t.linkproc[task] if t.linkproc[task] > 0 else None
        out[prefix + "webappEncodedID"] = self.web_id("tasks", task)

    def project_obj(self, out: dict, prefix: str, p: int) -> None:
        pr = self.t["projects"]
        out[prefix + "location.locationid"] = rid("locations", pr.location[p]) if pr.location[p] >= 0 else ""
        out[prefix + "location.locationname"] = self.site_name(pr.client[p], pr.location[p])
        contact = pr.contact[p]
        ct = self.t["contacts"]
        out[prefix + "contact"] = f"{ct.given[contact]} {ct.surname[contact]}" if contact >= 0 else ""
        out[prefix + "startdate"] = pr.startd[p]
        out[prefix + "projecttype"] = W.PROJECT_TYPES[pr.type[p]]
        out[prefix + "enddate"] = pr.endd[p]
        out[prefix + "status"] = pr.status[p].capitalize()
        out[prefix + "closeddate"] = pr.endd[p] if pr.status[p] == "closed" else None
        out[prefix + "description"] = ""
        out[prefix + "projectid"] = rid("projects", p)
        out[prefix + "refno"] = f"{self.t['clients'].short[pr.client[p]]}{pr.number[p]}"
        out[prefix + "manager"] = self.uname(pr.manager[p])
        out[prefix + "custon"] = ""
        out[prefix + "projectnumber"] = pr.number[p]
        out[prefix + "projectname"] = pr.name[p]

    def site_name(self, client: int, location: int) -> str:
        if location >= 0:
            loc = self.t["locations"]
            return f"{loc.name[location]}, {loc.suburb[location]}"
        c = self.t["clients"]
        return f"{c.street[client]}, {c.suburb[client]}"

    def address(self, out: dict, prefix: str, client: int, location: int, short: bool = True) -> None:
        c, loc = self.t["clients"], self.t["locations"]
        if location >= 0:
            street, suburb, postcode = loc.street[location], loc.suburb[location], loc.postcode[location]
            line2 = ""
        else:
            street, suburb, postcode = c.street[client], c.suburb[client], c.postcode[client]
            line2 = ""
        out[prefix + "postcode"] = postcode
        out[prefix + "state"] = "VIC"
        out[prefix + "suburb"] = suburb
        out[prefix + "address1"] = street
        out[prefix + "address2"] = line2

    def blank_upd(self, zone: str, i: int) -> Optional[float]:
        tab = self.t[zone]
        return None if i in tab.blank else tab.updated[i]

    # ------------------------------------------------------------------------- zones
    def values(self, zone: str, i: int, active: frozenset = frozenset()) -> dict:
        return getattr(self, "v_" + zone)(i, active)

    def v_assetcategories(self, i, active):
        ac = self.t["assetcategories"]
        parent = ac.parent[i]
        return {"listorder": ac.listorder[i], "categoryid": rid("assetcategories", i), "categoryname": ac.name[i],
                "parentcategory.categoryid": rid("assetcategories", parent) if parent >= 0 else "",
                "parentcategory.categoryname": ac.name[parent] if parent >= 0 else ""}

    def v_assets(self, i, active):
        a, t = self.t["assets"], self.t["tasks"]
        manu, model, name = self.s.asset_model(i)
        cat = a.category[i]
        h = mix(self.s.seed, 401, i)
        out = {"assetid": rid("assets", i), "assetname": name, "odotype": "Kms" if "Vehicles" in
               self.t["assetcategories"].name[cat] else "", "modelnumber": model, "serialnumber": a.serial[i],
               "quantity": 1, "barcode": f"{h % 10 ** 13:013d}" if h % 3 == 0 else "", "supplier": "",
               "cost": 0.0, "customerid": "", "odo": 0, "ordercode": model, "manufacturer": manu,
               "archived": a.archived[i], "datecreated": a.created[i],
               "lastupdatedutc": self.blank_upd("assets", i), "lastupdateddatetimeutc": self.blank_upd("assets", i),
               "category.categoryid": rid("assetcategories", cat),
               "category.categoryname": self.t["assetcategories"].name[cat],
               "client.clientid": rid("clients", a.client[i]), "client.clientname": self.client_name(a.client[i])}
        self.bu(out, "org.", a.bu[i])
        if a.location[i] >= 0:
            self.put(out, "location.", self.location_item(a.location[i], "location.customfields" in active))
        else:
            out["location"] = EMPTY
        if "customfields" in active:
            out["customfields"] = self.cfields("assets", i)
        if "notes" in active:
            out["notes"] = self.gen_notes("assets", i, a.created[i], a.updated[i])
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("assets", i)
        return out

    def _bill_line(self, j: int) -> dict:
        bl = self.t["billlineitems"]
        total = int(round(bl.price[j] * bl.qty[j] / 100))
        inv = self.t["inventory"]
        return {"total": money(total), "accountcode": "5-1020" if bl.src[j] != "fee" else "5-1300",
                "price": money(bl.price[j]), "qtyreceived": bl.qty[j] / 100.0, "billid": rid("bills", bl.bill[j]),
                "taxamount": money(gst(total)), "taskid": rid("tasks", bl.task[j]) if bl.task[j] >= 0 else "",
                "description": bl.desc[j], "lineid": rid("billlineitems", j), "taxcode": "GST", "qty": bl.qty[j] / 100.0,
                "itemid": rid("inventory", bl.item[j]) if bl.item[j] >= 0 else "",
                "ordercode": inv.part[bl.item[j]] if bl.item[j] >= 0 else "", "taxrate": 10.0,
                "itemtype": "Material" if bl.src[j] != "fee" else "Freight"}

    def v_billlineitems(self, i, active):
        out = self._bill_line(i)
        out.pop("itemtype")
        return out

    def bill_totals(self, i: int) -> tuple:
        bl = self.t["billlineitems"]
        ex = sum(int(round(bl.price[j] * bl.qty[j] / 100)) for j in self.s.bill_lines[i] if j not in bl.deleted)
        return ex, gst(ex), ex + gst(ex)

    def v_bills(self, i, active):
        b, po, wo, s = self.t["bills"], self.t["purchaseorders"], self.t["workorders"], self.t["suppliers"]
        ex, tax, inc = self.bill_totals(i)
        out = {"billid": rid("bills", i), "billnumber": b.billno[i], "dateinvoiced": b.created[i], "duedate": b.due[i],
               "status": b.status[i], "isTaxInclusive": False, "surchargeamount": 0.0, "description": "",
               "totalex": money(ex), "totalgst": money(tax), "totalinc": money(inc),
               "lastupdatedutc": self.blank_upd("bills", i), "lastupdateddatetimeutc": self.blank_upd("bills", i),
               "supplier.orgid": rid("suppliers", b.supplier[i]), "supplier.orgname": s.name[b.supplier[i]],
               "workorder.workorderid": rid("workorders", b.wo[i]) if b.wo[i] >= 0 else "",
               "workorder.workordernumber": str(1001 + b.wo[i]) if b.wo[i] >= 0 else "",
               "purchaseorder.purchaseorderid": rid("purchaseorders", b.po[i]) if b.po[i] >= 0 else "",
               "purchaseorder.ordernumber": f"{1001 + b.po[i]:06d}" if b.po[i] >= 0 else ""}
        self.bu(out, "org.", b.bu[i])
        self.user_ref(out, "lastupdateuser.", b.user[i])
        bus = self.t["businessunits"]
        out.update({"address.postcode": "3153", "address.state": "VIC", "address.suburb": "Bayswater",
                    "address.address1": "12 Enterprise Dr", "address.address2": ""})
        if "lines" in active:
            bl = self.t["billlineitems"]
            out["lines"] = [self._bill_line(j) for j in self.s.bill_lines[i] if j not in bl.deleted]
        return out

    def v_businessunits(self, i, active):
        bus = self.t["businessunits"]
        h = mix(self.s.seed, 411, i)
        addr = {"country": "AUSTRALIA", "postcode": "3153", "addressline1": f"{12 + i} Enterprise Dr",
                "state": "VIC", "suburb": "Bayswater", "addressline2": ""}
        out = {"orgid": rid("businessunits", i), "businessunitname": bus.name[i], "shortname": bus.short[i],
               "surname": "Accounts", "firstname": "Yarra", "termsnote": "", "terms": "", "phone": "03 9720 1100",
               "email": f"office@{ascii_of(bus.name[i])[:12]}.com.au", "abn": f"{51 + i} 624 {h % 900 + 100} 817",
               "usecustompriorities": False, "archived": bus.archived[i], "fax": "", "website": "https://yarrape.com.au",
               "mobile": ""}
        self.put(out, "address.", addr)
        self.put(out, "mailingaddress.", dict(addr, addressline1=f"PO Box {400 + i}"))
        if "priorities" in active:
            pr = self.t["priorities"]
            out["priorities"] = [self._priority_item(k) for k in range(len(pr)) if pr.bu[k] == i]
        return out

    def _priority_item(self, k: int) -> dict:
        pr = self.t["priorities"]
        return {"priorityid": rid("priorities", k), "description": str(pr.no[k]), "responseminutes": pr.minutes[k],
                "archived": pr.archived[k], "shortdescription": pr.name[k]}

    def v_clientnotes(self, i, active):
        n = self.t["clientnotes"]
        out = {"filter": n.filter[i], "noteid": rid("clientnotes", i), "content": n.content[i],
               "clientid": rid("clients", n.client[i]), "sticky": n.sticky[i], "created_utc": n.created[i],
               "datetimeposted": n.created[i]}
        self.user_ref(out, "user.", n.user[i])
        return out

    def _contact_item(self, k: int) -> dict:
        ct = self.t["contacts"]
        h = mix(self.s.seed, 421, k)
        given, surname = ct.given[k], ct.surname[k]
        return {"surname": surname, "givennames": given, "userid": rid("contacts", k),
                "username": "%08X-%04X-%04X-%04X-%012X" % (h & 0xFFFFFFFF, (h >> 32) & 0xFFFF, (h >> 48) & 0xFFFF,
                                                           mix(h, 1) & 0xFFFF, mix(h, 2) & 0xFFFFFFFFFFFF),
                "phone": f"03 9{h % 1000:03d} {(h >> 10) % 10000:04d}" if h % 3 else "",
                "mobile": f"04{(h >> 20) % 100:02d} {(h >> 27) % 1000:03d} {(h >> 37) % 1000:03d}",
                "fax": "", "email": f"{ascii_of(given)}.{ascii_of(surname)}@example.com.au",
                "email2": "", "archived": ct.archived[k]}

    def v_clients(self, i, active):
        c = self.t["clients"]
        terms = self.t["transactionterms"]
        h = mix(self.s.seed, 431, i, self.t["clients"].rev[i])
        commercial = c.kind[i] != "Residential"
        addr = {"country": "AUSTRALIA", "postcode": c.postcode[i], "addressline1": c.street[i], "state": "VIC",
                "suburb": c.suburb[i], "addressline2": "", "gpslat": c.lat[i], "gpslong": c.lng[i]}
        out = {"clientid": rid("clients", i), "clientname": c.name[i], "firstname": c.given[i], "surname": c.surname[i],
               "shortname": c.short[i], "phone": c.phone[i] if not c.rev[i] else c.phone[i][:-4] + f"{h % 10000:04d}",
               "email": c.email[i], "abn": f"{h % 90 + 10} {(h >> 7) % 900 + 100} {(h >> 17) % 900 + 100} "
                                           f"{(h >> 27) % 900 + 100}" if commercial else "",
               "fax": "", "mobile": "", "website": "", "termsnote": "", "terms": "",
               "datetimeinserted": c.created[i], "dateinserted": c.created[i], "datecreated": c.created[i],
               "postable": c.updated[i] > self.s.now - 7 * DAY, "usecustompriorities": commercial and h % 4 == 0,
               "link.orgid": rid("clients", i) if h % 3 else "", "link.orgname": c.name[i] if h % 3 else "",
               "link.externalid": ("%08x-%04x-%04x-%04x-%012x" % (h & 0xFFFFFFFF, (h >> 32) & 0xFFFF, (h >> 48) & 0xFFFF,
                                   mix(h, 3) & 0xFFFF, mix(h, 4) & 0xFFFFFFFFFFFF)) if h % 3 else "",
               "transactionterms.transactionterm": terms.name[c.term[i]],
               "transactionterms.transactiontermnote": "",
               "transactionterms.transactiontermid": rid("transactionterms", c.term[i])}
        self.put(out, "address.", addr)
        mail = {k: v for k, v in addr.items() if k not in ("gpslat", "gpslong")}
        if commercial and h % 2:
            mail = dict(mail, addressline1=f"PO Box {h % 900 + 100}", addressline2="")
        self.put(out, "mailingaddress.", mail)
        bus = self.t["businessunits"]
        out["orgs"] = [{"orgid": rid("businessunits", c.bu[i]), "orgname": bus.name[c.bu[i]], "archived": False}]
        if "locations" in active:
            loc = self.t["locations"]
            with_cf = "locations[].customfields" in active
            out["locations"] = [self.location_item(k, with_cf) for k in self.s.client_locations.get(i, ())
                                if k not in loc.deleted]
        if "contacts" in active:
            ct = self.t["contacts"]
            out["contacts"] = [self._contact_item(k) for k in self.s.client_contacts.get(i, ()) if k not in ct.deleted]
        if "customfields" in active:
            out["customfields"] = self.cfields("clients", i)
        if "priorities" in active and out["usecustompriorities"]:
            pr = self.t["priorities"]
            out["priorities"] = [self._priority_item(k) for k in range(len(pr)) if pr.bu[k] == c.bu[i]]
        if "notes" in active:
            cn = self.t["clientnotes"]
            out["notes"] = [self._client_note_item(k) for k in self.s.client_notes.get(i, ()) if k not in cn.deleted]
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("clients", i)
        return out

    def _client_note_item(self, k: int) -> dict:
        n = self.t["clientnotes"]
        out = {"filter": n.filter[k], "timeposted": _long_time(n.created[k]), "noteid": rid("clientnotes", k),
               "content": n.content[k], "dateposted": n.created[k]}
        self.user_ref(out, "user.", n.user[k])
        return out

    def v_contacts(self, i, active):
        ct = self.t["contacts"]
        out = self._contact_item(i)
        out["contacttype"] = ct.type[i]
        out["accesstype"] = "Client" if ct.type[i] == "client" else "Contractor"
        if ct.client[i] >= 0:
            out["org.orgid"], out["org.orgname"] = rid("clients", ct.client[i]), self.client_name(ct.client[i])
        else:
            out["org.orgid"] = rid("suppliers", ct.supplier[i])
            out["org.orgname"] = self.t["suppliers"].name[ct.supplier[i]]
        return out

    def v_customholders(self, i, active):
        ch = self.t["customholders"]
        return {"customholderid": rid("customholders", i), "archived": ch.archived[i], "customholdername": ch.name[i]}

    def v_documentsandphotos(self, i, active):
        d = self.t["documentsandphotos"]
        out = self.doc_item(i)
        out["category.categoryid"] = zone_id(TAGS["groups"], 100 + d.category[i])
        out["category.categoryname"] = W.DOC_CATEGORIES[d.category[i] % len(W.DOC_CATEGORIES)]
        return out

    def _stock_item(self, k: int) -> dict:
        sl = self.t["inventorystocklevels"]
        htype, holder = sl.htype[k], sl.holder[k]
        if htype == "org":
            hid, hname = rid("businessunits", holder), self.t["businessunits"].name[holder]
        elif htype == "cholder":
            hid, hname = rid("customholders", holder), self.t["customholders"].name[holder]
        else:
            hid, hname = rid("users", holder), self.uname(holder)
        upd = sl.updated[k]
        return {"assignedtotype": htype, "lastupdatedutc": upd, "lastupdateddatetime": upd, "quantity": sl.qty[k] / 100.0,
                "assignedtoid": hid, "lastupdateddatetimeutc": upd, "assignedto": hname, "lastupdated": upd,
                "itemid": rid("inventory", sl.item[k])}

    def _item_pricing(self, out: dict, prefix: str, k: int) -> None:
        inv = self.t["inventory"]
        out.update({prefix + "flexcost": money(inv.cost[k]), prefix + "manufacturer": inv.manufacturer[k],
                    prefix + "invcmarginon": "COST", prefix + "supplier": self.t["suppliers"].name[inv.supplier[k]],
                    prefix + "useSimplePricing": True, prefix + "taskmarginon": "COST",
                    prefix + "sell_qte": money(inv.sell[k]), prefix + "invcmargin": 0.0, prefix + "costex": money(inv.cost[k]),
                    prefix + "description": inv.desc[k], prefix + "partnumber": inv.part[k],
                    prefix + "sell_invc": money(inv.sell[k]), prefix + "itemid": rid("inventory", k),
                    prefix + "sell_task": money(inv.sell[k]),
                    prefix + "taskmargin": round(100.0 * (inv.sell[k] - inv.cost[k]) / max(inv.cost[k], 1), 4),
                    prefix + "category.categoryid": rid("inventorycategories", inv.category[k]),
                    prefix + "category.categoryname": self.t["inventorycategories"].name[inv.category[k]]})

    def v_inventory(self, i, active):
        inv = self.t["inventory"]
        out = {}
        self._item_pricing(out, "", i)
        out.update({"createddatetimeutc": inv.created[i], "createdutc": inv.created[i],
                    "lastupdatedutc": self.blank_upd("inventory", i),
                    "lastupdateddatetimeutc": self.blank_upd("inventory", i),
                    "identifier": ", ".join(w.lower() for w in inv.desc[i].split()[:3])})
        if "stocklevels" in active:
            sl = self.t["inventorystocklevels"]
            out["stocklevels"] = [self._stock_item(k) for k in self.s.item_stock.get(i, ()) if k not in sl.deleted]
        return out

    def v_inventorycategories(self, i, active):
        ic = self.t["inventorycategories"]
        p = ic.parent[i]
        h = mix(self.s.seed, 441, i)
        return {"issoritem": False, "usebustockalert": h % 5 == 0, "categoryid": rid("inventorycategories", i),
                "marginon": "Cost" if h % 2 else "Off", "usechstockalert": False, "useusersstockalert": h % 7 == 0,
                "listorder": ic.listorder[i], "parentcategory.categoryid": rid("inventorycategories", p),
                "parentcategory.categoryname": ic.name[p], "defaultmargin": 30 + h % 4 * 5,
                "bustockalertlevel": 5 if h % 5 == 0 else 0, "userstockalertlevel": 2 if h % 7 == 0 else 0,
                "quoteusing": "Sell" if h % 3 else "Cost", "chstockalertlevel": 0, "categoryname": ic.name[i]}

    def v_inventorylists(self, i, active):
        il, inv = self.t["inventorylists"], self.t["inventory"]
        cost = sum(inv.cost[k] * q // 100 for k, q in il.items[i])
        sell = sum(inv.sell[k] * q // 100 for k, q in il.items[i])
        out = {"labourrate": 0, "invoicecost": money(cost), "listid": rid("inventorylists", i), "taskcost": money(cost),
               "taskusing": "Sell", "listname": il.name[i], "quotesell": money(sell), "listtype": il.type[i],
               "cost": money(cost), "quotecost": money(cost), "sell": money(sell), "tasksell": money(sell),
               "quoteusing": "Sell", "invoiceusing": "Sell", "invoicesell": money(sell),
               "category.categoryid": rid("inventorycategories", il.category[i]),
               "category.categoryname": self.t["inventorycategories"].name[il.category[i]]}
        self.bu(out, "businessunit.", il.bu[i])
        if "items" in active:
            items = []
            for k, q in il.items[i]:
                item = {"quantity": q / 100.0, "labour_rate": 0, "use_inventory_pricing": True}
                self._item_pricing(item, "inventoryitem.", k)
                for key in ("manufacturer", "supplier", "sell_qte", "costex", "description", "partnumber", "sell_invc",
                            "itemid", "sell_task"):
                    item[key] = item["inventoryitem." + key]
                items.append(item)
            out["items"] = items
        return out

    def v_inventorystocklevels(self, i, active):
        out = self._stock_item(i)
        for key in ("lastupdatedutc", "lastupdateddatetimeutc"):
            out.pop(key)
        return out

    def _invoice_line(self, kind: str, idx: int) -> dict:
        s = self.s
        total = s.line_total(kind, idx)
        if kind == "lab":
            lab = self.t["tasklabours"]
            u = lab.user[idx]
            users = self.t["users"]
            from ..shape import fmt_local_date
            desc = f"{users.given[u][:1]}.{users.surname[u]} {fmt_local_date(lab.start[idx])[8:10]}/" \
                   f"{fmt_local_date(lab.start[idx])[5:7]}/{fmt_local_date(lab.start[idx])[:4]}"
            qty, price, task = lab.minutes[idx] / 60.0, money(lab.sell[idx]), lab.task[idx]
            itemtype, code, item, tc = "Labour", "00", "", s.tc_by_kind.get("labour", 0)
            order = W.WORKTYPES[lab.worktype[idx]][0]
            lineid = zone_id(TAGS["inv_lab"], idx)
        elif kind == "mat":
            mat = self.t["taskmaterials"]
            qty, price, task = mat.qty[idx] / 100.0, money(mat.sell[idx]), mat.task[idx]
            desc, itemtype, code, tc = mat.desc[idx], "Material", "01", s.tc_by_kind.get("material", 0)
            item = rid("inventory", mat.item[idx]) if mat.item[idx] >= 0 else ""
            order = self.t["inventory"].part[mat.item[idx]] if mat.item[idx] >= 0 else ""
            lineid = zone_id(TAGS["inv_mat"], idx)
        elif kind == "exp":
            ex = self.t["taskexpenses"]
            qty, price, task = 1.0, money(ex.sell[idx]), ex.task[idx]
            desc, itemtype, code, tc = W.EXPENSES[ex.kind[idx]][0], "Expense", "02", s.tc_by_kind.get("expense", 0)
            item, order = "", ""
            lineid = zone_id(TAGS["inv_exp"], idx)
        else:
            inv = self.t["invoices"]
            qty, price, task = 1.0, money(inv.fee[idx]), inv.task[idx]
            desc, itemtype, code, tc, item, order = "Call-out fee", "Labour", "00", s.tc_by_kind.get("labour", 0), "", "CALLOUT"
            lineid = zone_id(TAGS["inv_fee"], idx)
        return {"accountcode": "4-1010", "qtybilled": qty, "total": money(total), "price": price, "itemtype": itemtype,
                "transactioncode": code, "qtyused": qty, "taxamount": money(gst(total)), "description": desc,
                "lineid": lineid, "taxcode": "GST", "trackingcentreid": rid("trackingcentres", tc), "itemid": item,
                "ordercode": order, "taxrate": 10.0, "task.taskid": rid("tasks", task),
                "task.jobnumber": self.t["tasks"].jobno[task], "task.webappEncodedID": self.web_id("tasks", task)}

    def v_invoices(self, i, active):
        s, inv, t = self.s, self.t["invoices"], self.t["tasks"]
        task = inv.task[i]
        client = t.client[task]
        ex, tax, inc = s.invoice_totals(i)
        upd = self.blank_upd("invoices", i)
        h = mix(s.seed, 451, i)
        out = {"invoiceid": rid("invoices", i), "createddatetimeutc": inv.created[i], "createdutc": inv.created[i],
               "totalex": money(ex), "totalgst": money(tax), "totalinc": money(inc), "status": inv.status[i],
               "surchargeamount": 0.0, "description": t.name[task],
               "linkprocesseddate": inv.processed[i] if inv.processed[i] > 0 else None, "custon": t.custon[task],
               "duedate": inv.due[i], "dateinvoiced": inv.created[i], "invoicenumber": inv.number[i],
               "isTaxInclusive": False, "partinvoice": inv.partial[i],
               "deliverystatus": ["Emailed", "To be Printed", "Emailed", "Not Sent"][h % 4] if inv.status[i] != "pending approval" else "Not Sent",
               "lastupdatedutc": upd, "lastupdateddatetimeutc": upd, "lastupdated": upd, "lastupdateddatetime": upd,
               "client.orgid": rid("clients", client), "client.orgname": self.client_name(client),
               "link.orgid": rid("clients", client) if h % 3 else "", "link.orgname": self.client_name(client) if h % 3 else "",
               "link.externalid": "%08x-%04x" % (mix(client, 5) & 0xFFFFFFFF, h & 0xFFFF) if h % 3 else ""}
        self.bu(out, "org.", t.bu[task])
        self.user_ref(out, "invoicedbyuser.", inv.user[i])
        self.user_ref(out, "lastupdateuser.", inv.user[i])
        self.address(out, "address.", client, t.location[task])
        if "lines" in active:
            out["lines"] = [self._invoice_line(kind, idx) for kind, idx in s.invoice_lines[i]]
        if "task" in active:
            self.task_summary(out, "task.", task)
        if "project" in active:
            if t.project[task] >= 0:
                self.project_obj(out, "project.", t.project[task])
            else:
                out["project"] = EMPTY
        if "notes" in active:
            out["notes"] = self.gen_notes("invoices", i, inv.created[i], inv.updated[i])
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("invoices", i)
        return out

    def v_locations(self, i, active):
        loc = self.t["locations"]
        out = self.location_item(i, "customfields" in active)
        upd = self.blank_upd("locations", i)
        out.update({"createddatetimeutc": loc.created[i], "createdutc": loc.created[i], "lastupdatedutc": upd,
                    "lastupdateddatetimeutc": upd, "linkedto.linkedtotype": loc.kind[i]})
        kind, owner = loc.kind[i], loc.owner[i]
        if kind == "client":
            out["linkedto.linkedtoid"], out["linkedto.linkedtoname"] = rid("clients", owner), self.client_name(owner)
        elif kind == "supplier":
            out["linkedto.linkedtoid"], out["linkedto.linkedtoname"] = rid("suppliers", owner), self.t["suppliers"].name[owner]
        else:
            out["linkedto.linkedtoid"] = rid("businessunits", owner)
            out["linkedto.linkedtoname"] = self.t["businessunits"].name[owner]
        if "notes" in active:
            out["notes"] = []
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("locations", i)
        return out

    def v_messageboard(self, i, active):
        mb = self.t["messageboard"]
        return {"messageid": rid("messageboard", i), "message": f"<p>{mb.subject[i]}. Thanks, the office.</p>",
                "filtertype": mb.filter[i], "subject": mb.subject[i], "lastupdated": None,
                "postedby": self.uname(mb.user[i]), "dateposted": mb.created[i],
                "specificfilter.specificfilterid": "", "specificfilter.specificfiltername": ""}

    def v_messagetemplates(self, i, active):
        mt = self.t["messagetemplates"]
        out = {"createdutc": mt.created[i], "formattype": mt.format[i], "templateid": rid("messagetemplates", i),
               "templatename": mt.name[i], "templatesubject": f"{W.BUSINESS}: {mt.name[i]}",
               "templatetext": "Hi [ContactName], " + {"Text": "your technician [AssignedName] is on the way.",
                                                       "HTML": "<p>please find attached [DocumentType] [RefNo].</p>"}[mt.format[i]]}
        self.bu(out, "org.", mt.bu[i])
        return out

    def v_payments(self, i, active):
        pay, inv = self.t["payments"], self.t["invoices"]
        invoice = pay.invoice[i]
        paid = None if i in pay.blank else pay.updated[i]
        processed = paid is not None and paid < self.s.now - 3 * DAY
        h = mix(self.s.seed, 461, i)
        method = pay.method[i]
        out = {"paymentid": rid("payments", i), "amount": money(pay.amount[i]),
               "totalamount": money(pay.amount[i] + pay.surcharge[i]), "surchargeamount": money(pay.surcharge[i]),
               "surchargepercentage": 1.5 if pay.surcharge[i] else 0.0, "datepaid": paid,
               "paymentmethodname": method, "reference": f"INV{inv.number[invoice]}" if h % 5 else "",
               "notes": "" if h % 4 else ("Part payment" if len(self.s.invoice_payments.get(invoice, ())) > 1 else "Paid in full"),
               "chequenumber": f"{h % 900000 + 100000}" if method == "Cheque" else "",
               "bankname": ["ANZ", "Westpac", "NAB", "Commonwealth Bank"][(h >> 20) % 4] if method == "Cheque" else "",
               "bankaccountnumber": "", "bankbranch": "", "bankcode": "", "linkprocessed": processed,
               "datelinkprocessed": paid + 2 * DAY if processed and paid + 2 * DAY <= self.s.now else None,
               "linkedto.linkedtoid": rid("invoices", invoice), "linkedto.linkedtotype": "invoice"}
        if not processed:
            out["datelinkprocessed"] = None
        out["receivedby.userid"] = self.uid(pay.user[i])
        out["receivedby.username"] = self.uname(pay.user[i])
        return out

    def v_permissiongroups(self, i, active):
        g = self.t["permissiongroups"]
        return {"groupid": rid("permissiongroups", i), "groupname": g.name[i], "archived": g.archived[i]}

    def v_priorities(self, i, active):
        pr = self.t["priorities"]
        minutes = pr.minutes[i]
        out = {"listorder": pr.no[i], "priorityid": rid("priorities", i), "description": str(pr.no[i]),
               "backgroundcolor": ["#D9534F", "#F0AD4E", "#5BC0DE", "#5CB85C", "#777777"][pr.no[i] % 5],
               "responseminutes": minutes, "responsevalue": minutes // 60 if minutes < 2880 else minutes // 1440,
               "archived": pr.archived[i], "shortdescription": pr.name[i],
               "responsetype": "hours" if minutes < 2880 else "days", "priorityno": pr.no[i]}
        self.bu(out, "org.", pr.bu[i])
        return out

    def v_projects(self, i, active):
        pr = self.t["projects"]
        out = {"projectid": rid("projects", i), "projectname": pr.name[i], "projectnumber": pr.number[i],
               "startdate": pr.startd[i], "enddate": pr.endd[i],
               "closeddate": pr.endd[i] if pr.status[i] == "closed" else None, "status": pr.status[i],
               "description": "", "refno": f"{self.t['clients'].short[pr.client[i]]}{pr.number[i]}", "custon": "",
               "location.locationid": rid("locations", pr.location[i]) if pr.location[i] >= 0 else "",
               "location.locationname": self.site_name(pr.client[i], pr.location[i]),
               "projecttype.projecttypeid": zone_id(TAGS["projecttypes"], pr.type[i]),
               "projecttype.projecttype": W.PROJECT_TYPES[pr.type[i]],
               "client.orgid": rid("clients", pr.client[i]), "client.orgname": self.client_name(pr.client[i]),
               "substatus.substatusid": "", "substatus.substatus": ""}
        contact = pr.contact[i]
        ct = self.t["contacts"]
        out["contactuser.userid"] = rid("contacts", contact) if contact >= 0 else ""
        out["contactuser.username"] = f"{ct.given[contact]} {ct.surname[contact]}" if contact >= 0 else ""
        self.bu(out, "org.", pr.bu[i])
        self.user_ref(out, "manageruser.", pr.manager[i])
        self.user_ref(out, "insertedbyuser.", pr.by[i])
        return out

    def _po_line(self, k: int) -> dict:
        pl, inv = self.t["polines"], self.t["inventory"]
        total = int(round(pl.cost[k] * pl.qty[k] / 100))
        item = pl.item[k]
        used = pl.material[k] >= 0
        return {"accountcode": "5-1020", "qtybilled": pl.qty[k] / 100.0 if self.t["purchaseorders"].billed[pl.po[k]] >= 0 else 0.0,
                "total": money(total), "price": money(pl.cost[k]), "qtyordered": pl.qty[k] / 100.0,
                "partno": inv.part[item] if item >= 0 else "", "transactioncode": "6", "item": pl.desc[k],
                "taxamount": round(total * GST_F / 100.0, 8), "taskid": rid("tasks", pl.task[k]) if pl.task[k] >= 0 else "",
                "cost": money(pl.cost[k]), "description": pl.desc[k], "taskisused": used, "lineid": rid("polines", k),
                "taxcode": "GST", "taskqtyused": str(pl.qty[k] // 100) if used else "",
                "itemid": rid("inventory", item) if item >= 0 else "", "taxrate": 10.0,
                "trackingcentreid": rid("trackingcentres", self.s.tc_by_kind.get("material", 0))}

    def po_totals(self, i: int) -> tuple:
        pl = self.t["polines"]
        ex = sum(int(round(pl.cost[k] * pl.qty[k] / 100)) for k in self.s.po_lines[i])
        return ex, gst(ex), ex + gst(ex)

    def v_purchaseorders(self, i, active):
        po, s = self.t["purchaseorders"], self.t["suppliers"]
        ex, tax, inc = self.po_totals(i)
        sup = po.supplier[i]
        billed = po.billed[i]
        out = {"purchaseorderid": rid("purchaseorders", i), "ordernumber": f"{1001 + i:06d}", "status": po.status[i],
               "purchasedate": po.created[i], "duedate": po.due[i], "supplierinvoicenumber": po.supinv[i],
               "dateinvoiced": self.t["bills"].created[billed] if billed >= 0 else None,
               "datereceived": po.received[i] if po.received[i] > 0 else None,
               "deliverybydate": po.delivery[i] if po.delivery[i] > 0 else None,
               "deliverybydatetime": po.delivery[i] if po.delivery[i] > 0 else None,
               "deliveryinstructions": "Deliver to site, call tech on arrival" if po.delivery[i] > 0 else "",
               "isTaxInclusive": False, "acceptancestatus": "", "totalex": money(ex), "totalinc": money(inc),
               "supplier.orgid": rid("suppliers", sup), "supplier.orgname": s.name[sup],
               "link.orgid": rid("suppliers", sup) if s.extid[sup] else "", "link.orgname": s.name[sup] if s.extid[sup] else "",
               "link.externalid": s.extid[sup]}
        self.bu(out, "org.", po.bu[i])
        self.user_ref(out, "purchasedbyuser.", po.user[i])
        task = po.task[i]
        if task >= 0:
            t = self.t["tasks"]
            self.address(out, "address.", t.client[task], t.location[task])
        else:
            out.update({"address.postcode": "3153", "address.state": "VIC", "address.suburb": "Bayswater",
                        "address.address1": "12 Enterprise Dr", "address.address2": ""})
        if "lines" in active:
            out["lines"] = [self._po_line(k) for k in self.s.po_lines[i]]
        if "tasks" in active:
            out["tasks"] = []
            if task >= 0:
                item = {}
                self.task_summary(item, "", task)
                out["tasks"] = [item]
        if "projects" in active:
            out["projects"] = []
            if task >= 0 and self.t["tasks"].project[task] >= 0:
                item = {}
                p = self.t["tasks"].project[task]
                self.project_obj(item, "", p)
                stage = self.t["tasks"].stage[task]
                item["stagename"] = self.t["stages"].name[stage] if stage >= 0 else ""
                out["projects"] = [item]
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("purchaseorders", i)
        return out

    def _quote_line(self, k: int) -> dict:
        ql, q = self.t["quotelineitems"], self.t["quotes"]
        qty = ql.qty[k] / 100.0
        total = int(round(ql.sell[k] * ql.qty[k] / 100))
        labour = ql.kind[k] == "Labour"
        markup = round(100.0 * (ql.sell[k] - ql.cost[k]) / max(ql.cost[k], 1), 4)
        quote_ = ql.quote[k]
        return {"worktypevalue": 1.0 if labour else 0.0, "worktype": "NT" if labour else "", "totalinc": money(total + gst(total)),
                "optiongroupname": "", "itemtype": ql.kind[k], "partno": self.t["inventory"].part[ql.item[k]] if ql.item[k] >= 0 else "",
                "isapproved": q.acceptance[quote_] == "Accepted", "totalex": money(total),
                "labourunitrate": money(ql.sell[k]) if labour else 0.0, "item": ql.desc[k], "cost": money(ql.cost[k]),
                "parentlineid": rid("quotelineitems", ql.parent[k] if ql.parent[k] >= 0 else k),
                "sell": money(ql.sell[k]), "labourtotal": money(total) if labour else 0.0, "lineid": rid("quotelineitems", k),
                "taxcode": "GST", "qty": qty, "markup": markup if not labour else 0.0, "labourmarkup": markup if labour else 0.0,
                "totaltax": money(gst(total)), "isoptional": False,
                "itemid": rid("inventory", ql.item[k]) if ql.item[k] >= 0 else "", "takeoffname": "Ground Floor",
                "taxrate": 10.0}

    def v_quotelineitems(self, i, active):
        ql, q = self.t["quotelineitems"], self.t["quotes"]
        out = self._quote_line(i)
        out["quote.quoteid"] = rid("quotes", ql.quote[i])
        out["quote.quotename"] = q.name[ql.quote[i]]
        return out

    def quote_totals(self, i: int) -> dict:
        ql = self.t["quotelineitems"]
        ex = mat = lab = cost = hours = 0
        for k in self.s.quote_lines[i]:
            if k in ql.deleted:
                continue
            total = int(round(ql.sell[k] * ql.qty[k] / 100))
            ex += total
            cost += int(round(ql.cost[k] * ql.qty[k] / 100))
            if ql.kind[k] == "Labour":
                lab += int(round(ql.cost[k] * ql.qty[k] / 100))
                hours += ql.qty[k]
            else:
                mat += int(round(ql.cost[k] * ql.qty[k] / 100))
        return {"ex": ex, "tax": gst(ex), "inc": ex + gst(ex), "mat": mat, "lab": lab, "cost": cost, "hours": hours / 100.0}

    def v_quotes(self, i, active):
        q, c = self.t["quotes"], self.t["clients"]
        tot = self.quote_totals(i)
        client = q.client[i]
        contact = q.contact[i]
        ct = self.t["contacts"]
        profit = tot["ex"] - tot["cost"]
        out = {"quoteid": rid("quotes", i), "quotename": q.name[i], "jobnumber": q.jobno[i], "status": q.status[i],
               "acceptancestatus": q.acceptance[i], "type": q.kind[i], "totalex": money(tot["ex"]),
               "subtotal": money(tot["ex"]), "totaltax": money(tot["tax"]), "totalinc": money(tot["inc"]),
               "totalhours": tot["hours"], "labourcostex": money(tot["lab"]), "materialcostex": money(tot["mat"]),
               "allowancecostex": 0.0, "totalprofit": money(profit),
               "totalprofitmarginpercent": round(100.0 * profit / tot["ex"], 2) if tot["ex"] else 0.0,
               "overallmarkuppercent": 0, "createddate": q.created[i], "createddatetime": q.created[i],
               "duedate": q.due[i], "duedatetime": q.due[i],
               "approveddate": q.approved[i] if q.approved[i] > 0 else None,
               "approveddatetime": q.approved[i] if q.approved[i] > 0 else None,
               "rejecteddate": q.rejected[i] if q.rejected[i] > 0 else None,
               "rejecteddatetime": q.rejected[i] if q.rejected[i] > 0 else None,
               "acceptancedate": q.accepted[i] if q.accepted[i] > 0 else None,
               "acceptancedatetime": q.accepted[i] if q.accepted[i] > 0 else None,
               "acceptanceexpirydate": q.created[i] + 30 * DAY, "acceptanceexpirydatetime": q.created[i] + 30 * DAY,
               "exclusions": "Making good of plaster and paint" if i % 3 == 0 else "", "description": f"<p>{q.name[i]}</p>",
               "taskdescription": f"<p>{q.name[i]}</p>" if q.task[i] >= 0 else "", "refno": f"{c.short[client]}Q{i + 1}",
               "custon": "", "istaxinclusive": False,
               "contactname": f"{ct.given[contact]} {ct.surname[contact]}" if contact >= 0 else f"{c.given[client]} {c.surname[client]}",
               "contactphone": c.phone[client], "client.orgid": rid("clients", client), "client.orgname": c.name[client],
               "substatus.substatusid": rid("substatus", q.substatus[i]) if q.substatus[i] >= 0 else "",
               "substatus.substatus": self.t["substatus"].name[q.substatus[i]] if q.substatus[i] >= 0 else ""}
        self.bu(out, "org.", 0)
        self.address(out, "address.", client, q.location[i])
        task = q.task[i]
        if task >= 0:
            self.task_summary(out, "task.", task)
            t = self.t["tasks"]
            stage = t.stage[task]
            out["stage.stageid"] = rid("stages", stage) if stage >= 0 else ""
            proj = t.project[task]
        else:
            out["task"] = EMPTY
            out["stage.stageid"] = ""
            proj = -1
        if "project" in active and proj >= 0:
            self.project_obj(out, "project.", proj)
        else:
            out["project.projectid"] = rid("projects", proj) if proj >= 0 else ""
            out["project.location"] = EMPTY
        if "lines" in active:
            ql = self.t["quotelineitems"]
            out["lines"] = [self._quote_line(k) for k in self.s.quote_lines[i] if k not in ql.deleted]
        if "notes" in active:
            out["notes"] = self.gen_notes("quotes", i, q.created[i], q.updated[i])
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("quotes", i)
        return out

    def v_schedules(self, i, active):
        sc, t = self.t["schedules"], self.t["tasks"]
        task = sc.task[i]
        start = sc.start[i]
        end = start + sc.minutes[i] * 60
        out = {"scheduleid": rid("schedules", i), "startdate": start, "startdatetime": start, "enddate": end,
               "enddatetime": end, "hours": sc.minutes[i] / 60.0, "ishidden": False, "islocked": start < self.s.now,
               "inserteddatetimeutc": sc.created[i],
               "note": ["", "Call client 30 min before", "Bring ladder and drain camera"][sc.note[i] % 3] if task >= 0
               else W.NON_PRODUCTIVE[sc.note[i] % len(W.NON_PRODUCTIVE)][0],
               "grouping.groupid": zone_id(TAGS["groups"], i // 3),
               "scheduledto.scheduledtoid": self.uid(sc.user[i]), "scheduledto.scheduledtoname": self.uname(sc.user[i]),
               "scheduledto.scheduledtotype": "user", "scheduledto.crew.crewid": "", "scheduledto.crew.crewname": ""}
        if task >= 0:
            out["scheduletype.typename"] = t.name[task]
            out["scheduletype.typeid"] = rid("tasks", task)
            out["scheduletype.type"] = "task"
            self.bu(out, "org.", t.bu[task])
        else:
            out["scheduletype.typename"] = W.NON_PRODUCTIVE[sc.note[i] % len(W.NON_PRODUCTIVE)][0]
            out["scheduletype.typeid"] = zone_id(TAGS["adhoc"], i)
            out["scheduletype.type"] = "ad-hoc event"
            self.bu(out, "org.", 0)
        self.person(out, "insertedby.", sc.by[i])
        return out

    def v_stages(self, i, active):
        sg, pr = self.t["stages"], self.t["projects"]
        p = sg.project[i]
        return {"stageid": rid("stages", i), "stagename": sg.name[i], "status": sg.status[i],
                "location.locationid": rid("locations", pr.location[p]) if pr.location[p] >= 0 else "",
                "location.locationname": self.site_name(pr.client[p], pr.location[p]) if pr.location[p] >= 0 else "",
                "project.projectid": rid("projects", p), "project.projectname": pr.name[p],
                "stagetype.stagetypeid": zone_id(TAGS["stagetypes"], W.STAGES.index(sg.name[i].split(" ")[0])
                                                 if sg.name[i].split(" ")[0] in W.STAGES else 0),
                "stagetype.stagetype": sg.name[i], "substatus.substatusid": "", "substatus.substatus": ""}

    def v_substatus(self, i, active):
        ss = self.t["substatus"]
        out = {"substatusid": rid("substatus", i), "substatustype": ss.type[i], "listorder": ss.listorder[i],
               "mainstatuses": [{"status": ss.main[i]}], "description": "",
               "backgroundcolour": ["#333333", "#F0AD4E", "#5BC0DE", "#5CB85C", "#D9534F"][i % 5],
               "archived": ss.archived[i], "substatus": ss.name[i]}
        self.bu(out, "org.", ss.bu[i])
        return out

    def v_suppliers(self, i, active):
        s = self.t["suppliers"]
        terms = self.t["transactionterms"]
        h = mix(self.s.seed, 471, i, s.rev[i])
        addr = {"country": "AUSTRALIA", "postcode": s.postcode[i], "addressline1": s.street[i], "state": "VIC",
                "suburb": s.suburb[i], "addressline2": ""}
        out = {"supplierid": rid("suppliers", i), "suppliername": s.name[i], "suppliertype": s.type[i],
               "firstname": s.given[i], "surname": s.surname[i], "shortname": ascii_of(s.name[i])[:6].upper(),
               "phone": s.phone[i] if not s.rev[i] else s.phone[i][:-4] + f"{h % 10000:04d}", "email": s.email[i],
               "abn": s.abn[i], "fax": "", "mobile": "", "website": "", "termsnote": "", "terms": "",
               "datetimeinserted": s.created[i], "dateinserted": s.created[i], "datecreated": s.created[i],
               "postable": s.updated[i] > self.s.now - 7 * DAY,
               "link.orgid": rid("suppliers", i) if s.extid[i] else "", "link.orgname": s.name[i] if s.extid[i] else "",
               "link.externalid": s.extid[i],
               "transactionterms.transactionterm": terms.name[s.term[i]], "transactionterms.transactiontermnote": "",
               "transactionterms.transactiontermid": rid("transactionterms", s.term[i])}
        self.put(out, "address.", addr)
        self.put(out, "mailingaddress.", addr)
        out["orgs"] = [{"orgid": rid("businessunits", 0), "orgname": self.t["businessunits"].name[0], "archived": False}]
        if "locations" in active:
            loc = self.t["locations"]
            with_cf = "locations[].customfields" in active
            out["locations"] = [self.location_item(k, with_cf) for k in range(len(loc))
                                if loc.kind[k] == "supplier" and loc.owner[k] == i and k not in loc.deleted] \
                if len(loc) < 50000 else []
        if "contacts" in active:
            ct = self.t["contacts"]
            out["contacts"] = [self._contact_item(k) for k in self.s.supplier_contacts().get(i, ()) if k not in ct.deleted]
        if "customfields" in active:
            out["customfields"] = self.cfields("suppliers", i)
        return out

    def _labour_item(self, k: int) -> dict:
        lab = self.t["tasklabours"]
        start = lab.start[k]
        end = start + lab.minutes[k] * 60
        proc = lab.processed[k] if lab.processed[k] > 0 else None
        deleted = lab.deleted_at[k] if lab.deleted_at[k] > 0 else None
        out = {"labverified": lab.verified[k], "worktype": W.WORKTYPES[lab.worktype[k]][0], "workdatetimeend": end,
               "lablinkprocesseddatetime": proc, "endtime": end, "lablinkprocesseddate": proc,
               "deleted": deleted is not None, "lablinkprocessed": proc is not None, "cost": money(lab.cost[k]),
               "starttime": start, "deleteddate": deleted, "hours": lab.minutes[k] / 60.0, "sell": money(lab.sell[k]),
               "lineid": rid("tasklabours", k), "workdatetimestart": start,
               "note": W.LABOUR_NOTES[(lab.note[k] + lab.rev[k]) % len(W.LABOUR_NOTES)], "lablocked": proc is not None,
               "deletedtime": _long_time(deleted).split(" ", 3)[3] if deleted else "", "deleteddatetime": deleted,
               "workdate": start}
        self.user_ref(out, "user.", lab.user[k])
        return out

    def v_tasklabours(self, i, active):
        out = self._labour_item(i)
        self.task_ref(out, "task.", self.t["tasklabours"].task[i])
        return out

    def _material_item(self, k: int) -> dict:
        mat = self.t["taskmaterials"]
        proc = mat.processed[k] if mat.processed[k] > 0 else None
        deleted = mat.deleted_at[k] if mat.deleted_at[k] > 0 else None
        htype, holder = mat.htype[k], mat.holder[k]
        if htype == "user":
            hid, hname = self.uid(holder), self.uname(holder)
        else:
            hid, hname = rid("customholders", holder), self.t["customholders"].name[holder]
        item = mat.item[k]
        po = mat.po[k]
        qty = mat.qty[k] / 100.0
        billed = po >= 0 and self.t["purchaseorders"].billed[po] >= 0
        return {"matlinkprocesseddatetime": proc, "matlinkprocesseddate": proc, "quantity": qty,
                "matlinkprocessed": proc is not None, "purchaseorderisordered": po >= 0, "deleted": deleted is not None,
                "takenfrom.takenfromid": hid, "takenfrom.takenfromtype": htype, "takenfrom.takenfromname": hname,
                "item": mat.desc[k], "cost": money(mat.cost[k]), "deleteddate": deleted, "sell": money(mat.sell[k]),
                "lineid": rid("taskmaterials", k), "purchaseorderqtybilled": qty if billed else 0.0,
                "partnumber": self.t["inventory"].part[item] if item >= 0 else "",
                "purchaseorderqtyordered": qty if po >= 0 else 0.0,
                "deletedtime": _long_time(deleted).split(" ", 3)[3] if deleted else "", "dateused": mat.used[k],
                "itemid": rid("inventory", item) if item >= 0 else "", "isinventory": item >= 0,
                "deleteddatetime": deleted}

    def v_taskmaterials(self, i, active):
        out = self._material_item(i)
        self.task_ref(out, "task.", self.t["taskmaterials"].task[i])
        return out

    def _expense_item(self, k: int) -> dict:
        ex = self.t["taskexpenses"]
        out = {"overheadallocation": "", "cost": money(ex.cost[k]), "sell": money(ex.sell[k]),
               "description": W.EXPENSES[ex.kind[k]][0], "quantity": 1, "lineid": rid("taskexpenses", k),
               "dateused": ex.used[k]}
        self.user_ref(out, "user.", ex.user[k])
        return out

    def v_taskexpenses(self, i, active):
        out = self._expense_item(i)
        self.task_ref(out, "task.", self.t["taskexpenses"].task[i])
        return out

    def task_totals(self, i: int) -> dict:
        lab, mat, ex = self.t["tasklabours"], self.t["taskmaterials"], self.t["taskexpenses"]
        labs = [k for k in self.s.task_labours[i] if lab.deleted_at[k] < 0]
        mats = [k for k in self.s.task_materials[i] if mat.deleted_at[k] < 0]
        return {"totallab": sum(int(round(lab.cost[k] * lab.minutes[k] / 60)) for k in labs),
                "totalmat": sum(int(round(mat.cost[k] * mat.qty[k] / 100)) for k in mats),
                "totalexp": sum(ex.cost[k] for k in self.s.task_expenses[i] if k not in ex.deleted),
                "totalhrs": sum(lab.minutes[k] for k in labs) / 60.0}

    def v_tasks(self, i, active):
        s, t, c = self.s, self.t["tasks"], self.t["clients"]
        client, location = t.client[i], t.location[i]
        upd = self.blank_upd("tasks", i)
        done = t.completed[i] if t.completed[i] > 0 else None
        lat, lng = (self.t["locations"].lat[location], self.t["locations"].lng[location]) if location >= 0 else \
            (c.lat[client], c.lng[client])
        ttype = t.type[i]
        contact = t.contact[i]
        ct = self.t["contacts"]
        assets = s.task_assets.get(i, ()) if hasattr(s, "task_assets") else ()
        out = {"taskid": rid("tasks", i), "taskname": t.name[i], "jobnumber": t.jobno[i], "status": t.status[i],
               "description": f"{t.desc[i]}. {W.LABOUR_NOTES[(i + t.rev[i]) % len(W.LABOUR_NOTES)]}." if t.rev[i] else
               f"{t.desc[i]}.", "priority": str(self.t["priorities"].no[t.priority[i]]),
               "requestdate": t.requested[i], "requestdatetime": t.requested[i], "duedate": t.due[i],
               "duedatetime": t.due[i], "completeddate": done, "completeddatetime": done,
               "readtask": t.readtask[i] > 0, "readtaskdatetime": t.readtask[i] if t.readtask[i] > 0 else None,
               "linkprocessed": t.linkproc[i] > 0, "linkprocesseddate": t.linkproc[i] if t.linkproc[i] > 0 else None,
               "refcode": self.refcode(i), "custon": t.custon[i], "gpslatitude": lat, "gpslongitude": lng,
               "assetid": rid("assets", assets[0]) if assets else "", "lastupdated": upd, "lastupdateddatetime": upd,
               "lastupdatedutc": upd, "lastupdateddatetimeutc": upd, "createdutc": t.created[i],
               "createddatetimeutc": t.created[i], "tasktype": self.t["tasktypes"].name[ttype],
               "tasktasktype.tasktypeid": rid("tasktypes", ttype), "tasktasktype.tasktype": self.t["tasktypes"].name[ttype],
               "client.clientid": rid("clients", client), "client.clientname": c.name[client],
               "tasklocation.locationid": rid("locations", location) if location >= 0 else "",
               "tasklocation.locationname": self.site_name(client, location),
               "contact.userid": rid("contacts", contact) if contact >= 0 else "",
               "contact.givennames": ct.given[contact] if contact >= 0 else "",
               "contact.surname": ct.surname[contact] if contact >= 0 else "",
               "contactname": f"{ct.given[contact]} {ct.surname[contact]}" if contact >= 0 else f"{c.given[client]} {c.surname[client]}",
               "contactphone": c.phone[client], "webappEncodedID": self.web_id("tasks", i)}
        self.bu(out, "org.", t.bu[i])
        if "location" in active:
            if location >= 0:
                self.put(out, "location.", self.location_item(location, "location.customfields" in active))
            else:
                out["location"] = EMPTY
        if "project" in active:
            if t.project[i] >= 0:
                self.project_obj(out, "project.", t.project[i])
                out["stage.stageid"] = rid("stages", t.stage[i])
                out["stage.stagename"] = self.t["stages"].name[t.stage[i]]
            else:
                out["project"] = out["stage"] = EMPTY
        if "substatus" in active:
            sub = t.substatus[i]
            out["substatus.substatusid"] = rid("substatus", sub) if sub >= 0 else ""
            out["substatus.substatus"] = self.t["substatus"].name[sub] if sub >= 0 else ""
        if "tasktotals" in active:
            tot = self.task_totals(i)
            out.update({"tasktotals.totalmat": money(tot["totalmat"]), "tasktotals.totallab": money(tot["totallab"]),
                        "tasktotals.totalexp": money(tot["totalexp"]), "tasktotals.totalhrs": tot["totalhrs"]})
        if "quote" in active:
            qi = t.quote[i]
            if qi >= 0:
                tot = self.quote_totals(qi)
                out.update({"quote.totalinc": money(tot["inc"]), "quote.totaltax": money(tot["tax"]),
                            "quote.totalex": money(tot["ex"])})
                self.person(out, "quote.estimator.", self.t["quotes"].estimator[qi])
            else:
                out["quote"] = EMPTY
        if "labours" in active:
            out["labours"] = [self._labour_item(k) for k in s.task_labours[i]]
        if "materials" in active:
            out["materials"] = [self._material_item(k) for k in s.task_materials[i]]
        if "expenses" in active:
            ex = self.t["taskexpenses"]
            out["expenses"] = [self._expense_item(k) for k in s.task_expenses[i] if k not in ex.deleted]
        if "purchaseorders" in active:
            out["purchaseorders"] = [{"purchaseorderid": rid("purchaseorders", p)} for p in s.task_pos().get(i, ())]
        if "assets" in active:
            items = []
            for k in assets:
                v = self.v_assets(k, frozenset())
                items.append({key: v[key] for key in ("assetid", "odotype", "modelnumber", "serialnumber", "quantity",
                                                      "barcode", "manufacturer", "supplier", "assetname", "cost",
                                                      "customerid", "odo", "ordercode")})
            out["assets"] = items
        if "customfields" in active:
            out["customfields"] = self.cfields("tasks", i)
        if "tasknotes" in active:
            notes = self.gen_notes("tasks", i, t.created[i], t.updated[i])
            for n in notes:
                n["note"] = n["content"]
                n["sticky"] = False
            out["tasknotes"] = notes
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("tasks", i)
        if "assigneds" in active:
            lead = t.lead[i]
            when = t.created[i] + 1800
            out["assigneds"] = [{"readtaskdatetime": t.readtask[i] if t.readtask[i] > 0 else None,
                                 "readtask": t.readtask[i] > 0, "dateunassigned": None, "timeunassigned": "",
                                 "dateassigned": when, "timeassigned": _long_time(when),
                                 "user.userid": self.uid(lead), "user.username": self.uname(lead),
                                 "org.orgid": rid("businessunits", t.bu[i]),
                                 "org.orgname": self.t["businessunits"].name[t.bu[i]]}]
        if "salesperson" in active:
            sp = t.salesperson[i]
            users = self.t["users"]
            out["salesperson"] = [{"surname": users.surname[sp], "user_id": self.uid(sp),
                                   "givenname": users.given[sp]}] if sp >= 0 else []
        return out

    def v_tasktypes(self, i, active):
        tt = self.t["tasktypes"]
        out = {"description": f"{tt.name[i]} ({tt.trade[i]})", "tasktypeid": rid("tasktypes", i),
               "archived": tt.archived[i], "tasktype": tt.name[i]}
        self.bu(out, "businessunit.", tt.bu[i])
        return out

    def v_timesheets(self, i, active):
        ts, users = self.t["timesheets"], self.t["users"]
        u = ts.user[i]
        task = ts.task[i]
        start = ts.start[i]
        hours = ts.minutes[i] / 60.0
        productive = ts.type[i] == "Productive"
        k = ts.labour[i]
        lab = self.t["tasklabours"]
        rate = lab.sell[k] if productive else 0
        cost_rate = lab.cost[k] if productive else users.cost[u]
        wt = ts.worktype[i]
        verified = productive and lab.verified[k]
        tc = self.s.tc_by_kind.get("labour", 0)
        out = {"timesheetid": rid("timesheets", i), "workdate": start, "startdatetime": start,
               "finishdatetime": start + ts.minutes[i] * 60, "hours": hours, "type": ts.type[i],
               "chargerate": money(rate), "charge": money(int(round(rate * ts.minutes[i] / 60))),
               "costrate": money(cost_rate), "cost": money(int(round(cost_rate * ts.minutes[i] / 60))),
               "hourlyrate": money(users.cost[u]), "resourceoverheadrate": 0.0,
               "note": W.LABOUR_NOTES[(lab.note[k] + lab.rev[k]) % len(W.LABOUR_NOTES)] if productive
               else W.NON_PRODUCTIVE[ts.overhead[i]][0],
               "inserteddatetimeutc": ts.created[i],
               "task.taskid": rid("tasks", task) if task >= 0 else "",
               "task.jobnumber": self.t["tasks"].jobno[task] if task >= 0 else "",
               "task.taskname": self.t["tasks"].name[task] if task >= 0 else "",
               "worktype.worktype": W.WORKTYPES[wt][0], "worktype.worktypedescription": W.WORKTYPES[wt][1],
               "worktype.worktyperatetype": W.WORKTYPES[wt][2], "worktype.worktypeid": zone_id(TAGS["worktypes"], wt),
               "trackingcentre.trackingcentre": self.t["trackingcentres"].name[tc],
               "trackingcentre.trackingcentreid": rid("trackingcentres", tc),
               "grouping.groupid": zone_id(TAGS["groups"], i // 4), "grouping.tsgroupid": zone_id(TAGS["tsgroups"], i // 4),
               "verifiedby.isverified": verified}
        if productive:
            out.update({"overhead.overheadid": "", "overhead.overheadunit": "", "overhead.overhead": "",
                        "overhead.overheadtype": ""})
        else:
            name, otype = W.NON_PRODUCTIVE[ts.overhead[i]]
            out.update({"overhead.overheadid": zone_id(TAGS["overheads"], ts.overhead[i]), "overhead.overheadunit": "",
                        "overhead.overhead": name, "overhead.overheadtype": otype})
        self.person(out, "user.", u)
        self.person(out, "insertedby.", u)
        if verified:
            boss = self.s.pick_staff("office", start, i)
            self.person(out, "verifiedby.", boss)
            out["verifiedby.verifieddatetime"] = min(start + 2 * DAY, self.s.now)
        else:
            out.update({"verifiedby.userid": "", "verifiedby.givennames": "", "verifiedby.surname": "",
                        "verifiedby.verifieddatetime": None})
        return out

    def v_trackingcentres(self, i, active):
        tc = self.t["trackingcentres"]
        kind = tc.kind[i]
        out = {"allowlabour": kind == "labour", "allowasset": kind == "asset", "name": tc.name[i],
               "listorder": tc.listorder[i], "datearchived": None, "archive": tc.archived[i],
               "trackingcentreid": rid("trackingcentres", i), "allowfreight": kind == "freight",
               "allowmaterial": kind == "material", "allowexpense": kind == "expense", "datecreated": tc.created[i]}
        self.bu(out, "businessunit.", tc.bu[i])
        return out

    def v_transactionterms(self, i, active):
        tt = self.t["transactionterms"]
        return {"listorder": i, "transactionterm": tt.name[i], "termdays": tt.days[i], "archived": tt.archived[i],
                "transactiontermid": rid("transactionterms", i)}

    def v_userposition(self, i, active):
        p = self.t["userposition"]
        out = {"Position": p.name[i], "listorder": i + 1, "archive": p.archived[i], "positionid": rid("userposition", i)}
        self.bu(out, "org.", 0)
        return out

    def v_users(self, i, active):
        u = self.t["users"]
        pos = u.position[i]
        upd = self.blank_upd("users", i)
        archived = u.left[i] > 0
        h = mix(self.s.seed, 481, i, u.rev[i])
        out = {"userid": rid("users", i), "givennames": u.given[i], "surname": u.surname[i], "username": u.login[i],
               "email": f"{u.login[i]}@yarrape.com.au" if i % 13 else "", "email2": "",
               "phone": "03 9720 1100" if u.kind[i] in ("office", "manager") else "",
               "mobile": u.mobile[i] if not u.rev[i] else u.mobile[i][:-3] + f"{h % 1000:03d}", "fax": "",
               "position": u.role[i], "accesstype": W.ACCESS[u.kind[i]], "archived": archived,
               "createdutc": u.created[i], "createddatetimeutc": u.created[i], "lastupdatedutc": upd,
               "lastupdateddatetimeutc": upd, "userposition.positionid": rid("userposition", pos),
               "userposition.positionname": self.t["userposition"].name[pos]}
        self.bu(out, "org.", u.bu[i])
        if "customfields" in active:
            out["customfields"] = self.cfields("users", i)
        if "permissiongroups" in active:
            g = self.t["permissiongroups"]
            out["permissiongroups"] = [{"groupid": rid("permissiongroups", k), "groupname": g.name[k],
                                        "archived": g.archived[k]} for k in u.groups[i]]
        if "notes" in active:
            out["notes"] = self.gen_notes("users", i, u.created[i], u.updated[i], n_max=1)
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("users", i)
        if "trackingcentredefaults" in active:
            tc = self.s.tc_by_kind.get("labour", 0)
            out["trackingcentredefaults"] = [{"labourtrackingcentrename": self.t["trackingcentres"].name[tc],
                                              "labourtrackingcentreid": rid("trackingcentres", tc)}] \
                if u.kind[i] in ("tech", "apprentice") else []
        if "featureaccess" in active:
            out["featureaccess"] = [{"featureid": zone_id(TAGS["features"], k), "featureDisplayName": name,
                                     "featurevalue": "TRUE" if (u.kind[i] in ("manager", "office") or k in (1, 2)) else "FALSE"}
                                    for k, name in enumerate(W.FEATURES)]
        return out

    def _wo_line(self, k: int) -> dict:
        wl, wo = self.t["workorderlineitems"], self.t["workorders"]
        total = int(round(wl.cost[k] * wl.qty[k] / 100))
        qty = wl.qty[k] / 100.0
        billed = wl.billed[k]
        return {"qtybilled": qty if billed else 0.0, "qtyordered": qty, "totalinc": money(total + gst(total)),
                "itemtype": "Material", "partno": "", "qtyused": qty if wo.status[wl.wo[k]] in ("Approved", "Processed") else 0.0,
                "totalex": money(total), "item": wl.desc[k], "taskid": rid("tasks", wl.task[k]), "cost": money(wl.cost[k]),
                "isbilled": billed, "lineid": rid("workorderlineitems", k), "taxcode": "GST",
                "trackingcentreid": rid("trackingcentres", self.s.tc_by_kind.get("material", 0)),
                "totaltax": money(gst(total)), "itemid": "", "taxrate": 10.0}

    def v_workorderlineitems(self, i, active):
        out = self._wo_line(i)
        w = self.t["workorderlineitems"].wo[i]
        out["workorder.workorderid"] = rid("workorders", w)
        out["workorder.workordernumber"] = 1001 + w
        return out

    def wo_totals(self, i: int) -> tuple:
        wl = self.t["workorderlineitems"]
        ex = sum(int(round(wl.cost[k] * wl.qty[k] / 100)) for k in self.s.wo_lines[i] if k not in wl.deleted)
        return ex, gst(ex), ex + gst(ex)

    def v_workorders(self, i, active):
        wo, t, s = self.t["workorders"], self.t["tasks"], self.t["suppliers"]
        ex, tax, inc = self.wo_totals(i)
        task = wo.task[i]
        acc = wo.accepted[i] if wo.accepted[i] > 0 else None
        appr = wo.approved[i] if wo.approved[i] > 0 else None
        proc = wo.processed[i] if wo.processed[i] > 0 else None
        out = {"workorderid": rid("workorders", i), "workordernumber": 1001 + i, "refno": str(1001 + i),
               "status": wo.status[i], "acceptancestatus": wo.acceptance[i], "createddate": wo.created[i],
               "createddatetime": wo.created[i], "requiredbydate": wo.due[i], "requiredbydatetime": wo.due[i],
               "approveddate": appr, "approveddatetime": appr, "acceptancedate": acc, "acceptancedatetime": acc,
               "acceptanceexpirydate": None, "acceptanceexpirydatetime": None, "processeddate": proc,
               "processeddatetime": proc, "description": f"<p>{t.desc[task]} - contractor works required</p>",
               "totalex": money(ex), "totaltax": money(tax), "totalinc": money(inc),
               "location.locationid": rid("locations", wo.location[i]) if wo.location[i] >= 0 else "",
               "location.locationname": self.site_name(t.client[task], wo.location[i]) if wo.location[i] >= 0 else "",
               "contractor.orgid": rid("suppliers", wo.supplier[i]), "contractor.orgname": s.name[wo.supplier[i]]}
        self.bu(out, "org.", t.bu[task])
        self.user_ref(out, "sentby.", wo.user[i])
        if acc:
            contacts = self.s.supplier_contacts().get(wo.supplier[i])
            if contacts:
                ct = self.t["contacts"]
                out["acceptedby.userid"] = rid("contacts", contacts[0])
                out["acceptedby.username"] = f"{ct.given[contacts[0]]} {ct.surname[contacts[0]]}"
            else:
                self.user_ref(out, "acceptedby.", wo.user[i])
        else:
            out["acceptedby.userid"] = out["acceptedby.username"] = ""
        if "lines" in active:
            wl = self.t["workorderlineitems"]
            out["lines"] = [self._wo_line(k) for k in self.s.wo_lines[i] if k not in wl.deleted]
        if "tasks" in active:
            out["tasks"] = [{"taskid": rid("tasks", task), "jobnumber": t.jobno[task], "taskname": t.name[task]}]
        if "bills" in active:
            b = self.t["bills"]
            out["bills"] = [{"billnumber": b.billno[k], "billid": rid("bills", k)} for k in self.s.wo_bills().get(i, ())]
        if "notes" in active:
            notes = self.gen_notes("workorders", i, wo.created[i], wo.updated[i], n_max=1)
            for n in notes:
                n.pop("user.userid")
                n.pop("user.username")
            out["notes"] = notes
        if "documentsandphotos" in active:
            out["documentsandphotos"] = self.docs("workorders", i)
        return out


GST_F = 10.0  # percent, for lines that show tax to 8 places


# ------------------------------------------------------------------------------- extras
def _ts_or_none(v):
    return v if v is not None and v > 0 else None


def _task_of(zone: str):
    def get(v: Views, i: int) -> int:
        if zone == "invoices":
            return v.t["invoices"].task[i]
        return v.t["purchaseorders"].task[i]
    return get


def _task_time(zone: str, column: str):
    of = _task_of(zone)

    def get(v: Views, i: int):
        task = of(v, i)
        if task < 0:
            return None
        value = v.t["tasks"].cols[column][task]
        return value if value > 0 else None
    return get


EXTRA: Dict[str, Dict[str, Tuple[str, Callable]]] = {
    "bills": {"linkprocesseddate": (LOCAL_DATE, lambda v, i: _ts_or_none(v.t["bills"].processed[i]))},
    "clients": {"archived": ("bool", lambda v, i: v.t["clients"].archived[i]),
                "lastupdateutc": (UTC_DATE, lambda v, i: v.t["clients"].updated[i]),
                "lastupdatedatetimeutc": (UTC_DT, lambda v, i: v.t["clients"].updated[i])},
    "contacts": {"createdutc": (UTC_DATE, lambda v, i: v.t["contacts"].created[i]),
                 "createddatetimeutc": (UTC_DT, lambda v, i: v.t["contacts"].created[i])},
    "inventory": {"ischolderarchived": ("bool_any", lambda v, i: [
                      v.t["customholders"].archived[v.t["inventorystocklevels"].holder[k]]
                      for k in v.s.item_stock.get(i, ()) if v.t["inventorystocklevels"].htype[k] == "cholder"]),
                  "isuserarchived": ("bool_any", lambda v, i: [
                      v.t["users"].left[v.t["inventorystocklevels"].holder[k]] > 0
                      for k in v.s.item_stock.get(i, ()) if v.t["inventorystocklevels"].htype[k] == "user"]),
                  "assignedtotype": ("str_any", lambda v, i: [v.t["inventorystocklevels"].htype[k]
                                                              for k in v.s.item_stock.get(i, ())])},
    "inventorystocklevels": {
        "lastupdatedutc": (UTC_DT, lambda v, i: None if i in v.t["inventorystocklevels"].blank
                           else v.t["inventorystocklevels"].updated[i]),
        "lastupdateddatetimeutc": (UTC_DT, lambda v, i: None if i in v.t["inventorystocklevels"].blank
                                   else v.t["inventorystocklevels"].updated[i]),
        "isuserarchived": ("bool", lambda v, i: v.t["inventorystocklevels"].htype[i] == "user"
                           and v.t["users"].left[v.t["inventorystocklevels"].holder[i]] > 0),
        "ischolderarchived": ("bool", lambda v, i: v.t["inventorystocklevels"].htype[i] == "cholder"
                              and v.t["customholders"].archived[v.t["inventorystocklevels"].holder[i]]),
        "isbuarchived": ("bool", lambda v, i: v.t["inventorystocklevels"].htype[i] == "org"
                         and v.t["businessunits"].archived[v.t["inventorystocklevels"].holder[i]])},
    "invoices": {"cusinvoiced": ("bool", lambda v, i: v.t["invoices"].status[i] in ("approved", "processed")),
                 "linkprocessed": ("bool", lambda v, i: v.t["invoices"].processed[i] > 0),
                 "taskid": ("id", lambda v, i: rid("tasks", v.t["invoices"].task[i])),
                 "taskdaterequested": (LOCAL_DATE, _task_time("invoices", "requested")),
                 "taskdatetimerequested": (LOCAL_DT, _task_time("invoices", "requested")),
                 "taskdatecompleted": (LOCAL_DATE, _task_time("invoices", "completed")),
                 "taskdatetimecompleted": (LOCAL_DT, _task_time("invoices", "completed")),
                 "createdutc": (UTC_DATE, lambda v, i: v.t["invoices"].created[i]),
                 "createddatetimeutc": (UTC_DT, lambda v, i: v.t["invoices"].created[i])},
    "locations": {
        "clientid": ("id", lambda v, i: rid("clients", v.t["locations"].owner[i]) if v.t["locations"].kind[i] == "client" else None),
        "supplierid": ("id", lambda v, i: rid("suppliers", v.t["locations"].owner[i]) if v.t["locations"].kind[i] == "supplier" else None),
        "orgid": ("id", lambda v, i: rid("businessunits", v.t["locations"].owner[i]) if v.t["locations"].kind[i] == "businessunit" else None),
        "clientname": ("str", lambda v, i: v.t["clients"].name[v.t["locations"].owner[i]] if v.t["locations"].kind[i] == "client" else None),
        "suppliername": ("str", lambda v, i: v.t["suppliers"].name[v.t["locations"].owner[i]] if v.t["locations"].kind[i] == "supplier" else None),
        "orgname": ("str", lambda v, i: v.t["businessunits"].name[v.t["locations"].owner[i]] if v.t["locations"].kind[i] == "businessunit" else None)},
    "projects": {"createdutc": (UTC_DATE, lambda v, i: v.t["projects"].created[i]),
                 "createddatetimeutc": (UTC_DT, lambda v, i: v.t["projects"].created[i])},
    "purchaseorders": {"adhocsupplier": ("bool", lambda v, i: v.t["purchaseorders"].adhoc[i]),
                       "linkprocessed": ("bool", lambda v, i: v.t["purchaseorders"].status[i] == "processed"),
                       "taskdaterequested": (LOCAL_DATE, _task_time("purchaseorders", "requested")),
                       "taskdatetimerequested": (LOCAL_DT, _task_time("purchaseorders", "requested")),
                       "taskdatecompleted": (LOCAL_DATE, _task_time("purchaseorders", "completed")),
                       "taskdatetimecompleted": (LOCAL_DT, _task_time("purchaseorders", "completed"))},
    "schedules": {"taskid": ("id", lambda v, i: rid("tasks", v.t["schedules"].task[i]) if v.t["schedules"].task[i] >= 0 else None)},
    "taskexpenses": {"linkprocessed": ("bool", lambda v, i: v.t["taskexpenses"].processed[i] > 0),
                     "lablinkprocessed": ("bool", lambda v, i: v.t["taskexpenses"].processed[i] > 0),
                     "linkprocesseddate": (LOCAL_DATE, lambda v, i: _ts_or_none(v.t["taskexpenses"].processed[i])),
                     "linkprocesseddatetime": (LOCAL_DT, lambda v, i: _ts_or_none(v.t["taskexpenses"].processed[i]))},
    "tasklabours": {"isinventory": ("bool", lambda v, i: False),
                    "labeodapproved": ("bool", lambda v, i: v.t["tasklabours"].verified[i])},
    "tasks": {"linkprocesseddatetime": (LOCAL_DT, lambda v, i: _ts_or_none(v.t["tasks"].linkproc[i])),
              "deleteddate": (LOCAL_DATE, lambda v, i: _ts_or_none(v.t["tasks"].deleted_at[i])),
              "deleteddatetime": (LOCAL_DT, lambda v, i: _ts_or_none(v.t["tasks"].deleted_at[i])),
              "salesperson_givenname": ("str", lambda v, i: v.t["users"].given[v.t["tasks"].salesperson[i]]
                                        if v.t["tasks"].salesperson[i] >= 0 else None),
              "salesperson_surname": ("str", lambda v, i: v.t["users"].surname[v.t["tasks"].salesperson[i]]
                                      if v.t["tasks"].salesperson[i] >= 0 else None),
              "salesperson_id": ("id", lambda v, i: rid("users", v.t["tasks"].salesperson[i])
                                 if v.t["tasks"].salesperson[i] >= 0 else None)},
    "tasktypes": {"clientid": ("id", lambda v, i: None)},  # task types are not client specific on this site
}

# Fast where/order values for the fields a sync filters and orders on: (kind, getter).
FAST: Dict[str, Dict[str, Tuple[str, Callable]]] = {}


def _upd(zone):
    return lambda v, i: None if i in v.t[zone].blank else v.t[zone].updated[i]


for _zone, _fields in {
        "users": {"lastupdatedutc": UTC_DATE, "lastupdateddatetimeutc": UTC_DT},
        "tasks": {"lastupdatedutc": UTC_DATE, "lastupdateddatetimeutc": UTC_DT, "lastupdated": LOCAL_DT},
        "invoices": {"lastupdatedutc": UTC_DATE, "lastupdateddatetimeutc": UTC_DT, "lastupdateddatetime": LOCAL_DT},
        "bills": {"lastupdatedutc": UTC_DATE, "lastupdateddatetimeutc": UTC_DT},
        "locations": {"lasteupdatedutc": UTC_DATE, "lastupdateddatetimeutc": UTC_DT},
        "assets": {"lastupdateutc": UTC_DATE, "lastupdatedatetimeutc": UTC_DT},
        "inventory": {"lastupdatedutc": UTC_DATE, "lastupdateddatetimeutc": UTC_DT},
        "inventorystocklevels": {"lastupdated": LOCAL_DATE, "lastupdateddatetime": LOCAL_DT}}.items():
    for _field, _kind in _fields.items():
        FAST.setdefault(_zone, {})[_field] = (_kind, _upd(_zone))
FAST.setdefault("payments", {})["datepaid"] = (
    LOCAL_DATE, lambda v, i: None if i in v.t["payments"].blank else v.t["payments"].updated[i])
