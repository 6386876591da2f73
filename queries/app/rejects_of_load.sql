-- The first $rows rejected rows of one load (null: all, for the export): line number in the file, reason,
-- the line as it was. Params: $load_id, $rows; a null load_id means the newest load with rejected rows
-- (else the newest load), the one the Data page's picker opens on, so the page reads it with its other
-- queries.
select row_number, reason, raw
from rejects
where load_id = coalesce($load_id::bigint,
                         (select load_id from loads order by rows_rejected > 0 desc, load_id desc limit 1))
order by row_number
limit $rows
