-- One row per (lead, deal, time, channel, campaign) touch. Params: $load_id.
create or replace temp table batch_out as
select distinct
    s.touch_at, s.lead_id, s.deal_id, cm.channel, campaign_key(s.campaign) as campaign,
    lower(s.utm_source) as utm_source, lower(s.utm_medium) as utm_medium,
    $load_id as load_id
from good s
left join chan_map cm
  on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
 and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is null;

delete from touchpoints t using batch_out b
where t.touch_at = b.touch_at and t.lead_id is not distinct from b.lead_id
  and t.deal_id is not distinct from b.deal_id and t.channel = b.channel
  and t.campaign is not distinct from b.campaign;

insert into touchpoints by name select * from batch_out;
