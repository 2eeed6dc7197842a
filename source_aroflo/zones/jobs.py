"""Jobs: tasks and what is recorded against them — labour, materials, expenses, timesheets, schedules —
and the lists that classify them.

One `Zone` per AroFlo zone (the language: `declaration.py`, `fields.py`); facts from AroFlo's API
documentation (checked by `unit_tests/test_oracle.py`).
"""

from __future__ import annotations

from ..declaration import Reading, Zone

WINDOW, FEED, FEED_OR_SEEK = Reading.WINDOW, Reading.FEED, Reading.FEED_OR_SEEK


TASKS = Zone(
    "tasks", id="taskid",
    reading=FEED_OR_SEEK, cursor="lastupdateddatetimeutc", default_filter="datetimerequested", joins=('tasktotals',),
    narrowed={"linkprocesseddate": "sent with a time of day, but AroFlo documents `linkprocesseddate` as a DATE "
                                   "where field (its date-time is `linkprocesseddatetime`), and invoices send a "
                                   "date: a date in every stream"},
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


TASKTYPES = Zone(
    "tasktypes", id="tasktypeid",
    doc="Task types.",
    where="archived businessunitname clientid",
    fields="""
        archived:bool businessunit[orgid:id orgname] description tasktype tasktypeid:id
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


PRIORITIES = Zone(
    "priorities", id="priorityid",
    doc="Task priorities.",
    where="orgid:id priorityid:id archived",
    fields="""
        archived:bool backgroundcolor description listorder:int org{orgid:id orgname} priorityid:id
        priorityno:num responseminutes:num responsetype responsevalue:num shortdescription
    """,
)
