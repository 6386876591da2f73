-- The first $rows cells of one load read as empty (null: all, for the export): line number in the file,
-- column, the cell's text, why. Params: $load_id, $rows; a null load_id means the newest load with such
-- cells (else the newest load), the one the Data page's picker opens on.
select row_number, "column", raw, reason
from cell_warnings
where load_id = coalesce($load_id::bigint,
                         (select load_id from loads order by coalesce(cells_warned, 0) > 0 desc, load_id desc
                          limit 1))
order by row_number, "column"
limit $rows
