-- Materials used: which materials do we use most?
--
-- One row per material (part number and description; ad-hoc items have no part number) used on
-- jobs in the 90 days up to the as-of day: quantity, cost and sell (unit cost / sell x
-- quantity), the jobs it went into and its lines. Largest quantity first.
--
-- Streams: taskmaterials (item, partnumber, quantity, cost, sell, dateused, task_taskid).
-- The as-of day is today, unless set before running this file, e.g.
--   SET VARIABLE as_of = DATE '2026-11-20';   (then: 2026-08-23 to 2026-11-20)
-- Rows AroFlo deleted (_ab_cdc_deleted_at set: a line with a deleteddatetime) are left out.
-- DuckDB SQL on the table-per-stream layout of Airbyte destinations and PyAirbyte's cache;
-- values are cast so that a destination storing numbers or dates as text gives the same answer.
WITH params AS (
    SELECT coalesce(CAST(getvariable('as_of') AS DATE), current_date) AS as_of
),
used AS (
    SELECT nullif(trim(m.partnumber), '')           AS partnumber,
           m.item,
           CAST(m.quantity AS DECIMAL(18, 4))       AS quantity,
           CAST(m.cost AS DECIMAL(18, 4))           AS cost,
           CAST(m.sell AS DECIMAL(18, 4))           AS sell,
           CAST(m.dateused AS DATE)                 AS dateused,
           m.task_taskid
    FROM taskmaterials AS m, params AS p
    WHERE m._ab_cdc_deleted_at IS NULL
      AND CAST(m.dateused AS DATE) > p.as_of - 90
      AND CAST(m.dateused AS DATE) <= p.as_of
)
SELECT partnumber,
       item,
       round(sum(quantity), 2)                  AS quantity,
       round(sum(cost * quantity), 2)           AS cost,
       round(sum(sell * quantity), 2)           AS sell,
       count(DISTINCT task_taskid)              AS jobs,
       count(*)                                 AS lines,
       min(dateused)                            AS first_used,
       max(dateused)                            AS last_used
FROM used
GROUP BY partnumber, item
ORDER BY quantity DESC, cost DESC, item;
