-- One row per (source_system, deal_id). Params: $load_id, $source_system, $currency.
-- The batch (temp view good) replaces earlier exports of the same deals: the latest export wins,
-- and inside one file the last line of a deal wins.
create or replace temp table batch_out as
with src as (
    select * from good
    qualify row_number() over (partition by deal_id order by rn desc) = 1
),

final as (
    select
        s.deal_id, $source_system as source_system, s.title, s.created_at, s.closed_at,
        coalesce(by_status.status, by_stage.status, 'open') as status,
        coalesce(s.stage, s.status) as stage,
        round(s.amount, 2)::decimal(18,2) as amount,
        coalesce(cur.currency, $currency) as currency,
        coalesce(ra.region, s.region) as region, s.region as region_raw,
        s.product, s.manager, cm.channel, s.source,
        lower(p_text(s.utm_source)) as utm_source, lower(p_text(s.utm_medium)) as utm_medium,
        campaign_key(s.utm_campaign) as utm_campaign, s.utm_campaign as utm_campaign_raw,
        s.lead_id, s.lost_reason, $load_id as load_id
    from src s
    left join cfg_region_alias ra on ra.key = region_key(s.region)
    left join cfg_stages by_status on by_status.key = norm_key(s.status)
    left join cfg_stages by_stage on by_stage.key = norm_key(s.stage)
    left join cfg_currencies cur on cur.key = norm_key(s.currency)
    left join chan_map cm
      on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
     and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is not distinct from s.source
)

select * from final;

delete from deals where source_system = $source_system and deal_id in (select deal_id from batch_out);

insert into deals by name select * from batch_out;
