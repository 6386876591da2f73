-- One row per currency: won revenue, open pipeline and ad spend in that currency (never converted). Params: none.
with

deal_amounts as (
    select status, amount, currency from deals
),

spend_amounts as (
    select cost, currency from ad_spend
),

deal_money as (
    select
        currency,
        sum(amount) filter (where status = 'won') as won_revenue,
        sum(amount) filter (where status = 'open') as open_pipeline
    from deal_amounts
    -- a deal without an amount carries no currency worth showing (checks allow it only then)
    where amount is not null
    group by currency
),

spend_money as (
    select currency, sum(cost) as ad_spend
    from spend_amounts
    group by currency
),

final as (
    select
        currency,
        coalesce(deal_money.won_revenue, 0) as won_revenue,
        coalesce(deal_money.open_pipeline, 0) as open_pipeline,
        coalesce(spend_money.ad_spend, 0) as ad_spend
    from deal_money
    full outer join spend_money using (currency)
    -- the first row is the main currency: the one with the most won revenue
    order by won_revenue desc, open_pipeline desc, currency
)

select * from final
