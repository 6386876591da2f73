-- Data-quality tables the Data page and `etl status` read: what the exports did not say clearly.
-- Every looked-up value no explicit rule in data/ matched, with what rides on it (nothing hidden in a
-- catch-all). One row per dimension x source table x raw field x raw value; the Data page's
-- vocabulary step, `python -m etl vocab`, the overview and the deck read it.
-- channel: a row whose channel stayed 'unknown' although it had an input, listed under the first of
--   utm_source, source, utm_medium it has (the field a new rule should match; rows with no input at
--   all are "no source", counted in mart_dq, not a value to map);
-- region: text data/regions.csv does not know; stage: a deal's stage text data/stages.csv does not
--   know, on deals whose status it left open, and (field 'status') a deal's own status text it does not
--   know (Pipedrive's `Deal - Status`: the build then took the status from the stage, or left it open;
--   one stages.csv line maps either text, the build looks both up there); lead_status: leads' status text data/lead_statuses.csv
--   does not know; currency: rows rejected for a currency data/currencies.csv does not know.
create or replace table dq_unrecognised as
-- deals' amounts in the base currency are needed only for the rows listed here, and the total only
-- per currency and day: the fx lookup never runs per deal of the whole table
with unknown_stage as (
    select stage from (select distinct stage from deals where status = 'open' and stage is not null)
    where norm_key(stage) not in (select key from cfg_stages)
),

unknown_deal_status as (
    select status_raw from (select distinct status_raw from deals where status_raw is not null)
    where norm_key(status_raw) not in (select key from cfg_stages)
),

deal_money as (
    select d.*, d.amount * case when d.currency = a.base_currency then 1 else fx.rate end as amount_base
    from (select * from deals
          where channel = 'unknown'
             or (region is not null and region not in (select region from cfg_regions))
             or (status = 'open' and stage in (select stage from unknown_stage))
             or status_raw in (select status_raw from unknown_deal_status)) d
    cross join cfg_agreement a
    asof left join cfg_fx fx on fx.currency = d.currency and coalesce(d.closed_at, d.created_at)::date >= fx.valid_from
),

unknown_lead_status as (
    select status_raw from (select distinct status_raw from leads where status_raw is not null)
    where norm_key(status_raw) not in (select key from cfg_lead_statuses)
),

leads_listed as (
    select * from leads
    where (channel = 'unknown' and coalesce(utm_source, source, utm_medium) is not null)
       or (region is not null and region not in (select region from cfg_regions))
       or status_raw in (select status_raw from unknown_lead_status)
),

-- leads with a value to list, and whether each has a deal: its own deal_id, or a deal naming it
-- (deals.lead_id, as a CRM's closed-deals list links them); the semi-join reads only these leads
odd_leads as (
    select l.*, (l.deal_id is not null or l.lead_id in (
                     select lead_id from deals where lead_id in (select lead_id from leads_listed)))::int as is_deal
    from leads_listed l
),

won_by_day as (
    select currency, coalesce(closed_at, created_at)::date as day, sum(amount) as amount
    from deals where status = 'won' and amount is not null
    group by all
),

won_total as (
    select sum(w.amount * case when w.currency = a.base_currency then 1 else fx.rate end) as won_revenue
    from won_by_day w
    cross join cfg_agreement a
    asof left join cfg_fx fx on fx.currency = w.currency and w.day >= fx.valid_from
),

channel_input as (
    select 'deals' as source,
           case when utm_source is not null then 'utm_source' when source is not null then 'source'
                else 'utm_medium' end as field,
           coalesce(utm_source, source, utm_medium) as raw_value,
           1 as is_deal, status, amount_base
    from deal_money where channel = 'unknown' and coalesce(utm_source, source, utm_medium) is not null
    union all
    select 'leads',
           case when utm_source is not null then 'utm_source' when source is not null then 'source'
                else 'utm_medium' end,
           coalesce(utm_source, source, utm_medium), is_deal, null, null
    from odd_leads where channel = 'unknown' and coalesce(utm_source, source, utm_medium) is not null
    union all
    select 'touchpoints', case when utm_source is not null then 'utm_source' else 'utm_medium' end,
           coalesce(utm_source, utm_medium), null, null, null
    from touchpoints where channel = 'unknown' and coalesce(utm_source, utm_medium) is not null
),

region_input as (
    select 'deals' as source, region as raw_value, 1 as is_deal, status, amount_base
    from deal_money where region is not null and region not in (select region from cfg_regions)
    union all
    select 'leads', region, is_deal, null, null
    from odd_leads where region is not null and region not in (select region from cfg_regions)
    union all
    select 'ad_spend', region, null, null, null
    from ad_spend where region is not null and region not in (select region from cfg_regions)
    union all
    select 'sales', region, null, null, null
    from sales where region is not null and region not in (select region from cfg_regions)
),

-- a deal with no stage column keeps its status text as its stage too: that text is listed once, as the status
stage_input as (
    select 'deals' as source, stage as raw_value, 1 as is_deal, status, amount_base
    from deal_money
    where status = 'open' and stage in (select stage from unknown_stage) and stage is distinct from status_raw
),

deal_status_input as (
    select 'deals' as source, status_raw as raw_value, 1 as is_deal, status, amount_base
    from deal_money
    where status_raw in (select status_raw from unknown_deal_status)
),

status_input as (
    select 'leads' as source, status_raw as raw_value, is_deal,
           null as status, null as amount_base
    from odd_leads
    where status_raw in (select status_raw from unknown_lead_status)
),

currency_input as (
    -- validate_currency.sql words the reason "unknown currency 'X' (...)"; the rows are in rejects
    select 'rejects' as source, regexp_extract(reason, 'unknown currency ''([^'']*)''', 1) as raw_value,
           null::int as is_deal, null as status, null as amount_base
    from rejects where reason like '%unknown currency ''%'
),

inputs as (
    select 'channel' as dimension, source, field, raw_value, is_deal, status, amount_base from channel_input
    union all select 'region', source, 'region', raw_value, is_deal, status, amount_base from region_input
    union all select 'stage', source, 'stage', raw_value, is_deal, status, amount_base from stage_input
    union all select 'stage', source, 'status', raw_value, is_deal, status, amount_base from deal_status_input
    union all select 'lead_status', source, 'status', raw_value, is_deal, status, amount_base from status_input
    union all select 'currency', source, 'currency', raw_value, is_deal, status, amount_base from currency_input
),

grouped as (
    select dimension, source, field, raw_value, count(*) as rows, sum(is_deal)::bigint as deals,
           case when source = 'deals' then count(*) filter (where status = 'won') end as won_deals,
           case when source = 'deals' then coalesce(sum(amount_base) filter (where status = 'won'), 0) end
               ::decimal(18,2) as won_revenue,
           case when source = 'deals' then coalesce(sum(amount_base), 0) end::decimal(18,2) as amount
    from inputs
    group by dimension, source, field, raw_value
),

-- shares: of the source table's rows (rejects: of all rows read), and of all won revenue
totals as (
    select 'deals' as source, count(*) as rows, (select won_revenue from won_total) as won_revenue from deals
    union all select 'leads', count(*), null from leads
    union all select 'touchpoints', count(*), null from touchpoints
    union all select 'ad_spend', count(*), null from ad_spend
    union all select 'sales', count(*), null from sales
    union all select 'rejects', (select coalesce(sum(rows_read), 0) from loads), null
),

final as (
    select g.*, g.rows / nullif(t.rows, 0) as share, g.won_revenue / nullif(t.won_revenue, 0) as revenue_share
    from grouped g join totals t using (source)
)

select * from final
order by won_revenue desc nulls last, rows desc, dimension, source, raw_value;

-- The older per-dimension lists, now cuts of dq_unrecognised (one definition of "unknown").
create or replace table dq_unknown_regions as
select source, raw_value as raw_text, rows from dq_unrecognised where dimension = 'region';

-- stage and status texts alike: one data/stages.csv line maps either
create or replace table dq_unknown_stages as
select raw_value as stage, sum(rows) as deals from dq_unrecognised where dimension = 'stage' group by raw_value;

create or replace table dq_unknown_channels as
select source, field, raw_value, rows, won_deals, won_revenue from dq_unrecognised where dimension = 'channel';
