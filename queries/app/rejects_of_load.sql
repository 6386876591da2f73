-- Up to 10,000 rejected rows of one load: line number in the file, reason, the line as it was.
-- Params: $load_id.
select row_number, reason, raw from rejects where load_id = $load_id order by row_number limit 10000
