-- Spend rows as the marts count them, one per ad_spend row: the campaign's product and the cost in the
-- base currency at data/fx_rates.csv, converted here once for mart_spend_day and mart_campaign_day.
create or replace temp table spend_facts as
select s.date as day, coalesce(s.region, '(none)') as region, s.channel, s.campaign,
       coalesce(c.product, '(none)') as product, s.currency, s.cost,
       s.cost * case when s.currency = a.base_currency then 1 else fx.rate end as cost_base,
       s.clicks, s.impressions
from ad_spend s
cross join cfg_agreement a
left join (select campaign, platform, any_value(product) as product from campaigns group by all) c
  on c.campaign = s.campaign and c.platform = s.platform
asof left join cfg_fx fx on fx.currency = s.currency and s.date >= fx.valid_from;

-- Spend by day x region x channel x product (the campaign's product), in its currency and in base.
create or replace table mart_spend_day as
select day, region, channel, product, currency, sum(cost)::decimal(18,2) as cost,
       sum(cost_base)::decimal(18,2) as cost_base,
       sum(clicks)::bigint as clicks, sum(impressions)::bigint as impressions
from spend_facts
group by all
order by day;
