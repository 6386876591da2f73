-- One row per campaign: days with spend, impressions, clicks, cost; platform and channel from campaigns.csv.
select campaign, platform, channel, count(*) as days, sum(impressions) as impressions,
       sum(clicks) as clicks, sum(cost) as cost, any_value(currency) as currency
from ad_spend group by all order by campaign
