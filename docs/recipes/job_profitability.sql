-- Job profitability: which jobs made money?
--
-- One row per invoiced job (AroFlo task): what was invoiced ex GST, what the job cost (labour,
-- materials and expenses at cost), the margin and the margin %. Newest invoiced first; for the
-- best and worst jobs order by margin instead.
--
-- Streams: tasks, invoices, invoices_lines, tasklabours, taskmaterials, taskexpenses.
--   invoiced_ex  the job's invoice lines (total, ex GST; each line names its job in task_taskid),
--                of each invoice's current version only: lines joined to their invoice on id AND
--                version, as in current_invoice_lines.sql, so a line taken off an invoice no
--                longer counts. A job invoiced in parts has several invoices.
--   *_cost       AroFlo's own totals of the job (tasks' tasktotals_totallab / _totalmat /
--                _totalexp are COSTS; tasktotals_totalhrs is hours). A job synced without them
--                falls back to its labour (cost rate x hours), material (cost x quantity) and
--                expense (cost x quantity) lines.
--   cost_from_lines  the same costs added up from those lines: a cross-check, equal to cost
--                    when every line of the job is synced.
-- Rows AroFlo deleted (_ab_cdc_deleted_at set) are left out. DuckDB SQL on the table-per-stream
-- layout of Airbyte destinations and PyAirbyte's cache; values are cast so that a destination
-- storing numbers or dates as text gives the same answer.
WITH invoiced AS (
    SELECT l.task_taskid                                AS taskid,
           count(DISTINCT l.invoiceid)                  AS invoices,
           sum(CAST(l.total AS DECIMAL(18, 2)))         AS invoiced_ex,
           max(CAST(i.dateinvoiced AS DATE))            AS last_invoiced
    FROM invoices_lines AS l
    JOIN invoices AS i
      ON i.invoiceid = l.invoiceid
     AND i.updated_at IS NOT DISTINCT FROM l.updated_at
    WHERE i._ab_cdc_deleted_at IS NULL AND l.task_taskid IS NOT NULL
    GROUP BY l.task_taskid
),
labour AS (
    SELECT task_taskid AS taskid,
           sum(round(CAST(cost AS DECIMAL(18, 4)) * CAST(hours AS DECIMAL(18, 4)), 2)) AS cost
    FROM tasklabours
    WHERE _ab_cdc_deleted_at IS NULL
    GROUP BY task_taskid
),
materials AS (
    SELECT task_taskid AS taskid,
           sum(round(CAST(cost AS DECIMAL(18, 4)) * CAST(quantity AS DECIMAL(18, 4)), 2)) AS cost
    FROM taskmaterials
    WHERE _ab_cdc_deleted_at IS NULL
    GROUP BY task_taskid
),
expenses AS (
    SELECT task_taskid AS taskid,
           sum(round(CAST(cost AS DECIMAL(18, 4)) * coalesce(CAST(quantity AS DECIMAL(18, 4)), 1), 2)) AS cost
    FROM taskexpenses
    WHERE _ab_cdc_deleted_at IS NULL
    GROUP BY task_taskid
),
jobs AS (
    SELECT t.taskid,
           CAST(t.jobnumber AS BIGINT)                                            AS jobnumber,
           t.taskname,
           t.client_clientname                                                    AS client,
           t.status,
           CAST(t.completeddate AS DATE)                                          AS completed,
           i.invoices,
           i.last_invoiced,
           i.invoiced_ex,
           coalesce(CAST(t.tasktotals_totallab AS DECIMAL(18, 2)), l.cost, 0)     AS labour_cost,
           coalesce(CAST(t.tasktotals_totalmat AS DECIMAL(18, 2)), m.cost, 0)     AS material_cost,
           coalesce(CAST(t.tasktotals_totalexp AS DECIMAL(18, 2)), e.cost, 0)     AS expense_cost,
           CAST(t.tasktotals_totalhrs AS DECIMAL(18, 2))                          AS hours,
           coalesce(l.cost, 0) + coalesce(m.cost, 0) + coalesce(e.cost, 0)        AS cost_from_lines
    FROM tasks AS t
    JOIN invoiced AS i ON i.taskid = t.taskid
    LEFT JOIN labour AS l ON l.taskid = t.taskid
    LEFT JOIN materials AS m ON m.taskid = t.taskid
    LEFT JOIN expenses AS e ON e.taskid = t.taskid
    WHERE t._ab_cdc_deleted_at IS NULL
)
SELECT jobnumber,
       taskname,
       client,
       status,
       completed,
       invoices,
       last_invoiced,
       invoiced_ex,
       labour_cost,
       material_cost,
       expense_cost,
       labour_cost + material_cost + expense_cost                                 AS cost,
       invoiced_ex - (labour_cost + material_cost + expense_cost)                 AS margin,
       round(100 * (invoiced_ex - (labour_cost + material_cost + expense_cost))
             / nullif(invoiced_ex, 0), 1)                                         AS margin_pct,
       hours,
       cost_from_lines,
       taskid
FROM jobs
ORDER BY last_invoiced DESC, invoiced_ex DESC, jobnumber DESC;
