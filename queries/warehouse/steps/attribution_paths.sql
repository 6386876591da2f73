-- Channel paths of closed deals for the data-driven models (Markov, Shapley in analysis/attribution.py).
-- One row per path x converted x currency x month (the month the deal closed), its won value in
-- the currency and in base. A path is the journey's distinct consecutive channels, capped at
-- max_path_steps: the first step and the last max_path_steps - 1, so the originating channel is kept.
-- Open deals have no outcome yet and unattributed deals no channel: neither makes a path. Reads
-- attr_touches from attribution_journeys.sql; attribution_model_inputs.sql takes the paths apart into
-- what the models are fitted from (the pages read those, not the paths).
--
-- A journey's list of channels is an ordered list aggregate, which DuckDB holds in memory outside its
-- pool and cannot spill: over 10M deals at once it took the load's peak RSS to 4.3 GB. The deals are
-- therefore taken in 8 buckets of their key's hash, one aggregate each (a deal is in one bucket, so
-- its list is whole); a journey of one touch is a list of its one channel, without aggregating.
create or replace temp table attr_deal_path as
select source_system, deal_id, [channel] as channels
from attr_touches
where new_step and channel <> 'unattributed' and n = 1;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 0
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 1
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 2
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 3
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 4
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 5
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 6
group by all;

insert into attr_deal_path
select source_system, deal_id, list(channel order by k) as channels
from attr_touches
where new_step and channel <> 'unattributed' and n > 1 and hash(source_system, deal_id) % 8 = 7
group by all;

create or replace table attribution_paths as
with
paths as (
    select
        source_system, deal_id,
        array_to_string(case when len(channels) > p.max_path_steps
                             then [channels[1]] || channels[-(p.max_path_steps - 1):]
                             else channels end, ' > ') as path
    from attr_deal_path
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
