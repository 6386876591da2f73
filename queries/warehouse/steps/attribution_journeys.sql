-- Attribution journeys: each deal's touches in its window, or its fallback touch (analysis/attribution.py
-- defines journeys, fallbacks and every model; tests/test_attribution.py proves SQL and pandas agree).
-- Temp tables for the attribution_credit and attribution_paths steps (etl/steps.py). Parameters
-- come from cfg_attribution (data/agreements.toml).
create or replace temp table attr_params as
select
    max(case when key = 'first_weight' then value::double end) as first_w,
    max(case when key = 'last_weight' then value::double end) as last_w,
    max(case when key = 'middle_weight' then value::double end) as middle_w,
    max(case when key = 'time_decay_half_life_days' then value::double end) as half_life_days,
    max(case when key = 'lookback_days' then value::double end) as lookback_days,
    max(case when key = 'w_first_weight' then value::double end) as wf,
    max(case when key = 'w_lead_weight' then value::double end) as wl,
    max(case when key = 'w_deal_weight' then value::double end) as wd,
    max(case when key = 'w_other_weight' then value::double end) as wo,
    max(case when key = 'max_path_steps' then value::integer end) as max_path_steps
from cfg_attribution;

-- Leads come from another system than deals in some CRMs, so they join on lead_id alone.
create or replace temp table attr_deals as
with lead_created as (
    -- only the deals' leads: a CRM has several leads per deal it won, and grouping all of them cost most
    -- of the step (34M leads at the 10M demo)
    select lead_id, min(l.created_at) as lead_at
    from leads l semi join (select distinct lead_id from deals where lead_id is not null) k using (lead_id)
    group by lead_id
),
-- the rate in force per currency and day, looked up once per distinct pair (as deal_facts does)
fx_day as (
    select k.currency, k.day, fx.rate
    from (select distinct currency, coalesce(closed_at, created_at)::date as day from deals) k
    asof join cfg_fx fx on fx.currency = k.currency and k.day >= fx.valid_from
)
select
    d.source_system, d.deal_id, d.lead_id, d.created_at, d.closed_at, d.status, d.amount, d.currency,
    d.region, d.product, d.channel, d.utm_campaign, l.lead_at,
    d.created_at - to_microseconds((p.lookback_days * 86400000000)::bigint) as window_from,
    -- a won deal's money belongs to the month it was won; others to the month they were created
    date_trunc('month', case when d.status = 'won' then coalesce(d.closed_at, d.created_at)
                             else d.created_at end)::date as month,
    -- the day the pages date it by, as mart_deals_day does: a won deal by its close (none: in no
    -- period, as on the Overview), an open one by its creation
    case when d.status = 'won' then d.closed_at::date when d.status = 'open' then d.created_at::date end as day,
    -- in the agreed base currency at data/fx_rates.csv, as deal_facts (derived_40_marts.sql) converts
    -- it; null where a currency has no rate
    d.amount * case when d.currency = a.base_currency then 1 else fx.rate end as amount_base
from deals d
left join lead_created l on l.lead_id = d.lead_id
cross join attr_params p
cross join cfg_agreement a
left join fx_day fx on fx.currency = d.currency and fx.day = coalesce(d.closed_at, d.created_at)::date;

create or replace temp table attr_touches as
with
linked as (
    select d.source_system, d.deal_id, t.touch_at, t.channel, t.campaign
    from touchpoints t join attr_deals d on t.deal_id = d.deal_id
    where t.touch_at >= d.window_from and (d.closed_at is null or t.touch_at <= d.closed_at)
    union all
    -- touches a CRM recorded on the lead before there was a deal
    select d.source_system, d.deal_id, t.touch_at, t.channel, t.campaign
    from touchpoints t join attr_deals d on t.lead_id = d.lead_id
    where t.deal_id is null
        and t.touch_at >= d.window_from and (d.closed_at is null or t.touch_at <= d.closed_at)
),
fallback as (
    -- no touch in the window: the deal's own fields are its one touch; with neither, 'unattributed'
    select
        d.source_system, d.deal_id, d.created_at as touch_at,
        case when coalesce(trim(d.channel), '') in ('', 'unknown') and nullif(trim(d.utm_campaign), '') is null
             then 'unattributed' else coalesce(nullif(trim(d.channel), ''), 'unknown') end as channel,
        nullif(trim(d.utm_campaign), '') as campaign
    from attr_deals d
    anti join linked using (source_system, deal_id)
),
numbered as (
    select
        *,
        row_number() over ordered as k,
        count(*) over deal as n,
        max(touch_at) over deal as t_last,
        -- a new step of the channel path (attribution_paths.sql)
        channel is distinct from lag(channel) over ordered as new_step
    from linked
    window deal as (partition by source_system, deal_id),
           ordered as (deal order by touch_at, channel, campaign nulls first)
)
select * from numbered
union all
-- a fallback is its deal's only touch (the anti join above): the windows would read the row alone
select *, 1::bigint as k, 1::bigint as n, touch_at as t_last, channel is distinct from null as new_step
from fallback;
