-- One row per deal: its status now (old) and with the stage text mapped (new). Reads temp table
-- vocab_args(key: the stage as norm_key() reads it, target: 'open' | 'won' | 'lost'). `stage` keeps the
-- export's stage (or its status text); a deal whose status is not what its stage gives took it from a
-- status column, which the build reads first, so it stays. A deal whose own status text (status_raw) is the
-- text mapped takes the target whatever its stage: the build reads the status first, and the text was unknown.
create or replace temp view vocab_units as
with deals as (
    select d.status, d.amount_base,
           coalesce(norm_key(d.status_raw) = a.key, false)
               or (norm_key(d.stage) = a.key and d.status = coalesce(s.status, 'open') and k.key is null)
               as moves, a.target
    from vocab_deals d
    cross join vocab_args a
    left join cfg_stages s on s.key = norm_key(d.stage)
    left join cfg_stages k on k.key = norm_key(d.status_raw)
)

select 'deal' as kind, status as old, case when moves then target else status end as new,
       status as status_old, case when moves then target else status end as status_new, amount_base
from deals;
