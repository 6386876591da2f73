-- Spend by day x region x channel x product (the campaign's product), in its currency and in base.
create or replace table mart_spend_day as
select s.date as day, coalesce(s.region, '(none)') as region, s.channel, coalesce(c.product, '(none)') as product,
       s.currency, sum(s.cost)::decimal(18,2) as cost,
       sum(s.cost * case when s.currency = a.base_currency then 1 else fx.rate end)::decimal(18,2) as cost_base,
       sum(s.clicks)::bigint as clicks, sum(s.impressions)::bigint as impressions
from ad_spend s
cross join cfg_agreement a
left join (select campaign, platform, any_value(product) as product from campaigns group by all) c
  on c.campaign = s.campaign and c.platform = s.platform
asof left join cfg_fx fx on fx.currency = s.currency and s.date >= fx.valid_from
group by all
order by day;
