-- One row per distinct region text of the batch (temp view good) -> canonical region; unknown
-- text maps to itself. Run before merges of entities with a region: regex work per value, not per row.
-- One row per raw text by construction (group by raw), so a merge's left join never adds a row,
-- whatever cfg_region_alias holds.
create or replace temp table lk_region as
select d.raw, coalesce(min(a.region), d.raw) as region
from (select distinct region as raw from good where region is not null) d
left join cfg_region_alias a on a.key = region_key(d.raw)
group by d.raw;
