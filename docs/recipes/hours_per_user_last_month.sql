-- Hours per person last month: who worked how much, on how many jobs?
--
-- One row per user with timesheet entries in the previous calendar month: their name, hours in
-- all, the hours booked to jobs (entries with a task; the rest is non-productive time: travel,
-- stock runs, training...), the jobs they worked on, the days they worked and their entries.
-- Most hours first.
--
-- Streams: timesheets (user_userid / user_givennames / user_surname, hours, workdate, task_taskid).
-- "Last month" is the calendar month before the as-of day: today, unless set before running
-- this file, e.g.   SET VARIABLE as_of = DATE '2026-11-20';   (then: October 2026).
-- Rows AroFlo deleted (_ab_cdc_deleted_at set) are left out. DuckDB SQL on the table-per-stream
-- layout of Airbyte destinations and PyAirbyte's cache; values are cast so that a destination
-- storing numbers or dates as text gives the same answer.
WITH params AS (
    SELECT coalesce(CAST(getvariable('as_of') AS DATE), current_date) AS as_of
),
period AS (
    SELECT CAST(date_trunc('month', as_of) - INTERVAL 1 MONTH AS DATE) AS first_day,
           CAST(date_trunc('month', as_of) AS DATE)                   AS next_month
    FROM params
),
entries AS (
    SELECT t.user_userid                        AS userid,
           t.user_givennames                    AS givennames,
           t.user_surname                       AS surname,
           CAST(t.hours AS DECIMAL(18, 4))      AS hours,
           CAST(t.workdate AS DATE)             AS workdate,
           t.task_taskid                        AS taskid,
           p.first_day
    FROM timesheets AS t, period AS p
    WHERE t._ab_cdc_deleted_at IS NULL
      AND CAST(t.workdate AS DATE) >= p.first_day
      AND CAST(t.workdate AS DATE) < p.next_month
)
SELECT userid,
       trim(concat_ws(' ', max(givennames), max(surname)))          AS name,
       strftime(min(first_day), '%Y-%m')                             AS month,
       round(sum(hours), 2)                                          AS hours,
       round(coalesce(sum(hours) FILTER (WHERE taskid IS NOT NULL), 0), 2) AS job_hours,
       count(DISTINCT taskid)                                        AS jobs,
       count(DISTINCT workdate)                                      AS days,
       count(*)                                                      AS entries
FROM entries
GROUP BY userid
ORDER BY hours DESC, name;
