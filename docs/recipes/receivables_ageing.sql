-- Receivables ageing: what is owed to us, by whom, and for how long?
--
-- One row per client with money owing: what they owe (invoiced inc GST less the payments
-- against each invoice), split by how far past its due date each invoice is on the as-of day:
-- current (not yet due), 1-30, 31-60, 61-90 and over 90 days; the number of invoices owing and
-- the oldest one's days past due. Most owed first.
--
-- Streams: invoices (totalinc, duedate, client_orgid / client_orgname, status), payments
-- (amount, invoice_id: the id of the invoice a payment is against).
-- Invoices still pending approval (drafts: not sent to the client) are not receivables and are
-- left out. The as-of day is today, unless set before running this file, e.g.
--   SET VARIABLE as_of = DATE '2026-11-20';
-- Rows AroFlo deleted (_ab_cdc_deleted_at set) are left out. DuckDB SQL on the table-per-stream
-- layout of Airbyte destinations and PyAirbyte's cache; values are cast so that a destination
-- storing numbers or dates as text gives the same answer.
WITH params AS (
    SELECT coalesce(CAST(getvariable('as_of') AS DATE), current_date) AS as_of
),
paid AS (
    SELECT invoice_id, sum(CAST(amount AS DECIMAL(18, 2))) AS paid
    FROM payments
    WHERE _ab_cdc_deleted_at IS NULL AND invoice_id IS NOT NULL
    GROUP BY invoice_id
),
owing AS (
    SELECT i.client_orgid                                                        AS clientid,
           i.client_orgname                                                      AS client,
           i.invoiceid,
           CAST(i.totalinc AS DECIMAL(18, 2)) - coalesce(p.paid, 0)             AS outstanding,
           date_diff('day', CAST(coalesce(i.duedate, i.dateinvoiced) AS DATE), params.as_of) AS days_past_due
    FROM invoices AS i
    LEFT JOIN paid AS p ON p.invoice_id = i.invoiceid
    CROSS JOIN params
    WHERE i._ab_cdc_deleted_at IS NULL
      AND lower(coalesce(i.status, '')) NOT LIKE 'pending%'
)
SELECT clientid,
       client,
       coalesce(sum(outstanding) FILTER (WHERE days_past_due <= 0), 0)              AS "current",
       coalesce(sum(outstanding) FILTER (WHERE days_past_due BETWEEN 1 AND 30), 0)  AS "1_30",
       coalesce(sum(outstanding) FILTER (WHERE days_past_due BETWEEN 31 AND 60), 0) AS "31_60",
       coalesce(sum(outstanding) FILTER (WHERE days_past_due BETWEEN 61 AND 90), 0) AS "61_90",
       coalesce(sum(outstanding) FILTER (WHERE days_past_due > 90), 0)              AS "90_plus",
       sum(outstanding)                                                             AS total_owed,
       count(*)                                                                     AS invoices,
       greatest(max(days_past_due), 0)                                              AS oldest_days_past_due
FROM owing
WHERE outstanding > 0.005
GROUP BY clientid, client
ORDER BY total_owed DESC, client;
