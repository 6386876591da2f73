-- What the pages read credits, under every model, exactly the won revenue (base currency) and won deals
-- the marts date by the close: per day x region x product, so any period and filter agree with the
-- Overview and the Regions page.
with
expected as (
    select day, region, product, sum(revenue_base)::double as revenue, sum(deals_won) as deals
    from mart_deals_day
    where deals_won > 0
    group by all
),
credited as (
    select model, day, region, product, sum(revenue_base) as revenue, sum(won_deals) as deals
    from attribution_channel_day
    where won_deals > 0
    group by all
),
models as (
    select distinct model from attribution_channel_day
)
select models.model, coalesce(e.day, c.day) as day, coalesce(e.region, c.region) as region,
    coalesce(e.product, c.product) as product, e.revenue, c.revenue as credited_revenue, e.deals,
    c.deals as credited_deals
from models
cross join expected e
full join credited c on c.model = models.model and c.day = e.day and c.region = e.region and c.product = e.product
where c.model is null or e.day is null
    or abs(c.deals - e.deals) > 1e-6 * e.deals
    or abs(coalesce(c.revenue, 0) - coalesce(e.revenue, 0)) > 0.01 + 1e-9 * abs(coalesce(e.revenue, 0))
