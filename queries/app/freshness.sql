-- One row per source (deals, leads, ad_spend, sales, traffic, plan): latest date, rows, last load. Params: none.
with

latest_by_source as (
    -- each source's own business date says how current it is (etl/status.py uses the same columns)
    select 1 as ord, 'deals' as source, max(created_at)::date as latest, count(*) as row_count from deals
    union all
    select 2, 'leads', max(created_at)::date, count(*) from leads
    union all
    select 3, 'ad_spend', max(date), count(*) from ad_spend
    union all
    select 4, 'sales', max(sale_date), count(*) from sales
    union all
    select 5, 'traffic', max(period_end), count(*) from traffic
    union all
    select 6, 'plan', max(month), count(*) from plan
),

loads_by_entity as (
    select entity as source, max(loaded_at) as loaded_at
    from loads
    group by entity
),

final as (
    select
        latest_by_source.source,
        latest_by_source.latest,
        latest_by_source.row_count,
        loads_by_entity.loaded_at
    from latest_by_source
    left join loads_by_entity using (source)
    order by latest_by_source.ord
)

select * from final
