"""Sales: quotes, invoices and the payments against them; projects and their stages.

One `Zone` per AroFlo zone (the language: `declaration.py`, `fields.py`); facts from AroFlo's API
documentation (checked by `unit_tests/test_oracle.py`).
"""

from __future__ import annotations

from ..declaration import Reading, Zone
from .. import seeds

WINDOW, FEED, FEED_OR_SEEK = Reading.WINDOW, Reading.FEED, Reading.FEED_OR_SEEK


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


INVOICES = Zone(
    "invoices", id="invoiceid",
    # `task` joins the job the invoice bills (its id, number and client): without it AroFlo sends `task: {}`.
    reading=FEED_OR_SEEK, cursor="lastupdateddatetimeutc", default_filter="Created_UTC", joins=('lineitems', 'task'),
    doc="Customer invoices, with their lines and the job they bill.",
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


PAYMENTS = Zone(
    "payments", id="paymentid", seed=seeds.PAYMENTS, rest=True,
    # `datepaid` is not a documented where field, but AroFlo's own example filters on it.
    reading=WINDOW, window="datepaid", default_filter="datePaid",
    doc="Payments received: amount, date, method, reference, what they are linked to.",
    caveat=("the payments zone has no update time and is not in the change feed: each sync reads the payments "
            "paid since the day before the last sync, and once a day those paid within re_read_window_days; a "
            "payment edited or entered later than that after its date paid is not seen. Remedy: a larger "
            "re_read_window_days, or a periodic full refresh of payments (e.g. monthly)"),
    where="paymentid:id datepaid:date",
    fields="""
        paymentid:id amount:num totalamount:num surchargeamount:num surchargepercentage:num datepaid:date
        paymentmethodname reference notes chequenumber bankname bankaccountnumber bankbranch bankcode
        linkprocessed:bool datelinkprocessed:date linkedto{linkedtoid:id linkedtotype}
        receivedby{userid:id username}
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
