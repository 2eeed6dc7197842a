-- Current invoice lines: the lines of each invoice as it is now.
--
-- A view of invoices_lines keeping only the lines of each invoice's newest version. Every line
-- row carries its invoice's id (invoiceid) and the invoice's cursor value (updated_at): the
-- version of the invoice it was read with. When a line is taken off an invoice, the next sync
-- sends the invoice's new version with its remaining lines only; an incremental append + dedup
-- destination keys lines on (invoiceid, lineid), so the removed line would stay in
-- invoices_lines with the old version. Joining lines to their invoice on id AND version drops
-- it (and the lines of an invoice deleted in AroFlo). Use this view, not invoices_lines, to add
-- up lines; the same join works for quotes_lines, purchaseorders_lines, bills_lines and
-- workorders_lines (on their parent's id and cursor column).
--
-- Streams: invoices, invoices_lines. A version is null when AroFlo's record had no update time,
-- hence IS NOT DISTINCT FROM. DuckDB SQL on the table-per-stream layout of Airbyte destinations
-- and PyAirbyte's cache.
CREATE OR REPLACE VIEW current_invoice_lines AS
SELECT l.*
FROM invoices_lines AS l
JOIN invoices AS i
  ON i.invoiceid = l.invoiceid
 AND i.updated_at IS NOT DISTINCT FROM l.updated_at
WHERE i._ab_cdc_deleted_at IS NULL;
