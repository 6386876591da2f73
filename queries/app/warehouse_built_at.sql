-- One row (or none in a warehouse never committed): when the ETL built this warehouse file. Params: none.
with

meta_rows as (
    select key, value from meta
),

final as (
    -- stored as ISO text in local time by etl/build.py
    select value as built_at
    from meta_rows
    where key = 'built_at'
)

select * from final
