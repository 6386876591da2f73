-- Data-quality views the Data page and `etl status` read: what the exports did not say clearly.
create or replace table dq_unknown_regions as
select 'deals' as source, region as raw_text, count(*) as rows from deals
where region is not null and region not in (select region from cfg_regions) group by all
union all
select 'leads', region, count(*) from leads
where region is not null and region not in (select region from cfg_regions) group by all
union all
select 'ad_spend', region, count(*) from ad_spend
where region is not null and region not in (select region from cfg_regions) group by all
union all
select 'sales', region, count(*) from sales
where region is not null and region not in (select region from cfg_regions) group by all;

create or replace table dq_unknown_stages as
select stage, count(*) as deals from deals
where stage is not null and norm_key(stage) not in (select key from cfg_stages) group by all;

create or replace table dq_unknown_channels as
select 'deals' as source, source as raw_source, utm_source, utm_medium, count(*) as rows
from deals where channel = 'unknown' group by all;
