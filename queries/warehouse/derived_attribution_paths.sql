-- Channel paths of closed deals for the data-driven models (Markov, Shapley in analysis/attribution.py).
-- One row per path x converted x currency x month (the month the deal closed). A path is the
-- journey's distinct consecutive channels, capped at max_path_steps: the first step and the last
-- max_path_steps - 1, so the originating channel is kept. Open deals have no outcome yet and
-- unattributed deals no channel: neither makes a path. Reads attr_touches from derived_attribution.sql
-- and drops its temp tables: this is the last of the attribution files.
create or replace table attribution_paths as
with
steps as (
    select
        source_system, deal_id, k, channel,
        lag(channel) over (partition by source_system, deal_id order by k) as previous
    from attr_touches
    where channel <> 'unattributed'
),
distinct_steps as (
    select
        *,
        row_number() over (partition by source_system, deal_id order by k) as step,
        count(*) over (partition by source_system, deal_id) as steps
    from steps
    where previous is null or previous <> channel
),
paths as (
    select source_system, deal_id, string_agg(channel, ' > ' order by step) as path
    from distinct_steps
    cross join attr_params p
    where step = 1 or step > steps - (p.max_path_steps - 1)
    group by all
)
select
    paths.path,
    d.status = 'won' as converted,
    d.currency,
    date_trunc('month', coalesce(d.closed_at, d.created_at))::date as month,
    count(*) as deals,
    coalesce(sum(d.amount::double) filter (where d.status = 'won'), 0) as value
from paths
join attr_deals d using (source_system, deal_id)
where d.status in ('won', 'lost')
group by all;

drop table attr_touches;
drop table attr_deals;
drop table attr_params;
