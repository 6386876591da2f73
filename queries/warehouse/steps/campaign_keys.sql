-- Campaign keys made whole at every build, after all merges: platform IDs in utm fields become the
-- campaign's name, and campaigns take region/channel/product from the ad exports, else from
-- data/campaign_rules.csv. Runs over distinct campaign values, then updates by equality join.

-- One ID -> one name, from every ad export that gave both; an ID two names claim stays as it is.
create or replace temp table campaign_ids as
with pairs as (
    select distinct lower(trim(campaign_id)) as campaign_id, campaign from ad_spend
    where campaign_id is not null and campaign <> lower(trim(campaign_id))
    union
    select distinct lower(trim(campaign_id)), campaign from campaigns
    where campaign_id is not null and campaign <> lower(trim(campaign_id))
)
select campaign_id, any_value(campaign) as campaign from pairs
group by campaign_id having count(distinct campaign) = 1;

-- utm values that are an ID ({campaign_id} macros), or a name with the ID glued on ("msk_brand|123456").
create or replace temp table utm_ids as
with utm as (
    select distinct utm_campaign as raw from deals where regexp_matches(utm_campaign, '[0-9]{5,}')
    union select distinct utm_campaign from leads where regexp_matches(utm_campaign, '[0-9]{5,}')
    union select distinct campaign from touchpoints where regexp_matches(campaign, '[0-9]{5,}')
    union select distinct utm_campaign from traffic where regexp_matches(utm_campaign, '[0-9]{5,}')
),
final as (
    select u.raw, coalesce(exact.campaign, embedded.campaign) as campaign
    from utm u
    left join campaign_ids exact on exact.campaign_id = u.raw
    left join campaign_ids embedded
      on embedded.campaign_id = regexp_extract(u.raw, '(^|[^0-9])([0-9]{5,})([^0-9]|$)', 2)
)
select * from final where campaign is not null and campaign <> raw;

update deals set utm_campaign = m.campaign from utm_ids m where deals.utm_campaign = m.raw;
update leads set utm_campaign = m.campaign from utm_ids m where leads.utm_campaign = m.raw;
update touchpoints set campaign = m.campaign from utm_ids m where touchpoints.campaign = m.raw;
update traffic set utm_campaign = m.campaign from utm_ids m where traffic.utm_campaign = m.raw;

-- Campaigns seen only in spend get a row of their own (load_id null: rebuilt at every build, and
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

-- Spend rows without a region: the campaign's single region from the campaigns export, else the rules.
update ad_spend set region = coalesce(c.region, f.region)
from campaign_rule_fill f
left join (select campaign, any_value(region) as region from campaigns
           group by campaign having count(distinct region) = 1) c using (campaign)
where ad_spend.campaign = f.campaign and ad_spend.region is null and coalesce(c.region, f.region) is not null;
update ad_spend set channel = f.channel from campaign_rule_fill f
where ad_spend.campaign = f.campaign and ad_spend.channel = 'unknown' and f.channel is not null;
