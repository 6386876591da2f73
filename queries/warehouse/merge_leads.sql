-- One row per (source_system, lead_id). Params: $load_id, $source_system. Latest export wins.
create or replace temp table batch_out as
with src as (
    select * from good
    qualify row_number() over (partition by lead_id order by rn desc) = 1
),

final as (
    select
        s.lead_id, $source_system as source_system, s.created_at,
        coalesce(ra.region, s.region) as region, s.region as region_raw, cm.channel, s.source,
        lower(p_text(s.utm_source)) as utm_source, lower(p_text(s.utm_medium)) as utm_medium,
        campaign_key(s.utm_campaign) as utm_campaign,
        -- a lead with a deal is converted whatever its status text says
        case when s.deal_id is not null then 'converted' else coalesce(ls.status, 'new') end as status,
        s.status as status_raw, s.first_contact_at, s.manager, s.deal_id, $load_id as load_id
    from src s
    left join cfg_region_alias ra on ra.key = region_key(s.region)
    left join cfg_lead_statuses ls on ls.key = norm_key(s.status)
    left join chan_map cm
      on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
     and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is not distinct from s.source
)

select * from final;

delete from leads where source_system = $source_system and lead_id in (select lead_id from batch_out);

insert into leads by name select * from batch_out;
