-- Channel paths of closed deals for the data-driven models (Markov, Shapley in analysis/attribution.py).
-- One row per path x converted x currency x month (the month the deal closed), its won value in
-- the currency and in base. A path is the journey's distinct consecutive channels, capped at
-- max_path_steps: the first step and the last max_path_steps - 1, so the originating channel is kept.
-- Open deals have no outcome yet and unattributed deals no channel: neither makes a path. Reads
-- attr_touches from attribution_journeys.sql; attribution_model_inputs.sql takes the paths apart into
-- what the models are fitted from (the pages read those, not the paths).
create or replace table attribution_paths as
with
steps as (
    select source_system, deal_id, list(channel order by k) as channels
    from attr_touches
    where new_step and channel <> 'unattributed' and n > 1
    group by all
    union all
    -- a journey of one touch is a list of its one channel, without aggregating
    select source_system, deal_id, [channel] as channels
    from attr_touches
    where new_step and channel <> 'unattributed' and n = 1
),
paths as (
    select
        source_system, deal_id,
        array_to_string(case when len(channels) > p.max_path_steps
                             then [channels[1]] || channels[-(p.max_path_steps - 1):]
                             else channels end, ' > ') as path
    from steps
    cross join attr_params p
)
select
    paths.path,
    d.status = 'won' as converted,
    d.currency,
    date_trunc('month', coalesce(d.closed_at, d.created_at))::date as month,
    count(*) as deals,
    coalesce(sum(d.amount::double) filter (where d.status = 'won'), 0) as value,
    -- the same in the base currency: the Contribution page fits the data-driven models on all of it
    coalesce(sum(d.amount_base::double) filter (where d.status = 'won'), 0) as value_base
from paths
join attr_deals d using (source_system, deal_id)
where d.status in ('won', 'lost')
group by all;
