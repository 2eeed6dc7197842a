"""Every AroFlo zone source-aroflo reads, declared once (facts: `../shared/aroflo-zones.md`).

One `Zone` per zone, in alphabetical order; `declaration.py` says what each part means, and
`check_zones` (run at import) fails when an entry is inconsistent. Field lists follow the
example responses of AroFlo's API documentation; fields AroFlo adds later still come through.
`taskresources` is not here: it has no GET.
"""

from __future__ import annotations

from .declaration import Child, Reading, Zone, check_zones
from . import seeds

SEEK_TIME, WINDOW, FEED, FEED_OR_SEEK = Reading.SEEK_TIME, Reading.WINDOW, Reading.FEED, Reading.FEED_OR_SEEK

ASSETCATEGORIES = Zone(
    "assetcategories", id="categoryid",
    doc="Categories of assets (equipment kept at client sites).",
    where="categoryid:id categoryname parentcategoryid:id parentcategoryname",
    fields="""
        categoryid:id categoryname listorder:int parentcategory{categoryid:id categoryname}
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


CLIENTS = Zone(
    "clients", id="clientid",
    reading=FEED, default_filter="Created_UTC",
    narrowed={"datecreated": "a date-time AroFlo sends at midnight or with the time of creation; declared as its date so `datecreated` is a date in every stream (the time is in `datetimeinserted`)"},
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


CUSTOMHOLDERS = Zone(
    "customholders", id="customholderid",
    doc="Custom stock holders.",
    where="customholderid:id archived customholdername",
    fields="""
        archived:bool customholderid:id customholdername
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


INVENTORY = Zone(
    "inventory", id="itemid",
    reading=SEEK_TIME, cursor="lastupdateddatetimeutc", list_key="items", default_filter="Created_UTC", joins=('stocklevels',),
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


INVOICES = Zone(
    "invoices", id="invoiceid",
    reading=FEED_OR_SEEK, cursor="lastupdateddatetimeutc", default_filter="Created_UTC", joins=('lineitems',),
    doc="Customer invoices, with their lines.",
    where="""invoiceid:id status cusinvoiced dateinvoiced:date duedate:date taskdaterequested:date
           taskdatetimerequested:local taskdatecompleted:date taskdatetimecompleted:local
           linkprocesseddate:date lastupdatedutc:utc lastupdateddatetimeutc:utc createdutc:date
           createddatetimeutc:utc""",
    fields="""
        address{address1 address2 postcode state suburb} client{orgid:id orgname}
        createddatetimeutc:utc createdutc:date custon dateinvoiced:date deliverystatus
        description documentsandphotos[] duedate:date invoicedbyuser{userid:id username}
        invoiceid:id invoicenumber isTaxInclusive:bool lastupdated:date lastupdateddatetime:local
        lastupdateddatetimeutc:utc lastupdatedutc:date lastupdateuser{userid:id username}
        lines[accountcode description itemid:id itemtype lineid:id ordercode price:num qtybilled:num
        qtyused:num task{jobnumber:int taskid:id webappEncodedID} taxamount:num taxcode taxrate:num
        total:num trackingcentreid:id transactioncode] link{externalid orgid:id orgname}
        linkprocesseddate:date notes[] org{orgid:id orgname} partinvoice:bool
        project{closeddate:date contact custon description enddate:date location{locationid:id
        locationname} manager projectid:id projectname projectnumber projecttype refno
        startdate:date status} stage{stageid:id stagename} status surchargeamount:num
        task{client{orgid:id orgname} completeddate:date completeddatetime:local jobnumber:int refcode
        requestdate:date requestdatetime:local taskid:id taskname tasktype} totalex:num totalgst:num
        totalinc:num
    """,
    undocumented={
        "stage.stageid": "sent as {} in every example; fields as in tasks' examples (stage{stageid stagename})",
        "stage.stagename": "sent as {} in every example; fields as in tasks' examples (stage{stageid stagename})",
    },
)


LASTUPDATE = Zone(
    "lastupdate", id="zoneid",
    reading=SEEK_TIME, cursor="lastupdateutc", key=('zonename', 'zoneid'),
    doc="AroFlo's change feed: which record of which zone changed, and when (no daily limit).",
    where="zonename lastupdateutc:utc",
    fields="""
        isdeleted:int lastupdateutc:utc zoneid:id zoneidreference zonename
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


PAYMENTS = Zone(
    "payments", id="paymentid", seed=seeds.PAYMENTS, rest=True,
    # `datepaid` is not a documented where field, but AroFlo's own example filters on it.
    reading=WINDOW, window="datepaid", default_filter="datePaid",
    doc="Payments received: amount, date, method, reference, what they are linked to.",
    caveat=("the payments zone has no update time and is not in the change feed: an incremental sync finds "
            "payments by their date paid (the last whole day is always read again), so a payment edited later, "
            "or entered with an earlier date paid, is not picked up. Remedy: a periodic full refresh of payments "
            "(e.g. weekly), or lookback_window_minutes covering how far back payments get entered"),
    where="paymentid:id datepaid:date",
    fields="""
        paymentid:id amount:num totalamount:num surchargeamount:num surchargepercentage:num datepaid:date
        paymentmethodname reference notes chequenumber bankname bankaccountnumber bankbranch bankcode
        linkprocessed:bool datelinkprocessed:date linkedto{linkedtoid:id linkedtotype}
        receivedby{userid:id username}
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


PRIORITIES = Zone(
    "priorities", id="priorityid",
    doc="Task priorities.",
    where="orgid:id priorityid:id archived",
    fields="""
        archived:bool backgroundcolor description listorder:int org{orgid:id orgname} priorityid:id
        priorityno:num responseminutes:num responsetype responsevalue:num shortdescription
    """,
)


PROJECTS = Zone(
    "projects", id="projectid",
    reading=WINDOW, window="createddatetimeutc",
    default_filter="Created_UTC",
    doc="Projects (groups of tasks), with manager, client, stages.",
    where="""projectid:id orgid:id projectnumber projectname createdutc:date createddatetimeutc:utc""",
    fields="""
        client{orgid:id orgname} closeddate:date contactuser{userid:id username} custon
        description enddate:date insertedbyuser{userid:id username} location{locationid:id
        locationname} manageruser{userid:id username} org{orgid:id orgname} projectid:id projectname
        projectnumber projecttype{projecttype projecttypeid:id} refno stages[] startdate:date status
        substatus{substatus substatusid:id}
    """,
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


QUOTELINEITEMS = Zone(
    "quotelineitems", id="lineid",
    default_filter="DateRecorded",
    doc="Line items of quotes.",
    where="quoteid lineid parentlineid",
    fields="""
        cost:num isapproved:bool isoptional:bool item itemid:id itemtype labourmarkup:num
        labourtotal:num labourunitrate:num lineid:id markup:num optiongroupname parentlineid:id
        partno qty:num quote{quoteid:id quotename} sell:num takeoffname taxcode taxrate:num
        totalex:num totalinc:num totaltax:num worktype worktypevalue:num
    """,
)


QUOTES = Zone(
    "quotes", id="quoteid",
    reading=FEED, default_filter="DateCreated", joins=('lineitems',),
    doc="Quotes to clients, with their lines.",
    where="""quoteid quotename jobnumber status acceptancestatus duedate:date datetimedue:local
           dateapproved:date datetimeapproved:local createddate:date createddatetime:local
           approveddate:date approveddatetime:local""",
    fields="""
        acceptancedate:date acceptancedatetime:local acceptanceexpirydate:date
        acceptanceexpirydatetime:local acceptancestatus acceptedby{userid:id username}
        address{address1 address2 postcode state suburb} allowancecostex:num approveddate:date
        approveddatetime:local client{orgid:id orgname} contactname contactphone createddate:date
        createddatetime:local custon description documentsandphotos[comment documentid:id filter
        name sizeinbytes:num uploadedbyuser{userid:id username} uploadeddatetime:local url]
        duedate:date duedatetime:local estimator{userid:id givennames surname} exclusions
        istaxinclusive:bool jobnumber:int labourcostex:num lines[cost:num isapproved:bool
        isoptional:bool item itemid:id itemtype labourmarkup:num labourtotal:num labourunitrate:num
        lineid:id markup:num optiongroupname parentlineid:id partno qty:num sell:num takeoffname
        taxcode taxrate:num totalex:num totalinc:num totaltax:num worktype worktypevalue:num]
        materialcostex:num notes[content dateposted:date filter noteid:id timeposted user{userid:id
        username}] org{orgid:id orgname} overallmarkuppercent:num project{closeddate:date contact
        custon description enddate:date location{locationid:id locationname} manager projectid:id
        projectname projectnumber projecttype refno startdate:date status} quoteid:id quotename
        refno rejecteddate:date rejecteddatetime:local stage{stageid:id} status substatus{substatus
        substatusid:id} subtotal:num task{client{orgid:id orgname} jobnumber:int refcode
        requestdate:date requestdatetime:local taskid:id taskname tasktype} taskdescription
        totalex:num totalhours:num totalinc:num totalprofit:num totalprofitmarginpercent:num
        totaltax:num type
    """,
    undocumented={
        "acceptedby.userid": "sent as {} in every example; fields as in workorders' acceptedby",
        "acceptedby.username": "sent as {} in every example; fields as in workorders' acceptedby",
        "estimator.userid": "sent as {} in every example; fields as in tasks' quote.estimator",
        "estimator.givennames": "sent as {} in every example; fields as in tasks' quote.estimator",
        "estimator.surname": "sent as {} in every example; fields as in tasks' quote.estimator",
        "documentsandphotos[].uploadedbyuser.userid": "sent as {}; fields as in every other zone",
        "documentsandphotos[].uploadedbyuser.username": "sent as {}; fields as in every other zone",
        "notes[].user.userid": "sent as {} in every example; fields as in the notes of assets, clients, users",
        "notes[].user.username": "sent as {} in every example; fields as in the notes of assets, clients, users",
    },
)


SCHEDULES = Zone(
    "schedules", id="scheduleid",
    reading=WINDOW, window="startdatetime", future=True, newest="startdatetime",
    default_filter="startdatetime",
    doc="Schedule entries (who works on which task when).",
    where="""scheduleid:id taskid:id scheduletotype scheduledtoid startdate:date startdatetime:local""",
    fields="""
        enddate:date enddatetime:local grouping{groupid:id} hours:num insertedby{givennames surname
        userid:id} inserteddatetimeutc:utc ishidden:bool islocked:bool note org{orgid:id orgname}
        scheduledto{crew{crewid:id crewname} scheduledtoid:id scheduledtoname scheduledtotype}
        scheduleid:id scheduletype{type typeid:id typename} startdate:date startdatetime:local
    """,
)


STAGES = Zone(
    "stages", id="stageid",
    default_filter="Start_date",
    doc="Stages of projects.",
    where="stageid:id projectid:id stagename",
    fields="""
        location{locationid:id locationname} project{projectid:id projectname} stageid:id stagename
        stagetype{stagetype stagetypeid} status substatus{substatus substatusid:id}
    """,
)


SUBSTATUS = Zone(
    "substatus", id="substatusid",
    list_key="substatuses",
    doc="Task sub-statuses.",
    where="substatusid:id orgid:id substatus substatustype archived",
    fields="""
        archived:bool backgroundcolour description listorder:int mainstatuses[status] org{orgid:id
        orgname} substatus substatusid:id substatustype
    """,
)


SUPPLIERS = Zone(
    "suppliers", id="supplierid", seed=seeds.SUPPLIERS, rest=True,
    reading=FEED, default_filter="datetimeinserted",
    narrowed={"datecreated": "a date-time AroFlo sends at midnight or with the time of creation; declared as its date so `datecreated` is a date in every stream (the time is in `datetimeinserted`)"},
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


TASKEXPENSES = Zone(
    "taskexpenses", id="lineid",
    reading=FEED, list_key="expenses", id_where="expenselineid", default_filter="dateused",
    doc="Expenses charged to tasks.",
    where="""taskid:id status expenselineid:id dateused:date linkprocessed linkprocesseddate:date
           linkprocesseddatetime:local""",
    fields="""
        cost:num dateused:date description lineid:id overheadallocation quantity:num sell:num
        task{client{clientid:id clientname} jobnumber:int linkprocessed:bool linkprocesseddate:local
        org{orgid:id orgname} refcode status taskid:id} user{userid:id username}
    """,
)


TASKLABOURS = Zone(
    "tasklabours", id="lineid",
    reading=FEED, list_key="labours", id_where="labourlineid", default_filter="workdate", deleted="deleteddatetime",
    doc="Labour lines of tasks (hours worked, cost, sell).",
    where="""taskid:id status labourlineid:id isinventory workdate:date workdatetimestart:local
           workdatetimeend:local lablinkprocessed lablinkprocesseddate:date lablocked
           labverified labeodapproved deleteddate:date deleteddatetime:local""",
    fields="""
        cost:num deleted:bool deleteddate:date deleteddatetime:local deletedtime endtime hours:num
        lablinkprocessed:bool lablinkprocesseddate:date lablinkprocesseddatetime:date lablocked:bool
        labverified:bool lineid:id note sell:num starttime task{client{clientid:id clientname}
        jobnumber:int linkprocessed:bool linkprocesseddate:local org{orgid:id orgname} refcode
        status taskid:id} user{userid:id username} workdate:date workdatetimeend:local
        workdatetimestart:local worktype
    """,
)


TASKMATERIALS = Zone(
    "taskmaterials", id="lineid",
    reading=FEED, list_key="materials", id_where="materiallineid", default_filter="date_used", deleted="deleteddatetime",
    doc="Materials used on tasks.",
    where="""taskid:id status materiallineid:id isinventory:bool dateused:date matlinkprocessed:bool
           matlinkprocesseddate:date matlinkprocesseddatetime:local purchaseorderisordered:bool
           deleteddate:date deleteddatetime:local""",
    fields="""
        cost:num dateused:date deleted:bool deleteddate:date deleteddatetime:local deletedtime
        isinventory:bool item itemid:id lineid:id matlinkprocessed:bool matlinkprocesseddate:date
        matlinkprocesseddatetime:local partnumber purchaseorderisordered:bool
        purchaseorderqtybilled:num purchaseorderqtyordered:num quantity:num sell:num
        takenfrom{takenfromid:id takenfromname takenfromtype} task{client{clientid:id clientname}
        jobnumber:int linkprocessed:bool linkprocesseddate:local org{orgid:id orgname} refcode
        status taskid:id}
    """,
)


TASKS = Zone(
    "tasks", id="taskid",
    reading=FEED_OR_SEEK, cursor="lastupdateddatetimeutc", default_filter="datetimerequested", joins=('tasktotals',),
    narrowed={"linkprocesseddate": "sent with a time of day, but AroFlo documents `linkprocesseddate` as a DATE where field (its date-time is `linkprocesseddatetime`), and invoices send a date: a date in every stream"},
    doc="Tasks (jobs), with their totals of labour, materials and expenses.",
    where="""taskid clientname orgname orgid jobnumber tasktypeid status daterequested:date
           datetimerequested:local datecompleted:date datetimecompleted:local lastupdatedutc:utc
           lastupdateddatetimeutc:utc duedate:date duedatetime:local linkprocessed
           linkprocesseddate:date linkprocesseddatetime:local deleteddate:date
           deleteddatetime:local salesperson_givenname salesperson_surname salesperson_id
           createdutc:utc createddatetimeutc:utc""",
    fields="""
        assetid:id assets[assetid:id assetname barcode cost:num customerid manufacturer modelnumber
        odo:num odotype ordercode quantity:num serialnumber supplier] assigneds[dateassigned:date
        dateunassigned:date org{orgid:id orgname} readtask:bool readtaskdatetime:local timeassigned
        timeunassigned user{userid:id username}] client{clientid:id clientname} completeddate:date
        completeddatetime:local contact{givennames surname userid:id} contactname contactphone
        createddatetimeutc:utc createdutc:date customfields[archived:bool fieldid:id name type
        value] custon description documentsandphotos[comment documentid:id filter name
        sizeinbytes:num uploadedbyuser{userid:id username} uploadeddatetime:local url] duedate:date
        duedatetime:local expenses[cost:num dateused:date description lineid:id overheadallocation
        quantity:num sell:num user{userid username}] gpslatitude:num gpslongitude:num jobnumber:int
        labours[cost:num deleted:bool deleteddate:date deleteddatetime:local deletedtime endtime
        hours:num lablinkprocessed:bool lablinkprocesseddate:date lablinkprocesseddatetime:date
        lablocked:bool labverified:bool lineid:id note sell:num starttime user{userid:id username}
        workdate:date workdatetimeend:local workdatetimestart:local worktype] lastupdated:date
        lastupdateddatetime:local lastupdateddatetimeutc:utc lastupdatedutc:date linkprocessed:bool
        linkprocesseddate:date location{SiteContact SiteEmail SitePhone address archived:bool
        country customfields[archived:bool fieldid:id name type value] gpslat:num gpslong:num
        locationid:id locationname postcode state suburb} materials[cost:num dateused:date
        deleted:bool deleteddate:date deleteddatetime:local deletedtime isinventory:bool item
        itemid:id lineid:id matlinkprocessed:bool matlinkprocesseddate:date
        matlinkprocesseddatetime:local partnumber purchaseorderisordered:bool
        purchaseorderqtybilled:num purchaseorderqtyordered:num quantity:num sell:num
        takenfrom{takenfromid:id takenfromname takenfromtype}] org{orgid:id orgname} priority
        project{closeddate:date contact custon description enddate:date location{locationid:id
        locationname} manager projectid:id projectname projectnumber projecttype refno
        startdate:date status} purchaseorders[purchaseorderid:id] quote{estimator{givennames surname
        userid:id} totalex:num totalinc:num totaltax:num} readtask:bool readtaskdatetime:local
        refcode requestdate:date requestdatetime:local salesperson[givenname surname user_id:id]
        stage{stageid:id stagename} status substatus{substatus substatusid:id} taskid:id
        tasklocation{locationid:id locationname} taskname tasknotes[content dateposted:date filter
        note noteid:id sticky:bool timeposted user{userid:id username}] tasktasktype{tasktype
        tasktypeid:id} tasktotals{totalexp:num totalhrs:num totallab:num totalmat:num} tasktype
        webappEncodedID
    """,
)


TASKTYPES = Zone(
    "tasktypes", id="tasktypeid",
    doc="Task types.",
    where="archived businessunitname clientid",
    fields="""
        archived:bool businessunit[orgid:id orgname] description tasktype tasktypeid:id
    """,
)


TIMESHEETS = Zone(
    "timesheets", id="timesheetid",
    reading=WINDOW, window="workdate", newest="workdate",
    default_filter="workdate",
    doc="Timesheet entries (hours per user, task and work type).",
    where="timesheetid:id taskid:id userid:id type workdate:date",
    fields="""
        charge:num chargerate:num cost:num costrate:num finishdatetime:local grouping{groupid:id
        tsgroupid:id} hourlyrate:num hours:num insertedby{givennames surname userid:id}
        inserteddatetimeutc:utc note overhead{overhead overheadid:id overheadtype overheadunit}
        resourceoverheadrate:num startdatetime:local task{jobnumber:int taskid:id taskname}
        timesheetid:id trackingcentre{trackingcentre trackingcentreid:id} type user{givennames
        surname userid:id} verifiedby{givennames isverified:bool surname userid
        verifieddatetime:local} workdate:date worktype{worktype worktypedescription worktypeid:id
        worktyperatetype}
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


USERPOSITION = Zone(
    "userposition", id="positionid",
    list_key="userpositions",
    doc="User positions (job titles).",
    where="",
    fields="""
        Position archive:bool listorder:int org{orgid:id orgname} positionid:id
    """,
)


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
