-- One row per distinct region text of the batch (temp view good) -> canonical region; unknown
-- text maps to itself. Run before merges of entities with a region: regex work per value, not per row.
create or replace temp table lk_region as
select d.raw, coalesce(a.region, d.raw) as region
from (select distinct region as raw from good where region is not null) d
left join cfg_region_alias a on a.key = region_key(d.raw);
