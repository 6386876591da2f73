-- One row per lead and per deal: its channel now (old) and under the rules with the new one (new).
-- Reads temp views vocab_leads/vocab_deals (the tables plus ch_channel, the raw channel column where
-- the warehouse keeps it) and temp tables chan_before/chan_after (channel_map.sql over the current
-- and the changed rules). A row whose channel is not what the current rules give from its own fields
-- got it elsewhere (a channel column the warehouse does not keep): a rule change does not move it.
create or replace temp view vocab_units as
select 'lead' as kind, l.channel as old,
       case when l.channel = b.channel then a.channel else l.channel end as new,
       l.status as status_old, l.status as status_new, null::decimal(18,2) as amount_base
from vocab_leads l
left join chan_before b
  on b.ch_channel is not distinct from l.ch_channel and b.ch_utm_source is not distinct from l.utm_source
 and b.ch_utm_medium is not distinct from l.utm_medium and b.ch_source is not distinct from l.source
left join chan_after a
  on a.ch_channel is not distinct from l.ch_channel and a.ch_utm_source is not distinct from l.utm_source
 and a.ch_utm_medium is not distinct from l.utm_medium and a.ch_source is not distinct from l.source
union all
select 'deal', d.channel,
       case when d.channel = b.channel then a.channel else d.channel end,
       d.status, d.status, d.amount_base
from vocab_deals d
left join chan_before b
  on b.ch_channel is not distinct from d.ch_channel and b.ch_utm_source is not distinct from d.utm_source
 and b.ch_utm_medium is not distinct from d.utm_medium and b.ch_source is not distinct from d.source
left join chan_after a
  on a.ch_channel is not distinct from d.ch_channel and a.ch_utm_source is not distinct from d.utm_source
 and a.ch_utm_medium is not distinct from d.utm_medium and a.ch_source is not distinct from d.source;
