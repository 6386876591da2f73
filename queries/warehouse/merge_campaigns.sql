-- One row per campaign x platform. Params: $load_id, $platform. Latest export wins.
create or replace temp table batch_out as
with src as (
    select * from good
    qualify row_number() over (partition by campaign_key(campaign), coalesce(p_text(platform), $platform)
                               order by rn desc) = 1
)

select
    campaign_key(s.campaign) as campaign, p_text(s.campaign_id) as campaign_id,
    coalesce(p_text(s.platform), $platform) as platform, cm.channel,
    coalesce(ra.region, p_text(s.region)) as region, p_text(s.product) as product,
    s.start_date::date as start_date, s.end_date::date as end_date, $load_id as load_id
from src s
left join cfg_region_alias ra on ra.key = region_key(s.region)
left join chan_map cm
  on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is null
 and cm.ch_utm_medium is null and cm.ch_source is not distinct from s.platform;

delete from campaigns c using batch_out b where c.campaign = b.campaign and c.platform = b.platform;

insert into campaigns by name select * from batch_out;
