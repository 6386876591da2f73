-- One row per calendar month (first to last with a won deal in $currency; empty months give 0). Params: $currency.
with

won_deals as (
    select closed_at, amount
    from deals
    where status = 'won'
        and currency = $currency
        and closed_at is not null
),

by_month as (
    -- a won deal's revenue belongs to the month it closed, not the month it was created
    select date_trunc('month', closed_at)::date as month, sum(amount) as revenue, count(*) as won_deals
    from won_deals
    group by all
),

months as (
    select unnest(generate_series(min(month), max(month), interval 1 month))::date as month
    from by_month
),

final as (
    select
        months.month,
        coalesce(by_month.revenue, 0) as revenue,
        coalesce(by_month.won_deals, 0) as won_deals
    from months
    left join by_month using (month)
    order by months.month
)

select * from final
