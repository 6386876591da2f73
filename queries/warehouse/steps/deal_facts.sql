-- One row per deal: what the marts need to know of it (touches, sourced/influenced, base-currency
-- amount); temp tables for the mart steps after it.

-- Per deal: its first marketing-relevant facts from the touchpoints (by lead or by deal ID), in the
-- agreed window (agreements.toml lookback_days before the deal was created, up to its close), as the
-- attribution journeys take them (attribution_journeys.sql): the Overview's sourced revenue is the first-touch
-- model's marketing credit on the Contribution page, and the deck says so.
create or replace temp table deal_touch as
with window_deals as (
    select d.deal_id, d.lead_id, d.closed_at,
           d.created_at - to_microseconds((a.value::double * 86400000000)::bigint) as window_from
    from deals d
    cross join (select value from cfg_attribution where key = 'lookback_days') a
),
touches as (
    select d.deal_id, t.touch_at, t.channel
    from window_deals d join touchpoints t on t.lead_id = d.lead_id
    where t.touch_at >= d.window_from and t.touch_at <= coalesce(d.closed_at, timestamp '9999-12-31')
    union all
    select d.deal_id, t.touch_at, t.channel
    from window_deals d join touchpoints t on t.deal_id = d.deal_id
    -- a touch the lead branch took already is not taken twice; a touch and a deal with no lead id (an export
    -- keyed by deal alone) are no such pair: `is distinct from` called two NULLs the same lead and dropped it
    where not coalesce(t.lead_id = d.lead_id, false)
      and t.touch_at >= d.window_from and t.touch_at <= coalesce(d.closed_at, timestamp '9999-12-31')
)
select t.deal_id, arg_min(t.channel, t.touch_at) as first_channel,
       bool_or(c.owner = 'marketing') as marketing_touch
from touches t left join cfg_channels c on c.channel = t.channel
group by t.deal_id;

create or replace temp table deal_facts as
-- the rate in force per currency and day, looked up once per distinct pair: an asof join per deal
-- sorts the whole table (about 1 s per million deals), a hash join on the pairs does not
with fx_day as (
    select k.currency, k.day, fx.rate
    from (select distinct currency, coalesce(closed_at, created_at)::date as day from deals) k
    asof join cfg_fx fx on fx.currency = k.currency and k.day >= fx.valid_from
)
select d.deal_id, d.lead_id, d.created_at, d.closed_at, d.status, d.amount, d.currency,
       coalesce(d.region, '(none)') as region, d.channel, coalesce(d.product, '(none)') as product,
       coalesce(d.manager, '(none)') as manager, d.stage,
       -- sourced: the first touch is a marketing channel (no touches: the deal's own channel is)
       coalesce(fc.owner, dc.owner) = 'marketing' as sourced,
       coalesce(dt.marketing_touch, false) or dc.owner = 'marketing' as influenced,
       d.amount * case when d.currency = a.base_currency then 1 else fx.rate end as amount_base
from deals d
cross join cfg_agreement a
left join deal_touch dt using (deal_id)
left join cfg_channels fc on fc.channel = dt.first_channel
left join cfg_channels dc on dc.channel = d.channel
left join fx_day fx on fx.currency = d.currency and fx.day = coalesce(d.closed_at, d.created_at)::date;
