-- One row per campaign x region x day with spend (region null for federal rows). Params: none.
with

spend as (
    select campaign, region, date, cost from ad_spend
),

final as (
    select campaign, region, date, sum(cost)::double as cost
    from spend
    group by all
    having sum(cost) > 0
    order by campaign, region, date
)

select * from final
