-- Deals with no source of their own take their lead's channel, campaign and region (deals.lead_id ->
-- leads.lead_id). Recomputed after the merges whenever deals or leads changed, so leads loaded before
-- or after the deals, and a lead reloaded later, are followed. Leads' campaign keys are whole by now
-- (campaign_keys.sql). Marks deals that took the channel channel_from_lead. Only rows whose values differ
-- are updated, so the updates' row counts say whether deals changed (etl.build.run_steps).

-- One lead per deal, never more: the lead of the deal's own source system, else the first other
-- source system by name (a lead id two systems share must not fan the deal out). A lead gives its
-- channel and campaign when its own channel is known, and its region to a deal the export gave none
-- (region_raw is null), whatever its channel: a lead without a source still says where the client is.
-- A deal that inherited at the last build counts as having no channel of its own (its source fields
-- stay empty: inheritance sets none of them).
create or replace temp table deal_lead as
with own_less as (
    select source_system, deal_id, lead_id from deals
    where lead_id is not null and (channel = 'unknown' or channel_from_lead) and source is null
      and utm_source is null and utm_medium is null and utm_campaign_raw is null
),

picked as (
    select d.source_system, d.deal_id, l.channel, l.utm_campaign, l.region
    from own_less d
    join leads l on l.lead_id = d.lead_id
    qualify row_number() over (partition by d.source_system, d.deal_id
                               order by (l.source_system = d.source_system) desc, l.source_system) = 1
)

select * from picked where channel <> 'unknown' or region is not null;

-- Undo what a lead no longer gives: the channel and campaign of deals whose lead has no known channel now,
-- the region of deals with none of their own whose lead gives none now (region_raw is null exactly when
-- the export gave no region, so a region beside it came from a lead).
update deals
set channel = 'unknown', utm_campaign = null, channel_from_lead = false
where channel_from_lead
  and not exists (select 1 from deal_lead p
                  where p.source_system = deals.source_system and p.deal_id = deals.deal_id
                    and p.channel <> 'unknown');

update deals
set region = null
where region_raw is null and region is not null
  and not exists (select 1 from deal_lead p
                  where p.source_system = deals.source_system and p.deal_id = deals.deal_id
                    and p.region is not null);

update deals
set channel = case when p.channel <> 'unknown' then p.channel else deals.channel end,
    utm_campaign = case when p.channel <> 'unknown' then p.utm_campaign else deals.utm_campaign end,
    channel_from_lead = p.channel <> 'unknown',
    region = case when deals.region_raw is null then p.region else deals.region end
from deal_lead p
where deals.source_system = p.source_system and deals.deal_id = p.deal_id
  and (deals.channel_from_lead is distinct from (p.channel <> 'unknown')
       or (p.channel <> 'unknown' and (deals.channel is distinct from p.channel
                                       or deals.utm_campaign is distinct from p.utm_campaign))
       or (deals.region_raw is null and deals.region is distinct from p.region));
