-- Campaign keys made whole after the merges: platform IDs in utm fields become the campaign's name.
-- Runs over distinct campaign values, then updates by equality join; an update touches only rows
-- still holding an ID, so its row count says whether the table changed (etl.build.run_steps).
-- campaign_fill.sql has run before: the campaigns it adds carry pairs ad_spend already has.

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
