"""Clients: the customers, their contacts, locations, notes and the assets kept at their sites.

One `Zone` per AroFlo zone (the language: `declaration.py`, `fields.py`); facts from AroFlo's API
documentation (checked by `unit_tests/test_oracle.py`).
"""

from __future__ import annotations

from ..declaration import Reading, Zone

SEEK_TIME, WINDOW, FEED, FEED_OR_SEEK = Reading.SEEK_TIME, Reading.WINDOW, Reading.FEED, Reading.FEED_OR_SEEK


CLIENTS = Zone(
    "clients", id="clientid",
    reading=FEED, default_filter="Created_UTC",
    narrowed={"datecreated": "a date-time AroFlo sends at midnight or with the time of creation; declared as its "
                             "date so `datecreated` is a date in every stream (the time is in `datetimeinserted`)"},
    doc="Clients (customers): contacts, addresses, terms.",
    where="""clientid:id archived clientname postable datecreated:date dateinserted:date datetimeinserted
           lastupdateutc:date lastupdatedatetimeutc:utc""",
    fields="""
        abn address{addressline1 addressline2 country gpslat:num gpslong:num postcode state suburb}
        clientid:id clientname contacts[archived:bool email email2 fax givennames mobile phone
        surname userid:id username] customfields[archived:bool fieldid:id name type value]
        datecreated:date dateinserted:local datetimeinserted:local documentsandphotos[comment
        documentid:id filter name sizeinbytes:num uploadedbyuser{userid:id username}
        uploadeddatetime:local url] email fax firstname link{externalid orgid:id orgname}
        locations[SiteContact SiteEmail SitePhone address archived:bool country
        customfields[archived:bool fieldid:id name type value] gpslat:num gpslong:num locationid
        locationname postcode state suburb] mailingaddress{addressline1 addressline2 country
        postcode state suburb} mobile notes[content dateposted:date filter noteid:id timeposted
        user{userid:id username}] orgs[archived:bool orgid:id orgname] phone postable:bool
        priorities[archived:bool description priorityid:id responseminutes:num shortdescription]
        shortname surname terms termsnote transactionterms{transactionterm transactiontermid:id
        transactiontermnote} usecustompriorities:bool website
    """,
)


CONTACTS = Zone(
    "contacts", id="userid",
    reading=WINDOW, window="createddatetimeutc",
    default_filter="Created_UTC",
    doc="Client contacts (people who are AroFlo contact users).",
    where="userid:id archived contacttype createdutc:date createddatetimeutc:utc",
    fields="""
        accesstype archived:bool contacttype customfields[] documentsandphotos[] email email2 fax
        givennames mobile notes[] org{orgid:id orgname} phone surname userid:id username
    """,
)


LOCATIONS = Zone(
    "locations", id="locationid",
    reading=FEED_OR_SEEK, cursor="lastupdateddatetimeutc", default_filter="Created_UTC",
    doc="Locations (sites) of clients, suppliers and the business.",
    where="""locationid:id linkedtotype clientid:id supplierid:id orgid:id clientname suppliername orgname
           locationname gpslat gpslong address postcode state suburb country archive
           createdutc:date createddatetimeutc:utc lasteupdatedutc:date
           lastupdateddatetimeutc:utc""",
    fields="""
        SiteContact SiteEmail SitePhone address archived:bool country createddatetimeutc:utc
        createdutc:date customfields[] documentsandphotos[] gpslat:num gpslong:num
        lastupdateddatetimeutc:utc lastupdatedutc:date linkedto{linkedtoid:id linkedtoname
        linkedtotype} locationid:id locationname notes[] postcode state suburb
    """,
)


CLIENTNOTES = Zone(
    "clientnotes", id="noteid",
    reading=WINDOW, window="createdutc", newest="dateposted",
    default_filter="created_utc",
    doc="Notes posted against clients.",
    where="noteid:id createdutc:date",
    fields="""
        clientid:id content created_utc:utc datetimeposted:local filter noteid:id sticky:bool
        user{userid:id username}
    """,
)


ASSETS = Zone(
    "assets", id="assetid",
    reading=SEEK_TIME, cursor="lastupdatedatetimeutc", cursor_key="lastupdateddatetimeutc", default_filter="DateCreated",
    doc="Assets (equipment at client locations): category, client, location, serial numbers.",
    where="""assetid:id category assetname ordercode customerid serialnumber lastupdateutc:date
           lastupdatedatetimeutc:utc""",
    fields="""
        archived:bool assetid:id assetname assettypes[] barcode category{categoryid:id categoryname}
        client{clientid:id clientname} cost:num customerid customfields[archived:bool fieldid name
        type value] datecreated:date documentsandphotos[comment documentid:id filter name
        sizeinbytes:num uploadedbyuser{userid:id username} uploadeddatetime:local url]
        lastupdateddatetimeutc:utc lastupdatedutc:date location{SiteContact SiteEmail SitePhone
        address archived:bool country customfields[] gpslat:num gpslong:num locationid:id
        locationname postcode state suburb} manufacturer modelnumber notes[content dateposted:date
        filter noteid:id timeposted user{userid:id username}] odo:num odotype ordercode org{orgid:id
        orgname} quantity:num serialnumber supplier
    """,
)


ASSETCATEGORIES = Zone(
    "assetcategories", id="categoryid",
    doc="Categories of assets (equipment kept at client sites).",
    where="categoryid:id categoryname parentcategoryid:id parentcategoryname",
    fields="""
        categoryid:id categoryname listorder:int parentcategory{categoryid:id categoryname}
    """,
)
