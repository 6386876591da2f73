-- One row: the period's won revenue in the base currency and the part of it without attribution: the
-- won deals with no touch in their window and neither a channel nor a campaign of their own (credited
-- to 'unattributed' in every model: no channel gets it) and the credit of touches whose channel is
-- 'unknown' (the Contribution table's one 'unattributed' row, attribution_by_channel.sql). Params: $model, $date_from, $date_to,
-- $regions, $products. Exact days and filters as attribution_by_channel.sql, so revenue equals the
-- Overview's for the same filters; the Data page and the deck's data-quality slide both read this.
with

credit as (
    select channel, revenue_base
    from attribution_channel_rows($date_from, $date_to)
    where credited_to(model, $model)
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
        and (len(coalesce($products::varchar[], [])) = 0 or list_contains($products::varchar[], product))
),

final as (
    select (select base_currency from cfg_agreement) as currency,
           coalesce(sum(revenue_base), 0) as revenue,
           coalesce(sum(revenue_base) filter (where channel in ('unattributed', 'unknown')), 0) as unattributed
    from credit
)

select * from final
