-- One row per lead and per deal: its channel now (old) and under the rules with the new one (new).
-- Reads temp views vocab_leads/vocab_deals (the tables plus ch_channel, the raw channel column where
-- the warehouse keeps it, and `inherits`: the build gives own-less deals their lead's channel) and temp
-- tables chan_before/chan_after (channel_map.sql over the current and the changed rules). A row whose
-- channel is not what the current rules give from its own fields got it elsewhere (a channel column
-- the warehouse does not keep): a rule change does not move it.
create or replace temp view vocab_units as
with lead_units as (
    select l.source_system, l.lead_id, l.status, l.channel as old,
           case when l.channel = b.channel then a.channel else l.channel end as new
    from vocab_leads l
    left join chan_before b
      on b.ch_channel is not distinct from l.ch_channel and b.ch_utm_source is not distinct from l.utm_source
     and b.ch_utm_medium is not distinct from l.utm_medium and b.ch_source is not distinct from l.source
    left join chan_after a
      on a.ch_channel is not distinct from l.ch_channel and a.ch_utm_source is not distinct from l.utm_source
     and a.ch_utm_medium is not distinct from l.utm_medium and a.ch_source is not distinct from l.source
),

deal_units as (
    select d.source_system, d.deal_id, d.lead_id, d.status, d.amount_base, d.channel as old,
           case when d.channel = b.channel then a.channel else d.channel end as own_new,
           -- as steps/deals_from_leads.sql has it: no source of its own, so its lead's channel
           d.inherits and d.lead_id is not null and d.source is null and d.utm_source is null
               and d.utm_medium is null and d.utm_campaign_raw is null
               and (d.channel_from_lead or d.channel = 'unknown') as from_lead
    from vocab_deals d
    left join chan_before b
      on b.ch_channel is not distinct from d.ch_channel and b.ch_utm_source is not distinct from d.utm_source
     and b.ch_utm_medium is not distinct from d.utm_medium and b.ch_source is not distinct from d.source
    left join chan_after a
      on a.ch_channel is not distinct from d.ch_channel and a.ch_utm_source is not distinct from d.utm_source
     and a.ch_utm_medium is not distinct from d.utm_medium and a.ch_source is not distinct from d.source
),

-- one lead per deal, never more: its own source system's, else the first other by name
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
select 'deal', d.old, case when d.from_lead then coalesce(dl.lead_new, 'unknown') else d.own_new end,
       d.status, d.status, d.amount_base
from deal_units d
left join deal_lead dl on dl.source_system = d.source_system and dl.deal_id = d.deal_id;
