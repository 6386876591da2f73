-- One row: whether `python -m etl demo` built this warehouse from its own files alone (etl/build.py's
-- demo_build), so the app runs in demo mode without sign-in. A warehouse built before the key existed
-- has no row and reads as false: it needs sign-in. Params: none.
with

meta_rows as (
    select key, value from meta
),

final as (
    select coalesce(bool_or(key = 'demo' and value = 'true'), false) as demo
    from meta_rows
)

select * from final
