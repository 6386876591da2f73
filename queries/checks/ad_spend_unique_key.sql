-- One row per date x platform x campaign x region.
select date, platform, campaign, region, count(*) as n from ad_spend group by all having count(*) > 1
