-- Rule-based attribution (first, last, linear, time_decay, position_based, w_shaped) into small
-- aggregates whose size is bounded by their dimensions, not by the number of deals:
-- - attribution_credit: model x month x region x channel x campaign x product x currency x status
--   ('won' at the month won, 'open' at the month created), money in the deal's currency; the view
--   tests prove equal to analysis/attribution.py and the data checks hold to the deals;
-- - what the pages read, in the base currency and by day, so a period that cuts months credits
--   exactly its own deals (the won revenue the Overview counts): attribution_campaign_day and
--   attribution_channel_day, the same by month (attribution_*_month), and the macros
--   attribution_channel_rows / attribution_campaign_rows that read whole months by month and the
--   other days by day, as region_rows does.
-- Each is stored compact (attribution_*_compact: credit every rule model gives alike once, under
-- model '*'; see below), and the names above without _compact are views that add it up per model.
-- Reads attribution_journeys' temp tables.
-- Each touch of a won or open deal with what the models weigh it by (lost deals carry no money to
-- credit; their journeys live on in attribution_paths). A view: the two tables below read it.
create or replace temp view attr_touched as
select
    t.*, d.status, d.month, d.day, d.region, d.product, d.currency, coalesce(d.amount, 0)::double as amount,
    d.amount_base::double as amount_base, d.lead_at, d.created_at as deal_at, c.owner
from attr_touches t
join attr_deals d using (source_system, deal_id)
left join cfg_channels c on c.channel = t.channel
where d.status in ('won', 'open');

-- Journeys of several touches: each touch's weight needs the whole journey (windows over the deal).
create or replace temp table attr_weighted as
with
milestones as (
    select
        *,
        max(case when touch_at <= lead_at then k end) over deal as k_lead,
        max(case when touch_at <= deal_at then k end) over deal as k_deal,
        coalesce(bool_or(owner = 'marketing' and k = 1) over deal, false) as sourced,
        coalesce(bool_or(owner = 'marketing') over deal, false) as influenced
    from attr_touched
    where n > 1
    window deal as (partition by source_system, deal_id)
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

-- Journeys of one touch (a deal without touches has its fallback touch), most deals of a CRM export:
-- every window above would be the row itself, so the same formulas run without them. First, last and
-- linear give the touch the whole deal; the other three models' weights (time_decay, position_based,
-- w_shaped) are 1 too unless a parameter is missing or zero (then null or NaN). The rows are added up
-- per key and those three weights here, in one pass: the credit of a key is its deals and money times
-- a weight, so nothing is lost by summing first.
create or replace temp table attr_single as
select
    month, day, region, channel, campaign, product, currency, status, sourced, influenced,
    td_raw / td_raw as time_decay, pb_raw / pb_raw as position_based, w_raw / w_raw as w_shaped,
    count(*)::double as deals, sum(amount) as amount, sum(amount_base) as base
from (
    select
        f.*,
        pow(0.5, epoch(t_last - touch_at) / 86400.0 / p.half_life_days) as td_raw,
        p.first_w * (k = 1)::int + p.last_w * (k = n)::int
            + case when k > 1 and k < n then p.middle_w / (n - 2) else 0 end as pb_raw,
        p.wf * (k = 1)::int + p.wl * is_lead::int + p.wd * is_deal::int
            + case when is_other then p.wo / is_other::int else 0 end as w_raw
    from (
        select
            *,
            coalesce(owner = 'marketing' and k = 1, false) as sourced,
            coalesce(owner = 'marketing', false) as influenced,
            coalesce(k = case when touch_at <= lead_at then k end, false) as is_lead,
            coalesce(k = case when touch_at <= deal_at then k end, false) as is_deal,
            not (k = 1 or coalesce(k = case when touch_at <= lead_at then k end, false)
                 or coalesce(k = case when touch_at <= deal_at then k end, false)) as is_other
        from attr_touched
        where n = 1
    ) f
    cross join attr_params p
)
group by all;

-- Every model gives those journeys all of the deal (all three weights 1): their credit (attr_one) is
-- one set of sums for all six models, not six, and only the other journeys carry a column per model
-- (attr_long). The tables below join the two and add them up per model: what each model credits is
-- the same sum as over all rows, and where there are no multi-touch journeys the per-model work is empty.
-- Both at the finest grain anything below reads (day and month).
create or replace temp view attr_one as
select
    month, day, region, channel, campaign, product, currency, status, sourced, influenced,
    deals, amount, coalesce(base, 0) as base
from attr_single
where coalesce(time_decay = 1 and position_based = 1 and w_shaped = 1, false);

-- The same grain for the journeys of several touches, the six models side by side: money in the
-- deal's currency and in base (0 where a currency has no rate, as the marts' sums leave it out), and
-- the one-touch journeys some model does not give the whole deal. A key may have a row of each: the
-- tables below add them up. Each table below aggregates these rows first and splits its own result
-- into the six models: splitting here (six models x these rows) made both group six times the rows.
-- A model's weights are null only when a parameter is missing; its deals are then null, and its rows
-- are left out below (as unpivoting them here dropped them).
create or replace temp table attr_long as
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
union all
select
    month, day, region, channel, campaign, product, currency, status, sourced, influenced,
    deals, amount, coalesce(base, 0),
    deals, amount, coalesce(base, 0),
    deals, amount, coalesce(base, 0),
    time_decay * deals, time_decay * amount, coalesce(time_decay * base, 0),
    position_based * deals, position_based * amount, coalesce(position_based * base, 0),
    w_shaped * deals, w_shaped * amount, coalesce(w_shaped * base, 0)
from attr_single
where not coalesce(time_decay = 1 and position_based = 1 and w_shaped = 1, false);

-- What the step keeps is compact: the credit every rule model gives alike (the one-touch journeys of
-- attr_one) is stored once, under model '*', and only the journeys of several touches have a row per
-- model. A one-touch export (a deals file; each deal its fallback touch) so writes its credit once, not
-- six times (3.0M rows of attribution_campaign_day for 0.5M keys at 1M deals, most of the step's time).
-- A model's credit for a key is its own rows plus the '*' rows: the macros at the end hand both to
-- the app's queries (which sum `model = $model or model = '*'`), and the views attribution_credit,
-- attribution_campaign_day, attribution_channel_day, attribution_campaign_month and
-- attribution_channel_month add them up per model, one row per model and key, for every other reader.
-- A model whose weights are null (a parameter missing) has no rows of its own, and then no journey is
-- one-touch alike (attr_weighted's `one` is false), so '*' holds nothing it would not credit.
create or replace table attribution_models as
select unnest(['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'w_shaped']) as model;

-- Whether a credit row (of model `row_model`) counts for the rule model `chosen`: the model's own rows
-- and the '*' rows every rule model shares; none for a name that is not a rule model. The app's
-- queries read the compact rows through the macros below and select a model's credit with this.
create or replace macro credited_to(row_model, chosen) as
    row_model = chosen or (row_model = '*' and chosen in (select model from attribution_models));

-- The journeys of several touches by month, the six models side by side, in month order.
create or replace temp table attr_credit_many as
select
    month, region, channel, campaign, product, currency, status,
    sum(first_touch_deals) as first_touch_d,
    coalesce(sum(first_touch_amount) filter (where status = 'won'), 0) as first_touch_r,
    coalesce(sum(first_touch_amount) filter (where status = 'open'), 0) as first_touch_p,
    coalesce(sum(first_touch_amount) filter (where status = 'won' and sourced), 0) as first_touch_s,
    coalesce(sum(first_touch_amount) filter (where status = 'won' and influenced), 0) as first_touch_i,
    sum(last_touch_deals) as last_touch_d,
    coalesce(sum(last_touch_amount) filter (where status = 'won'), 0) as last_touch_r,
    coalesce(sum(last_touch_amount) filter (where status = 'open'), 0) as last_touch_p,
    coalesce(sum(last_touch_amount) filter (where status = 'won' and sourced), 0) as last_touch_s,
    coalesce(sum(last_touch_amount) filter (where status = 'won' and influenced), 0) as last_touch_i,
    sum(linear_deals) as linear_d,
    coalesce(sum(linear_amount) filter (where status = 'won'), 0) as linear_r,
    coalesce(sum(linear_amount) filter (where status = 'open'), 0) as linear_p,
    coalesce(sum(linear_amount) filter (where status = 'won' and sourced), 0) as linear_s,
    coalesce(sum(linear_amount) filter (where status = 'won' and influenced), 0) as linear_i,
    sum(position_based_deals) as position_based_d,
    coalesce(sum(position_based_amount) filter (where status = 'won'), 0) as position_based_r,
    coalesce(sum(position_based_amount) filter (where status = 'open'), 0) as position_based_p,
    coalesce(sum(position_based_amount) filter (where status = 'won' and sourced), 0) as position_based_s,
    coalesce(sum(position_based_amount) filter (where status = 'won' and influenced), 0) as position_based_i,
    sum(time_decay_deals) as time_decay_d,
    coalesce(sum(time_decay_amount) filter (where status = 'won'), 0) as time_decay_r,
    coalesce(sum(time_decay_amount) filter (where status = 'open'), 0) as time_decay_p,
    coalesce(sum(time_decay_amount) filter (where status = 'won' and sourced), 0) as time_decay_s,
    coalesce(sum(time_decay_amount) filter (where status = 'won' and influenced), 0) as time_decay_i,
    sum(w_shaped_deals) as w_shaped_d,
    coalesce(sum(w_shaped_amount) filter (where status = 'won'), 0) as w_shaped_r,
    coalesce(sum(w_shaped_amount) filter (where status = 'open'), 0) as w_shaped_p,
    coalesce(sum(w_shaped_amount) filter (where status = 'won' and sourced), 0) as w_shaped_s,
    coalesce(sum(w_shaped_amount) filter (where status = 'won' and influenced), 0) as w_shaped_i
from attr_long
group by all
order by month;

-- model x month x region x channel x campaign x product x currency x status, money in the deal's
-- currency: '*' first (one-touch journeys), then one model after the other, each in month order.
create or replace table attribution_credit_compact as
select * from (
    select
        '*' as model, month, region, channel, campaign, product, currency, status,
        sum(deals) as deals,
        coalesce(sum(amount) filter (where status = 'won'), 0) as revenue,
        coalesce(sum(amount) filter (where status = 'open'), 0) as pipeline,
        coalesce(sum(amount) filter (where status = 'won' and sourced), 0) as sourced_revenue,
        coalesce(sum(amount) filter (where status = 'won' and influenced), 0) as influenced_revenue
    from attr_one
    group by all
    order by month
)
union all
select 'first_touch', month, region, channel, campaign, product, currency, status, first_touch_d, first_touch_r, first_touch_p, first_touch_s, first_touch_i
from attr_credit_many where first_touch_d is not null
union all
select 'last_touch', month, region, channel, campaign, product, currency, status, last_touch_d, last_touch_r, last_touch_p, last_touch_s, last_touch_i
from attr_credit_many where last_touch_d is not null
union all
select 'linear', month, region, channel, campaign, product, currency, status, linear_d, linear_r, linear_p, linear_s, linear_i
from attr_credit_many where linear_d is not null
union all
select 'position_based', month, region, channel, campaign, product, currency, status, position_based_d, position_based_r, position_based_p, position_based_s, position_based_i
from attr_credit_many where position_based_d is not null
union all
select 'time_decay', month, region, channel, campaign, product, currency, status, time_decay_d, time_decay_r, time_decay_p, time_decay_s, time_decay_i
from attr_credit_many where time_decay_d is not null
union all
select 'w_shaped', month, region, channel, campaign, product, currency, status, w_shaped_d, w_shaped_r, w_shaped_p, w_shaped_s, w_shaped_i
from attr_credit_many where w_shaped_d is not null;

-- What the pages read: day x region x channel x campaign x product, in the base currency. Won money on
-- the day the deal was won, open pipeline on the day it was created; a won deal with no close date is
-- in no period (nor is it on the Overview). Regions and products as the marts name them ('(none)' for
-- none), so a filter selects the same deals as region_rows. The one-touch journeys (from attr_one, one
-- column per figure) and the others (attr_day_many, the six models side by side), each in day order,
-- so the table is in (model, day) order and zonemaps skip what a page does not read (a union all keeps
-- its inputs' order; should it not, only the zonemaps suffer, not a value).
create or replace temp table attr_day_many as
select
    day, coalesce(region, '(none)') as region, channel, campaign, coalesce(product, '(none)') as product,
    sum(first_touch_deals) as first_touch_d,
    coalesce(sum(first_touch_base) filter (where status = 'won'), 0) as first_touch_r,
    coalesce(sum(first_touch_base) filter (where status = 'open'), 0) as first_touch_p,
    coalesce(sum(first_touch_deals) filter (where status = 'won'), 0) as first_touch_w,
    coalesce(sum(first_touch_deals) filter (where status = 'open'), 0) as first_touch_o,
    coalesce(sum(first_touch_base) filter (where status = 'won' and sourced), 0) as first_touch_s,
    coalesce(sum(first_touch_base) filter (where status = 'won' and influenced), 0) as first_touch_i,
    sum(last_touch_deals) as last_touch_d,
    coalesce(sum(last_touch_base) filter (where status = 'won'), 0) as last_touch_r,
    coalesce(sum(last_touch_base) filter (where status = 'open'), 0) as last_touch_p,
    coalesce(sum(last_touch_deals) filter (where status = 'won'), 0) as last_touch_w,
    coalesce(sum(last_touch_deals) filter (where status = 'open'), 0) as last_touch_o,
    coalesce(sum(last_touch_base) filter (where status = 'won' and sourced), 0) as last_touch_s,
    coalesce(sum(last_touch_base) filter (where status = 'won' and influenced), 0) as last_touch_i,
    sum(linear_deals) as linear_d,
    coalesce(sum(linear_base) filter (where status = 'won'), 0) as linear_r,
    coalesce(sum(linear_base) filter (where status = 'open'), 0) as linear_p,
    coalesce(sum(linear_deals) filter (where status = 'won'), 0) as linear_w,
    coalesce(sum(linear_deals) filter (where status = 'open'), 0) as linear_o,
    coalesce(sum(linear_base) filter (where status = 'won' and sourced), 0) as linear_s,
    coalesce(sum(linear_base) filter (where status = 'won' and influenced), 0) as linear_i,
    sum(position_based_deals) as position_based_d,
    coalesce(sum(position_based_base) filter (where status = 'won'), 0) as position_based_r,
    coalesce(sum(position_based_base) filter (where status = 'open'), 0) as position_based_p,
    coalesce(sum(position_based_deals) filter (where status = 'won'), 0) as position_based_w,
    coalesce(sum(position_based_deals) filter (where status = 'open'), 0) as position_based_o,
    coalesce(sum(position_based_base) filter (where status = 'won' and sourced), 0) as position_based_s,
    coalesce(sum(position_based_base) filter (where status = 'won' and influenced), 0) as position_based_i,
    sum(time_decay_deals) as time_decay_d,
    coalesce(sum(time_decay_base) filter (where status = 'won'), 0) as time_decay_r,
    coalesce(sum(time_decay_base) filter (where status = 'open'), 0) as time_decay_p,
    coalesce(sum(time_decay_deals) filter (where status = 'won'), 0) as time_decay_w,
    coalesce(sum(time_decay_deals) filter (where status = 'open'), 0) as time_decay_o,
    coalesce(sum(time_decay_base) filter (where status = 'won' and sourced), 0) as time_decay_s,
    coalesce(sum(time_decay_base) filter (where status = 'won' and influenced), 0) as time_decay_i,
    sum(w_shaped_deals) as w_shaped_d,
    coalesce(sum(w_shaped_base) filter (where status = 'won'), 0) as w_shaped_r,
    coalesce(sum(w_shaped_base) filter (where status = 'open'), 0) as w_shaped_p,
    coalesce(sum(w_shaped_deals) filter (where status = 'won'), 0) as w_shaped_w,
    coalesce(sum(w_shaped_deals) filter (where status = 'open'), 0) as w_shaped_o,
    coalesce(sum(w_shaped_base) filter (where status = 'won' and sourced), 0) as w_shaped_s,
    coalesce(sum(w_shaped_base) filter (where status = 'won' and influenced), 0) as w_shaped_i
from attr_long
where day is not null
group by all
order by day;

create or replace table attribution_campaign_day_compact as
select * from (
    select
        '*' as model, day, coalesce(region, '(none)') as region, channel, campaign,
        coalesce(product, '(none)') as product,
        coalesce(sum(base) filter (where status = 'won'), 0) as revenue_base,
        coalesce(sum(base) filter (where status = 'open'), 0) as pipeline_base,
        coalesce(sum(deals) filter (where status = 'won'), 0) as won_deals,
        coalesce(sum(deals) filter (where status = 'open'), 0) as open_deals,
        coalesce(sum(base) filter (where status = 'won' and sourced), 0) as sourced_base,
        coalesce(sum(base) filter (where status = 'won' and influenced), 0) as influenced_base
    from attr_one
    where day is not null
    group by all
    order by day
)
union all
select 'first_touch', day, region, channel, campaign, product, first_touch_r, first_touch_p, first_touch_w, first_touch_o, first_touch_s, first_touch_i
from attr_day_many where first_touch_d is not null
union all
select 'last_touch', day, region, channel, campaign, product, last_touch_r, last_touch_p, last_touch_w, last_touch_o, last_touch_s, last_touch_i
from attr_day_many where last_touch_d is not null
union all
select 'linear', day, region, channel, campaign, product, linear_r, linear_p, linear_w, linear_o, linear_s, linear_i
from attr_day_many where linear_d is not null
union all
select 'position_based', day, region, channel, campaign, product, position_based_r, position_based_p, position_based_w, position_based_o, position_based_s, position_based_i
from attr_day_many where position_based_d is not null
union all
select 'time_decay', day, region, channel, campaign, product, time_decay_r, time_decay_p, time_decay_w, time_decay_o, time_decay_s, time_decay_i
from attr_day_many where time_decay_d is not null
union all
select 'w_shaped', day, region, channel, campaign, product, w_shaped_r, w_shaped_p, w_shaped_w, w_shaped_o, w_shaped_s, w_shaped_i
from attr_day_many where w_shaped_d is not null;

-- The same without the campaign: what the channel views and the models side by side read, a
-- fraction of the rows above.
create or replace table attribution_channel_day_compact as
select model, day, region, channel, product,
       sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base,
       sum(won_deals) as won_deals, sum(open_deals) as open_deals,
       sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from attribution_campaign_day_compact
group by all
order by model, day;

-- By month: a period's whole months cost a month's rows, not thirty days'.
create or replace table attribution_campaign_month_compact as
select model, date_trunc('month', day)::date as month, region, channel, campaign, product,
       sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base,
       sum(won_deals) as won_deals, sum(open_deals) as open_deals,
       sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from attribution_campaign_day_compact
group by all
order by model, month;

create or replace table attribution_channel_month_compact as
select model, date_trunc('month', day)::date as month, region, channel, product,
       sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base,
       sum(won_deals) as won_deals, sum(open_deals) as open_deals,
       sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from attribution_channel_day_compact
group by all
order by model, month;

-- Per model, one row per model and key: the model's own rows and the '*' rows added up.
create or replace view attribution_credit as
select model, month, region, channel, campaign, product, currency, status, sum(deals) as deals, sum(revenue) as revenue, sum(pipeline) as pipeline, sum(sourced_revenue) as sourced_revenue, sum(influenced_revenue) as influenced_revenue
from (
    select * from attribution_credit_compact where model <> '*'
    union all
    select m.model, c.* exclude (model) from attribution_credit_compact c cross join attribution_models m where c.model = '*'
)
group by all;

create or replace view attribution_campaign_day as
select model, day, region, channel, campaign, product, sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base, sum(won_deals) as won_deals, sum(open_deals) as open_deals, sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from (
    select * from attribution_campaign_day_compact where model <> '*'
    union all
    select m.model, c.* exclude (model) from attribution_campaign_day_compact c cross join attribution_models m where c.model = '*'
)
group by all;

create or replace view attribution_channel_day as
select model, day, region, channel, product, sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base, sum(won_deals) as won_deals, sum(open_deals) as open_deals, sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from (
    select * from attribution_channel_day_compact where model <> '*'
    union all
    select m.model, c.* exclude (model) from attribution_channel_day_compact c cross join attribution_models m where c.model = '*'
)
group by all;

create or replace view attribution_campaign_month as
select model, month, region, channel, campaign, product, sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base, sum(won_deals) as won_deals, sum(open_deals) as open_deals, sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from (
    select * from attribution_campaign_month_compact where model <> '*'
    union all
    select m.model, c.* exclude (model) from attribution_campaign_month_compact c cross join attribution_models m where c.model = '*'
)
group by all;

create or replace view attribution_channel_month as
select model, month, region, channel, product, sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base, sum(won_deals) as won_deals, sum(open_deals) as open_deals, sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base
from (
    select * from attribution_channel_month_compact where model <> '*'
    union all
    select m.model, c.* exclude (model) from attribution_channel_month_compact c cross join attribution_models m where c.model = '*'
)
group by all;

-- The rows a period reads: its whole months by month, the days of a month it covers in part by day
-- (as region_rows). Columns as the compact day tables', with month for day: a model's rows and the '*'
-- rows every rule model shares, which a reader adds to its model's.
create or replace macro attribution_channel_rows(d_from, d_to) as table
    select * from attribution_channel_month_compact
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from attribution_channel_day_compact
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from attribution_channel_day_compact
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;

create or replace macro attribution_campaign_rows(d_from, d_to) as table
    select * from attribution_campaign_month_compact
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from attribution_campaign_day_compact
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from attribution_campaign_day_compact
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;
