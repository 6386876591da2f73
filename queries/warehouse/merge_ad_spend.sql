-- One row per date x platform x campaign x region. Params: $load_id, $currency, $platform.
-- Rows of one key inside a file are summed (platforms split a day by device or ad group);
-- a later export of the same key replaces the earlier one. A file without platform or channel
-- columns takes them from the campaign's row in campaigns.
create or replace temp table batch_out as
with src as (
    select
        s.date::date as date, coalesce(s.platform, c.platform, $platform) as platform,
        coalesce(campaign_key(s.campaign), campaign_key(s.campaign_id)) as campaign,
        s.campaign_id as campaign_id,
        coalesce(ra.region, s.region) as region, s.region as region_raw,
        coalesce(nullif(cm.channel, 'unknown'), c.channel, 'unknown') as channel, s.impressions, s.clicks, s.cost, coalesce(cur.currency, $currency) as currency
    from good s
    left join lk_region ra on ra.raw = s.region
    left join (select campaign, any_value(platform) as platform, any_value(channel) as channel
               from campaigns group by campaign) c on c.campaign = campaign_key(s.campaign)
    left join lk_currency cur on cur.raw = s.currency
    left join chan_map cm
      on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is null
     and cm.ch_utm_medium is null and cm.ch_source is not distinct from s.platform
),

final as (
    select date, platform, campaign, any_value(campaign_id) as campaign_id, region,
           any_value(region_raw) as region_raw, any_value(channel) as channel,
           sum(impressions)::bigint as impressions, sum(clicks)::bigint as clicks,
           round(sum(cost), 2)::decimal(18,2) as cost, currency, $load_id as load_id
    from src
    group by date, platform, campaign, region, currency
)

select * from final;

delete from ad_spend a using batch_out b
where a.date = b.date and a.platform = b.platform and a.campaign = b.campaign
  and a.region is not distinct from b.region;

insert into ad_spend by name select * from batch_out;
