-- Campaigns made whole after the merges: campaigns take region/channel/product from the ad exports,
-- else from data/campaign_rules.csv, and spend rows without a region or channel take the campaign's.
-- Runs when spend, campaigns or that config changed (etl/steps.py); campaign_keys.sql runs after it.

-- Campaigns seen only in spend get a row of their own (load_id null: rebuilt whenever spend or campaigns change, and
-- replaced by the campaigns export's row when one arrives): platform, channel, single region, flight dates.
delete from campaigns where load_id is null;
insert into campaigns by name
select a.campaign, any_value(a.campaign_id) as campaign_id, a.platform, any_value(a.channel) as channel,
       case when count(distinct a.region) = 1 and count(a.region) = count(*) then any_value(a.region) end as region,
       min(a.date) as start_date, max(a.date) as end_date, null as load_id
from ad_spend a anti join campaigns c on c.campaign = a.campaign and c.platform = a.platform
group by a.campaign, a.platform;

-- Per campaign: what the exports said, then the first region-alias token, then the rules by priority.
create or replace temp table campaign_rule_fill as
with keys as (
    select distinct campaign from campaigns
    union select distinct campaign from ad_spend
),
by_prefix as (
    select k.campaign, a.region
    from keys k
    join cfg_region_alias a on a.key = region_key(regexp_extract(k.campaign, '^([^_\-. ]+)', 1))
),
by_rule as (
    select k.campaign,
           arg_min(r.region, r.priority) filter (where r.region is not null) as region,
           arg_min(r.channel, r.priority) filter (where r.channel is not null) as channel,
           arg_min(r.product, r.priority) filter (where r.product is not null) as product
    from keys k join cfg_campaign_rules r on regexp_matches(k.campaign, r.pattern)
    group by k.campaign
)
select k.campaign, coalesce(p.region, r.region) as region, r.channel, r.product
from keys k
left join by_prefix p using (campaign)
left join by_rule r using (campaign);

update campaigns set region = f.region from campaign_rule_fill f
where campaigns.campaign = f.campaign and campaigns.region is null and f.region is not null;
update campaigns set channel = f.channel from campaign_rule_fill f
where campaigns.campaign = f.campaign and campaigns.channel = 'unknown' and f.channel is not null;
update campaigns set product = f.product from campaign_rule_fill f
where campaigns.campaign = f.campaign and campaigns.product is null and f.product is not null;

-- Spend rows whose export named no region (region_raw null): the campaign's single region from the
-- campaigns export, else the rules. Derived again whenever campaigns change, not only where still
-- empty, so a later campaigns export moves them as a rebuild would (tests/test_incremental.py).
update ad_spend set region = coalesce(c.region, f.region)
from campaign_rule_fill f
left join (select campaign, any_value(region) as region from campaigns
           group by campaign having count(distinct region) = 1) c using (campaign)
where ad_spend.campaign = f.campaign and ad_spend.region_raw is null
  and ad_spend.region is distinct from coalesce(c.region, f.region);
update ad_spend set channel = f.channel from campaign_rule_fill f
where ad_spend.campaign = f.campaign and ad_spend.channel = 'unknown' and f.channel is not null;
