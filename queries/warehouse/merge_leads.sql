-- One row per (source_system, lead_id). Params: $load_id, $source_system. Latest export wins.
-- Inside one file the last line of a lead_id wins; only repeated IDs pay for the window.
create or replace temp table superseded as
select rn from (
    select rn, row_number() over (partition by lead_id order by rn desc) as k from good
    where lead_id in (select lead_id from good group by lead_id having count(*) > 1)
) where k > 1;

-- one row per raw text by construction (group by raw), whatever cfg_lead_statuses holds
create or replace temp table lk_status as
select d.raw, min(c.status) as status
from (select distinct status as raw from good where status is not null) d
join cfg_lead_statuses c on c.key = norm_key(d.raw)
group by d.raw;

delete from leads where source_system = $source_system and lead_id in (select lead_id from good);

insert into leads by name
with src as (
    select * from good where rn not in (select rn from superseded)
),

final as (
    select
        s.lead_id, $source_system as source_system, s.created_at,
        coalesce(rg.region, s.region) as region, s.region as region_raw, coalesce(cm.channel, 'unknown') as channel, s.source,
        lower(s.utm_source) as utm_source, lower(s.utm_medium) as utm_medium,
        campaign_key(s.utm_campaign) as utm_campaign,
        -- a lead with a deal is converted whatever its status text says
        case when s.deal_id is not null then 'converted' else coalesce(ls.status, 'new') end as status,
        s.status as status_raw, s.first_contact_at, s.manager, s.deal_id, $load_id as load_id,
        $contact_known::boolean as contact_known
    from src s
    left join lk_region rg on rg.raw = s.region
    left join lk_status ls on ls.raw = s.status
    left join chan_map cm
      on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
     and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is not distinct from s.source
)

select * from final;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - lines superseded by a later
-- line of their lead. A lookup that matched a line twice breaks it.
create or replace temp table merge_rows as
select (select count(*) from superseded) as rows_merged, 0 as rows_spread;
