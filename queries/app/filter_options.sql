-- One row per value the sidebar offers: kind ('region' | 'product'), value, ord. Params: none.
-- Regions in data/regions.csv order that have any data; products that deals or campaigns name.
with regions as (
    select distinct region from mart_region_day           -- deals, spend and leads
),

products as (
    select distinct product from mart_region_day where product <> '(none)'   -- leads' rows have none
),

final as (
    select 'region' as kind, c.region as value, row_number() over () as ord
    from cfg_regions c semi join regions r on r.region = c.region
    union all
    select 'product', product, row_number() over (order by product) from products
)

select * from final order by kind, ord
