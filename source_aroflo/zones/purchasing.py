"""Purchasing: suppliers, purchase orders, bills, work orders to contractors, and inventory.

One `Zone` per AroFlo zone (the language: `declaration.py`, `fields.py`); facts from AroFlo's API
documentation (checked by `unit_tests/test_oracle.py`).
"""

from __future__ import annotations

from ..declaration import Reading, Zone
from .. import seeds

SEEK_TIME, WINDOW, FEED = Reading.SEEK_TIME, Reading.WINDOW, Reading.FEED


SUPPLIERS = Zone(
    "suppliers", id="supplierid", seed=seeds.SUPPLIERS, rest=True,
    reading=FEED, default_filter="datetimeinserted",
    narrowed={"datecreated": "a date-time AroFlo sends at midnight or with the time of creation; declared as its "
                             "date so `datecreated` is a date in every stream (the time is in `datetimeinserted`)"},
    doc="Suppliers: contact person, address, payment terms, tax id, account code.",
    where="supplierid:id suppliername postable:bool archived:bool datecreated:date dateinserted:date datetimeinserted:local",
    fields="""
        supplierid:id suppliername suppliertype shortname firstname surname email phone mobile fax website abn
        address{addressline1 addressline2 suburb state postcode country}
        mailingaddress{addressline1 addressline2 suburb state postcode country}
        orgs[orgid:id orgname archived:bool] link{orgid:id orgname externalid}
        transactionterms{transactionterm transactiontermnote transactiontermid:id} terms termsnote
        postable:bool archived:bool datecreated:date dateinserted:local datetimeinserted:local
        contacts[archived:bool email email2 fax givennames mobile phone surname userid:id username]
        customfields[archived:bool fieldid:id name type value] documentsandphotos[] notes[]
        locations[SiteContact SiteEmail SitePhone address archived:bool country customfields[] gpslat:num
        gpslong:num locationid:id locationname postcode state suburb]
    """,
    undocumented={
        "archived": "a documented where field (BOOLEAN); the seed's status column reads it",
    },
)


PURCHASEORDERS = Zone(
    "purchaseorders", id="purchaseorderid",
    reading=FEED, default_filter="Created_UTC", joins=('lineitems',),
    doc="Purchase orders to suppliers, with their lines.",
    where="""purchaseorderid status adhocsupplier supplierinvoicenumber purchasedate:date duedate:date
           taskdaterequested:date taskdatetimerequested:local taskdatecompleted:date
           taskdatetimecompleted:local deliveryby:date""",
    fields="""
        acceptancestatus address{address1 address2 postcode state suburb} dateinvoiced:date
        datereceived:date deliverybydate:date deliverybydatetime:local deliveryinstructions
        documentsandphotos[comment documentid:id filter name sizeinbytes:num
        uploadedbyuser{userid:id username} uploadeddatetime:local url] duedate:date
        isTaxInclusive:bool lines[accountcode cost:num description item itemid:id lineid:id partno
        price:num qtybilled:num qtyordered:num taskid:id taskisused:bool taskqtyused:num
        taxamount:num taxcode taxrate:num total:num trackingcentreid:id transactioncode]
        link{externalid orgid:id orgname} notes[] ordernumber org{orgid:id orgname}
        projects[closeddate:date contact custon description enddate:date location{locationid
        locationname} manager projectid projectname projectnumber projecttype refno stagename
        startdate:date status] purchasedate:date purchasedbyuser{userid:id username}
        purchaseorderid:id status supplier{orgid:id orgname} supplierinvoicenumber
        tasks[client{orgid:id orgname} completeddate:date completeddatetime:local jobnumber:int
        linkprocessed:bool linkprocesseddate:local refcode requestdate:date requestdatetime:local
        taskid:id taskname tasktype webappEncodedID] totalex:num totalinc:num
    """,
)


BILLS = Zone(
    "bills", id="billid",
    reading=SEEK_TIME, cursor="lastupdateddatetimeutc", default_filter="Created_UTC", joins=('lineitems',),
    doc="Supplier bills (accounts payable), with their lines.",
    where="""billid purchaseorderid workorderid status dateinvoiced:date duedate:date lastupdatedutc:utc
           lastupdateddatetimeutc:utc linkprocesseddate:date""",
    fields="""
        address{address1 address2 postcode state suburb} billid:id billnumber dateinvoiced:date
        description documentsandphotos[] duedate:date isTaxInclusive:bool lastupdateddatetimeutc:utc
        lastupdatedutc:date lastupdateuser{userid:id username} lines[accountcode description
        itemid:id itemtype lineid:id ordercode price:num qty:num taskid:id taxamount:num taxcode
        taxrate:num total:num] notes[] org{orgid:id orgname} purchaseorder{ordernumber
        purchaseorderid:id} status supplier{orgid:id orgname} surchargeamount:num tasks[]
        totalex:num totalgst:num totalinc:num workorder{workorderid:id workordernumber}
    """,
)


BILLLINEITEMS = Zone(
    "billlineitems", id="lineid",
    default_filter="Created_UTC",
    doc="Line items of supplier bills.",
    where="lineid billid",
    fields="""
        accountcode billid:id description itemid:id lineid:id ordercode price:num qty:num
        qtyreceived:num taskid:id taxamount:num taxcode taxrate:num total:num
    """,
)


WORKORDERS = Zone(
    "workorders", id="workorderid",
    reading=WINDOW, window="createddatetime",
    default_filter="wo_order.created_UTC", joins=('lineitems',),
    doc="Work orders to contractors, with their lines.",
    where="""workorderid:id workordernumber status acceptancestatus createddate:date createddatetime:local
           requiredbydate:date requiredbydatetime:local approveddate:date approveddatetime:local""",
    fields="""
        acceptancedate:date acceptancedatetime:local acceptanceexpirydate:date
        acceptanceexpirydatetime:local acceptancestatus acceptedby{userid:id username}
        approveddate:date approveddatetime:local bills[billid:id billnumber] contractor{orgid:id
        orgname} createddate:date createddatetime:local description documentsandphotos[comment
        documentid:id filter name sizeinbytes:num uploadedbyuser{userid:id username}
        uploadeddatetime:local url] lines[cost:num isbilled:bool item itemid:id itemtype lineid:id
        partno qtybilled:num qtyordered:num qtyused:num taskid:id taxcode taxrate:num totalex:num
        totalinc:num totaltax:num trackingcentreid:id] location{locationid:id locationname}
        notes[content dateposted:date filter noteid:id timeposted user{userid:id username}]
        org{orgid:id orgname} processeddate:date processeddatetime:local refno requiredbydate:date
        requiredbydatetime:local sentby{userid username} status tasks[jobnumber:int taskid:id
        taskname] totalex:num totalinc:num totaltax:num workorderid:id workordernumber
    """,
    undocumented={
        "notes[].user.userid": "sent as {} in every example; fields as in the notes of assets, clients, users",
        "notes[].user.username": "sent as {} in every example; fields as in the notes of assets, clients, users",
    },
)


WORKORDERLINEITEMS = Zone(
    "workorderlineitems", id="lineid",
    default_filter="wo_order.created_UTC",
    doc="Line items of work orders.",
    where="workorderid:id lineid:id",
    fields="""
        cost:num isbilled:bool item itemid:id itemtype lineid:id partno qtybilled:num qtyordered:num
        qtyused:num taskid:id taxcode taxrate:num totalex:num totalinc:num totaltax:num
        trackingcentreid:id workorder{workorderid:id workordernumber}
    """,
)


INVENTORY = Zone(
    "inventory", id="itemid",
    # AroFlo documents its update-time filters as filters on the joined stock levels ("the following
    # require JOIN stocklevels"), not on the item: an edited item is not found by them. Items change
    # rarely (their stock levels are the inventorystocklevels zone, read hourly): read in full.
    list_key="items", default_filter="Created_UTC", joins=('stocklevels',),
    doc="Inventory items, with their stock levels (AroFlo's list key is `items`).",
    where="""itemid:id category description partnumber ischolderarchived isuserarchived assignedtotype
           lastupdatedutc:date lastupdateddatetimeutc:utc createdutc:date createddatetimeutc:utc""",
    fields="""
        category{categoryid:id categoryname} costex:num createddatetimeutc:utc createdutc:date
        description documentsandphotos[] flexcost:num identifier invcmargin:num invcmarginon
        itemid:id lastupdateddatetimeutc:utc lastupdatedutc:date manufacturer partnumber
        sell_invc:num sell_qte:num sell_task:num stocklevels[assignedto assignedtoid:id
        assignedtotype lastupdated:date lastupdateddatetime:local lastupdateddatetimeutc:utc
        lastupdatedutc:date quantity:num] supplier taskmargin:num taskmarginon useSimplePricing:bool
    """,
)


INVENTORYCATEGORIES = Zone(
    "inventorycategories", id="categoryid",
    doc="Inventory categories.",
    where="categoryid:id categoryname parentcategoryid:id parentcategoryname",
    fields="""
        bustockalertlevel:num categoryid:id categoryname chstockalertlevel:num defaultmargin:num
        issoritem:bool listorder:int marginon parentcategory{categoryid:id categoryname} quoteusing
        usebustockalert:bool usechstockalert:bool userstockalertlevel:num useusersstockalert:bool
    """,
)


INVENTORYLISTS = Zone(
    "inventorylists", id="listid",
    joins=('items',),
    doc="Inventory (price) lists, with their items.",
    where="listid:id listtype",
    fields="""
        businessunit{orgid:id orgname} category{categoryid:id categoryname} cost:num invoicecost:num
        invoicesell:num invoiceusing items[costex:num description
        inventoryitem{category{categoryid:id categoryname} costex:num description flexcost:num
        invcmargin:num invcmarginon itemid:id manufacturer partnumber sell_invc:num sell_qte:num
        sell_task:num supplier taskmargin:num taskmarginon useSimplePricing:bool} itemid:id
        labour_rate:num manufacturer partnumber quantity:num sell_invc:num sell_qte:num
        sell_task:num supplier use_inventory_pricing:bool] labourrate:num listid:id listname
        listtype quotecost:num quotesell:num quoteusing sell:num taskcost:num tasksell:num taskusing
    """,
)


INVENTORYSTOCKLEVELS = Zone(
    "inventorystocklevels", id="itemid",
    reading=SEEK_TIME, cursor="lastupdateddatetimeutc", cursor_key="lastupdateddatetime", key=('itemid', 'assignedtoid'), default_filter="lastupdateddatetimeutc",
    doc="Stock level of each item per holder (org, user or custom holder).",
    where="""itemid:id lastupdated:date lastupdateddatetime:local lastupdatedutc:utc
           lastupdateddatetimeutc:utc assignedtotype isuserarchived ischolderarchived
           isbuarchived""",
    fields="""
        assignedto assignedtoid:id assignedtotype itemid:id lastupdated:date
        lastupdateddatetime:local quantity:num
    """,
)


CUSTOMHOLDERS = Zone(
    "customholders", id="customholderid",
    doc="Custom stock holders.",
    where="customholderid:id archived customholdername",
    fields="""
        archived:bool customholderid:id customholdername
    """,
)
