-- One row per date x platform x campaign x region. Params: $load_id, $currency, $platform,
-- $period_start, $period_end.
-- Rows of one key inside a file are summed (platforms split a day by device or ad group);
-- a later export of the same campaign's day replaces the earlier one (see the delete below). A file without platform or channel
-- columns takes them from the campaign's row in campaigns.
-- A row that covers several days (a report aggregated over a period: no date column, the period
-- from its title lines, file name or --period; or Meta's Reporting starts < Reporting ends) is
-- spread evenly over its days: cost in whole cents, impressions and clicks in whole units, each day
-- an equal share rounded down and the last day the remainder, so a row's days add up to it exactly.
create or replace temp table spend_spans as
select
    s.rn, s.platform, s.campaign, s.campaign_id, s.region, s.channel, s.currency,
    s.cost, round(s.cost * 100)::hugeint as cents,
    round(s.impressions)::bigint as impressions, round(s.clicks)::bigint as clicks,
    coalesce(s.date, $period_start::timestamp)::date as span_start,
    datediff('day', coalesce(s.date, $period_start::timestamp)::date,
             coalesce(s.end_date, s.date, $period_end::timestamp)::date) + 1 as n_days
from good s;

create or replace temp table spend_days as
with days as (
    select *, unnest(range(n_days)) as k from spend_spans
)

select
    rn, platform, campaign, campaign_id, region, channel, currency,
    span_start + k::integer as date,
    case when n_days = 1 then cost
         when k = n_days - 1 then (cents - cents // n_days * (n_days - 1)) / 100.0
         else (cents // n_days) / 100.0 end as cost,
    case when n_days = 1 or impressions is null then impressions
         when k = n_days - 1 then impressions - impressions // n_days * (n_days - 1)
         else impressions // n_days end as impressions,
    case when n_days = 1 or clicks is null then clicks
         when k = n_days - 1 then clicks - clicks // n_days * (n_days - 1)
         else clicks // n_days end as clicks
from days;

create or replace temp table batch_out as
with src as (
    select
        s.date, coalesce(s.platform, c.platform, $platform) as platform,
        coalesce(campaign_key(s.campaign), campaign_key(s.campaign_id)) as campaign,
        s.campaign_id as campaign_id,
        coalesce(ra.region, s.region) as region, s.region as region_raw,
        coalesce(nullif(cm.channel, 'unknown'), c.channel, 'unknown') as channel, s.impressions, s.clicks, s.cost, coalesce(cur.currency, $currency) as currency
    from spend_days s
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
           round(sum(cost), 2)::decimal(18,2) as cost, currency, $load_id as load_id,
           count(*) as src_rows
    from src
    group by date, platform, campaign, region, currency
)

select * from final;

-- A later export of a campaign's day replaces what earlier ones said of it: region by region where both
-- name regions, and all of that day where either does not (a total replaces the regional rows, regional
-- rows replace a total). region_raw is what the export said; a row without one has its region filled from
-- the campaign after the merges (campaign_fill.sql), so matching on that filled region found nothing to
-- replace and the day was doubled.
delete from ad_spend a using batch_out b
where a.date = b.date and a.platform = b.platform and a.campaign = b.campaign
  and (a.region_raw is null or b.region_raw is null or a.region is not distinct from b.region);

insert into ad_spend by name select * exclude (src_rows) from batch_out;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows + extra days of spread rows
-- - rows summed into another row of their key. src_rows counts rows after the lookups, so a lookup
-- that matched a row twice breaks the equation instead of doubling its spend.
-- A row whose span came out empty counts as one day here, so losing it breaks the equation too.
create or replace temp table merge_rows as
select (select coalesce(sum(src_rows), 0) - count(*) from batch_out) as rows_merged,
       (select coalesce(sum(greatest(n_days, 1) - 1), 0) from spend_spans) as rows_spread;
