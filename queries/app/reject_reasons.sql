-- One row per load x reason kind (the reason's text up to the first quote after a space, where the file's
-- value starts; "the row's period" keeps its apostrophe): how many rows. Params: none.
select r.load_id, l.file_name, regexp_replace(r.reason, '\s+[''"].*$', '') as reason, count(*) as rows
from rejects r join loads l using (load_id)
group by all
order by rows desc
limit 200
