-- One row per lead and per deal: its region now (old) and with the new alias (new). Reads temp table
-- vocab_args(key: the alias as region_key() reads it, target: a canonical region). Only text that is
-- no canonical region yet moves, as the build's alias lookup would move it; a deal that took its
-- region from its lead (no region of its own) follows that lead.
create or replace temp view vocab_units as
with known as (
    select region from cfg_regions
),

lead_units as (
    select l.source_system, l.lead_id, l.status, l.region as old,
           case when region_key(l.region_raw) = a.key and l.region not in (select region from known)
                then a.target else l.region end as new
    from vocab_leads l
    cross join vocab_args a
),

deal_units as (
    select d.source_system, d.deal_id, d.lead_id, d.status, d.amount_base, d.region as old,
           case when region_key(d.region_raw) = a.key and d.region not in (select region from known)
                then a.target else d.region end as own_new,
           d.inherits and d.region_raw is null and d.region is not null as from_lead
    from vocab_deals d
    cross join vocab_args a
),

deal_lead as (
    select d.source_system, d.deal_id, l.new as lead_new
    from deal_units d
    join lead_units l on l.lead_id = d.lead_id
    where d.from_lead
    qualify row_number() over (partition by d.source_system, d.deal_id
                               order by (l.source_system = d.source_system) desc, l.source_system) = 1
)

select 'lead' as kind, old, new, status as status_old, status as status_new, null::decimal(18,2) as amount_base
from lead_units
union all
select 'deal', d.old, case when d.from_lead then dl.lead_new else d.own_new end, d.status, d.status, d.amount_base
from deal_units d
left join deal_lead dl on dl.source_system = d.source_system and dl.deal_id = d.deal_id;
