-- Rule-based attribution (first, last, linear, time_decay, position_based, w_shaped) into the small
-- attribution_credit aggregate pages read: one row per model x month x region x channel x campaign x
-- product x currency x status ('won' at the month won, 'open' at the month created). Its size is
-- bounded by those dimensions, not by the number of deals. Reads attribution_journeys' temp tables.
create or replace temp table attr_weighted as
with
milestones as (
    select
        t.*, d.status, d.month, d.region, d.product, d.currency, coalesce(d.amount, 0)::double as amount,
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
    month, region, channel, campaign, product, currency, status, sourced, influenced, amount,
    (k = 1)::int::double as first_touch,
    (k = n)::int::double as last_touch,
    1.0 / n as linear,
    td_raw / sum(td_raw) over deal as time_decay,
    pb_raw / sum(pb_raw) over deal as position_based,
    w_raw / sum(w_raw) over deal as w_shaped
from raw
window deal as (partition by source_system, deal_id);

create or replace table attribution_credit as
with
wide as (
    -- aggregate before unpivoting: six models x touch rows would be six times the fact table
    select
        month, region, channel, campaign, product, currency, status, sourced, influenced,
        sum(first_touch) as first_touch_deals, sum(first_touch * amount) as first_touch_amount,
        sum(last_touch) as last_touch_deals, sum(last_touch * amount) as last_touch_amount,
        sum(linear) as linear_deals, sum(linear * amount) as linear_amount,
        sum(time_decay) as time_decay_deals, sum(time_decay * amount) as time_decay_amount,
        sum(position_based) as position_based_deals, sum(position_based * amount) as position_based_amount,
        sum(w_shaped) as w_shaped_deals, sum(w_shaped * amount) as w_shaped_amount
    from attr_weighted
    group by all
),
long as (
    unpivot wide
    on (first_touch_deals, first_touch_amount) as first_touch,
       (last_touch_deals, last_touch_amount) as last_touch,
       (linear_deals, linear_amount) as linear,
       (time_decay_deals, time_decay_amount) as time_decay,
       (position_based_deals, position_based_amount) as position_based,
       (w_shaped_deals, w_shaped_amount) as w_shaped
    into name model value deals, amount
)
select
    model, month, region, channel, campaign, product, currency, status,
    sum(deals) as deals,
    coalesce(sum(amount) filter (where status = 'won'), 0) as revenue,
    coalesce(sum(amount) filter (where status = 'open'), 0) as pipeline,
    coalesce(sum(amount) filter (where status = 'won' and sourced), 0) as sourced_revenue,
    coalesce(sum(amount) filter (where status = 'won' and influenced), 0) as influenced_revenue
from long
group by all
-- model, then month: a page reads one model over a few months, so zonemaps skip the rest
order by model, month;

-- The same by channel (no campaign, product or status): what the channel views and the models side by
-- side read, a small fraction of the rows above.
create or replace table attribution_channel_month as
select model, month, region, channel, currency, sum(revenue) as revenue, sum(pipeline) as pipeline,
       coalesce(sum(deals) filter (where status = 'won'), 0) as won_deals,
       coalesce(sum(deals) filter (where status = 'open'), 0) as open_deals,
       sum(sourced_revenue) as sourced_revenue, sum(influenced_revenue) as influenced_revenue
from attribution_credit
group by all
order by month;
