-- Rule-based attribution (first, last, linear, time_decay, position_based, w_shaped) into small
-- aggregates whose size is bounded by their dimensions, not by the number of deals:
-- - attribution_credit: model x month x region x channel x campaign x product x currency x status
--   ('won' at the month won, 'open' at the month created), money in the deal's currency; the table
--   tests prove equal to analysis/attribution.py and the data checks hold to the deals;
-- - what the pages read, in the base currency and by day, so a period that cuts months credits
--   exactly its own deals (the won revenue the Overview counts): attribution_campaign_day and
--   attribution_channel_day, the same by month (attribution_*_month), and the macros
--   attribution_channel_rows / attribution_campaign_rows that read whole months by month and the
--   other days by day, as region_rows does.
-- Reads attribution_journeys' temp tables.
create or replace temp table attr_weighted as
with
milestones as (
    select
        t.*, d.status, d.month, d.day, d.region, d.product, d.currency, coalesce(d.amount, 0)::double as amount,
        d.amount_base::double as amount_base,
        max(case when t.touch_at <= d.lead_at then t.k end) over deal as k_lead,
        max(case when t.touch_at <= d.created_at then t.k end) over deal as k_deal,
        coalesce(bool_or(c.owner = 'marketing' and t.k = 1) over deal, false) as sourced,
        coalesce(bool_or(c.owner = 'marketing') over deal, false) as influenced
    from attr_touches t
    join attr_deals d using (source_system, deal_id)
    left join cfg_channels c on c.channel = t.channel
    -- lost deals carry no money to credit; their journeys live on in attribution_paths
    where d.status in ('won', 'open')
    window deal as (partition by t.source_system, t.deal_id)
),
flags as (
    select
        *,
        coalesce(k = k_lead, false) as is_lead,
        coalesce(k = k_deal, false) as is_deal,
        not (k = 1 or coalesce(k = k_lead, false) or coalesce(k = k_deal, false)) as is_other
    from milestones
),
raw as (
    select
        f.*,
        pow(0.5, epoch(t_last - touch_at) / 86400.0 / p.half_life_days) as td_raw,
        p.first_w * (k = 1)::int + p.last_w * (k = n)::int
            + case when k > 1 and k < n then p.middle_w / (n - 2) else 0 end as pb_raw,
        p.wf * (k = 1)::int + p.wl * is_lead::int + p.wd * is_deal::int
            + case when is_other then p.wo / sum(is_other::int) over (partition by source_system, deal_id)
                   else 0 end as w_raw
    from flags f
    cross join attr_params p
)
select
    month, day, region, channel, campaign, product, currency, status, sourced, influenced, amount, amount_base,
    (k = 1)::int::double as first_touch,
    (k = n)::int::double as last_touch,
    1.0 / n as linear,
    td_raw / sum(td_raw) over deal as time_decay,
    pb_raw / sum(pb_raw) over deal as position_based,
    w_raw / sum(w_raw) over deal as w_shaped
from raw
window deal as (partition by source_system, deal_id);

-- Aggregated before unpivoting (six models x touch rows would be six times the fact table), at the
-- finest grain anything below reads: day and month, money in the deal's currency and in base (0 where
-- a currency has no rate, as the marts' sums leave it out; unpivot drops a row holding a null).
create or replace temp table attr_long as
with
wide as (
    select
        month, day, region, channel, campaign, product, currency, status, sourced, influenced,
        sum(first_touch) as first_touch_deals, sum(first_touch * amount) as first_touch_amount,
        coalesce(sum(first_touch * amount_base), 0) as first_touch_base,
        sum(last_touch) as last_touch_deals, sum(last_touch * amount) as last_touch_amount,
        coalesce(sum(last_touch * amount_base), 0) as last_touch_base,
        sum(linear) as linear_deals, sum(linear * amount) as linear_amount,
        coalesce(sum(linear * amount_base), 0) as linear_base,
        sum(time_decay) as time_decay_deals, sum(time_decay * amount) as time_decay_amount,
        coalesce(sum(time_decay * amount_base), 0) as time_decay_base,
        sum(position_based) as position_based_deals, sum(position_based * amount) as position_based_amount,
        coalesce(sum(position_based * amount_base), 0) as position_based_base,
        sum(w_shaped) as w_shaped_deals, sum(w_shaped * amount) as w_shaped_amount,
        coalesce(sum(w_shaped * amount_base), 0) as w_shaped_base
    from attr_weighted
    group by all
),
long as (
    unpivot wide
    on (first_touch_deals, first_touch_amount, first_touch_base) as first_touch,
       (last_touch_deals, last_touch_amount, last_touch_base) as last_touch,
       (linear_deals, linear_amount, linear_base) as linear,
       (time_decay_deals, time_decay_amount, time_decay_base) as time_decay,
       (position_based_deals, position_based_amount, position_based_base) as position_based,
       (w_shaped_deals, w_shaped_amount, w_shaped_base) as w_shaped
    into name model value deals, amount, amount_base
)
select * from long;


create or replace table attribution_credit as
select
    model, month, region, channel, campaign, product, currency, status,
    sum(deals) as deals,
    coalesce(sum(amount) filter (where status = 'won'), 0) as revenue,
    coalesce(sum(amount) filter (where status = 'open'), 0) as pipeline,
    coalesce(sum(amount) filter (where status = 'won' and sourced), 0) as sourced_revenue,
    coalesce(sum(amount) filter (where status = 'won' and influenced), 0) as influenced_revenue
from attr_long
group by all
-- model, then month: a page reads one model over a few months, so zonemaps skip the rest
order by model, month;

-- What the pages read: one row per model x day x region x channel x campaign x product, in the base
-- currency. Won money on the day the deal was won, open pipeline on the day it was created; a won
-- deal with no close date is in no period (nor is it on the Overview). Regions and products as the
-- marts name them ('(none)' for none), so a filter selects the same deals as region_rows.
create or replace table attribution_campaign_day as
select
    model, day, coalesce(region, '(none)') as region, channel, campaign, coalesce(product, '(none)') as product,
    coalesce(sum(amount_base) filter (where status = 'won'), 0) as revenue_base,
    coalesce(sum(amount_base) filter (where status = 'open'), 0) as pipeline_base,
    coalesce(sum(deals) filter (where status = 'won'), 0) as won_deals,
    coalesce(sum(deals) filter (where status = 'open'), 0) as open_deals,
    coalesce(sum(amount_base) filter (where status = 'won' and sourced), 0) as sourced_base,
    coalesce(sum(amount_base) filter (where status = 'won' and influenced), 0) as influenced_base
from attr_long
where day is not null
group by all
order by model, day;


-- The same without the campaign: what the channel views and the models side by side read, a
-- fraction of the rows above.
create or replace table attribution_channel_day as
select model, day, region, channel, product,
       sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base,
       sum(won_deals) as won_deals, sum(open_deals) as open_deals,
       sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from attribution_campaign_day
group by all
order by model, day;

-- By month: a period's whole months cost a month's rows, not thirty days'.
create or replace table attribution_campaign_month as
select model, date_trunc('month', day)::date as month, region, channel, campaign, product,
       sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base,
       sum(won_deals) as won_deals, sum(open_deals) as open_deals,
       sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from attribution_campaign_day
group by all
order by model, month;

create or replace table attribution_channel_month as
select model, date_trunc('month', day)::date as month, region, channel, product,
       sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base,
       sum(won_deals) as won_deals, sum(open_deals) as open_deals,
       sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from attribution_channel_day
group by all
order by model, month;

-- The rows a period reads: its whole months by month, the days of a month it covers in part by day
-- (as region_rows). Columns as the day tables', with month for day.
create or replace macro attribution_channel_rows(d_from, d_to) as table
    select * from attribution_channel_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    select date_trunc('month', day)::date as month, * exclude (day) from attribution_channel_day
    where day between d_from::date and d_to::date
      and not (date_trunc('month', day) >= d_from::date and last_day(day) <= d_to::date);

create or replace macro attribution_campaign_rows(d_from, d_to) as table
    select * from attribution_campaign_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    select date_trunc('month', day)::date as month, * exclude (day) from attribution_campaign_day
    where day between d_from::date and d_to::date
      and not (date_trunc('month', day) >= d_from::date and last_day(day) <= d_to::date);
