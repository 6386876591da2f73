-- One row per loaded file, newest first: what it was, how many rows went where. Params: none.
select load_id, file_name, format, entity, loaded_at, rows_read, rows_loaded, rows_rejected,
       rows_duplicate, rows_skipped, coalesce(cells_warned, 0) as cells_warned, encoding, notes, note_keys
from loads
order by load_id desc
