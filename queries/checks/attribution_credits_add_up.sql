-- Every attribution model credits exactly the won revenue, open pipeline and won/open deals, per currency.
with
expected as (
    select
        currency, count(*) as deals,
        coalesce(sum(amount::double) filter (where status = 'won'), 0) as revenue,
        coalesce(sum(amount::double) filter (where status = 'open'), 0) as pipeline
    from deals
    where status in ('won', 'open')
    group by all
),
credited as (
    select model, currency, sum(deals) as deals, sum(revenue) as revenue, sum(pipeline) as pipeline
    from attribution_credit
    group by all
),
models as (
    select distinct model from attribution_credit
)
select models.model, expected.currency, expected.deals, credited.deals as credited_deals,
    expected.revenue, credited.revenue as credited_revenue
from expected
cross join models
left join credited on credited.model = models.model and credited.currency is not distinct from expected.currency
where credited.model is null
    or abs(credited.deals - expected.deals) > 1e-6 * expected.deals
    or abs(credited.revenue - expected.revenue) > 0.01 + 1e-9 * expected.revenue
    or abs(credited.pipeline - expected.pipeline) > 0.01 + 1e-9 * expected.pipeline
