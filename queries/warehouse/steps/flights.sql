-- Regional flights: campaigns with at least 80% of their spend in at most half of the known regions,
-- run for at most 91 days (first to last day with spend in those regions). Mirrors
-- analysis.flights.find_flights (tests hold the two equal); the campaign impact page reads it.
create or replace table flights as
with by_region as (
    select campaign, region, sum(cost) as cost, min(date) filter (where cost > 0) as first_day,
           max(date) filter (where cost > 0) as last_day
    from ad_spend where region is not null
    group by all
),
totals as (
    select campaign, sum(cost) as total from ad_spend group by campaign having sum(cost) > 0
),
ranked as (
    select b.*, t.total,
           sum(b.cost) over (partition by b.campaign order by b.cost desc, b.region
                             rows between unbounded preceding and 1 preceding) as before
    from by_region b join totals t using (campaign)
),
chosen as (
    -- the fewest regions holding 80% of the spend: every region whose predecessors hold less than 80%
    select * from ranked where coalesce(before, 0) < 0.8 * total
),
final as (
    select campaign, list(region order by region) as regions, count(*) as n_regions,
           min(first_day) as start_date, max(last_day) as end_date, sum(cost) as spend,
           sum(cost) / any_value(total) as share
    from chosen group by campaign
)
select f.* from final f
where f.share >= 0.8 - 1e-9
  and f.n_regions <= 0.5 * (select count(distinct region) from ad_spend where region is not null)
  and date_diff('day', f.start_date, f.end_date) + 1 <= 91
order by start_date, campaign;
