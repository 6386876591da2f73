-- One row per campaign x platform. Params: $load_id, $platform. Latest export wins.
create or replace temp table batch_out as
with src as (
    select * from good
    qualify row_number() over (partition by campaign_key(campaign), coalesce(p_text(platform), $platform)
                               order by rn desc) = 1
)

select
    campaign_key(s.campaign) as campaign, s.campaign_id as campaign_id,
    coalesce(s.platform, $platform) as platform, cm.channel,
    coalesce(ra.region, s.region) as region, s.product as product,
    s.start_date::date as start_date, s.end_date::date as end_date, $load_id as load_id
from src s
left join cfg_region_alias ra on ra.key = region_key(s.region)
left join chan_map cm
  on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is null
 and cm.ch_utm_medium is null and cm.ch_source is not distinct from s.platform;

delete from campaigns c using batch_out b where c.campaign = b.campaign and c.platform = b.platform;

insert into campaigns by name select * from batch_out;

-- Spend loaded before its campaign's row (ad_spend.tsv sorts before campaigns.csv) took no platform
-- or channel from it; fill them in now, unless the filled key would collide with a row already there.
update ad_spend a
set platform = case when a.platform = 'unknown' then c.platform else a.platform end,
    channel = case when a.channel = 'unknown' then c.channel else a.channel end
from (select campaign, any_value(platform) as platform, any_value(channel) as channel
      from campaigns group by campaign having count(*) = 1) c
where a.campaign = c.campaign and (a.platform = 'unknown' or a.channel = 'unknown')
  and not exists (select 1 from ad_spend x
                  where x.date = a.date and x.campaign = a.campaign and x.platform = c.platform
                    and x.region is not distinct from a.region and a.platform = 'unknown');

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - lines superseded by a later
-- line of their campaign x platform (counted before the lookups, so a lookup that matched a line
-- twice breaks the equation).
create or replace temp table merge_rows as
select (select count(*) from good)
     - (select count(*) from (select distinct campaign_key(campaign), coalesce(p_text(platform), $platform)
                              from good)) as rows_merged, 0 as rows_spread;
