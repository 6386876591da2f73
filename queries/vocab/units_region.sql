-- One row per lead and per deal: its region now (old) and with the new alias (new). Reads temp table
-- vocab_args(key: the alias as region_key() reads it, target: a canonical region). Only text that is
-- no canonical region yet moves, as the build's alias lookup would move it.
create or replace temp view vocab_units as
with known as (
    select region from cfg_regions
)

select 'lead' as kind, l.region as old,
       case when region_key(l.region_raw) = a.key and l.region not in (select region from known)
            then a.target else l.region end as new,
       l.status as status_old, l.status as status_new, null::decimal(18,2) as amount_base
from vocab_leads l
cross join vocab_args a
union all
select 'deal', d.region,
       case when region_key(d.region_raw) = a.key and d.region not in (select region from known)
            then a.target else d.region end,
       d.status, d.status, d.amount_base
from vocab_deals d
cross join vocab_args a;
