"""The business itself: its staff, organisation and settings, its documents, and AroFlo's change feed.

One `Zone` per AroFlo zone (the language: `declaration.py`, `fields.py`); facts from AroFlo's API
documentation (checked by `unit_tests/test_oracle.py`).
"""

from __future__ import annotations

from ..declaration import Reading, Zone
from .. import seeds

SEEK_TIME, WINDOW = Reading.SEEK_TIME, Reading.WINDOW


USERS = Zone(
    "users", id="userid", seed=seeds.USERS, rest=True,
    reading=SEEK_TIME, cursor="lastupdateddatetimeutc", default_filter="Created_UTC",
    doc="Users (staff): names, contact details, position, organisation, access level.",
    where="""userid:id givennames surname position createdutc:date createddatetimeutc:utc lastupdatedutc:date
           lastupdateddatetimeutc:utc archived:bool""",
    fields="""
        userid:id givennames surname username email email2 phone mobile fax position
        userposition{positionid:id positionname} org{orgid:id orgname} accesstype archived:bool
        createdutc:date createddatetimeutc:utc lastupdatedutc:date lastupdateddatetimeutc:utc
        customfields[archived:bool fieldid:id name type value] documentsandphotos[comment documentid:id filter
        name sizeinbytes:num uploadedbyuser{userid:id username} uploadeddatetime:local url]
        featureaccess[featureDisplayName featureid:id featurevalue] notes[content dateposted:date filter
        noteid:id timeposted user{userid:id username}] permissiongroups[archived:bool groupid:id groupname]
        trackingcentredefaults[labourtrackingcentreid:id labourtrackingcentrename]
    """,
)


USERPOSITION = Zone(
    "userposition", id="positionid",
    list_key="userpositions",
    doc="User positions (job titles).",
    where="",
    fields="""
        Position archive:bool listorder:int org{orgid:id orgname} positionid:id
    """,
)


PERMISSIONGROUPS = Zone(
    "permissiongroups", id="groupid",
    doc="Permission groups of users.",
    where="",
    fields="""
        archived:bool groupid:id groupname
    """,
)


BUSINESSUNITS = Zone(
    "businessunits", id="orgid",
    doc="Business units (organisations within the AroFlo site).",
    where="orgid:id archived businessunitname",
    fields="""
        abn address{addressline1 addressline2 country postcode state suburb} archived:bool
        businessunitname email fax firstname locations[] mailingaddress{addressline1 addressline2
        country postcode state suburb} mobile orgid:id phone priorities[archived:bool description
        priorityid:id responseminutes:num shortdescription] shortname surname terms termsnote
        usecustompriorities:bool website
    """,
)


TRACKINGCENTRES = Zone(
    "trackingcentres", id="trackingcentreid",
    reading=WINDOW, window="date_created", newest="date_created",
    doc="Tracking centres (cost/revenue centres).",
    where="trackingcentreid:id name date_created:date orgid:id",
    fields="""
        allowasset:bool allowexpense:bool allowfreight:bool allowlabour:bool allowmaterial:bool
        archive:bool businessunit{orgid:id orgname} datearchived:date datecreated:date listorder:int
        name trackingcentreid:id
    """,
)


TRANSACTIONTERMS = Zone(
    "transactionterms", id="transactiontermid",
    doc="Transaction (payment) terms.",
    where="",
    fields="""
        archived:bool listorder:int termdays:num transactionterm transactiontermid:id
    """,
)


MESSAGEBOARD = Zone(
    "messageboard", id="messageid",
    list_key="messageboards",
    doc="Message board posts.",
    where="messageid:id",
    fields="""
        dateposted:date filtertype lastupdated:date message messageid:id postedby
        specificfilter{specificfilterid specificfiltername} subject
    """,
)


MESSAGETEMPLATES = Zone(
    "messagetemplates", id="templateid",
    reading=WINDOW, window="createdutc",
    default_filter="created_utc",
    doc="Message (email/SMS) templates.",
    where="templateid:id formattype:id createdutc:date",
    fields="""
        createdutc:date formattype org{orgid:id orgname} templateid:id templatename templatesubject
        templatetext
    """,
)


DOCUMENTSANDPHOTOS = Zone(
    "documentsandphotos", id="documentid",
    default_filter="datetimeInserted",
    doc="Documents and photos (their URLs expire after 10 minutes).",
    where="documentid:id name comment categoryname",
    fields="""
        category{categoryid:id categoryname} comment documentid:id filter name sizeinbytes:num
        uploadedbyuser{userid:id username} uploadeddatetime:local url
    """,
)


LASTUPDATE = Zone(
    "lastupdate", id="zoneid",
    reading=SEEK_TIME, cursor="lastupdateutc", key=('zonename', 'zoneid'), change_feed=True,
    doc="AroFlo's change feed: which record of which zone changed, and when (no daily limit).",
    where="zonename lastupdateutc:utc",
    fields="""
        isdeleted:int lastupdateutc:utc zoneid:id zoneidreference zonename
    """,
)
