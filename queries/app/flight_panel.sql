-- One row per known region x day from $date_from to $date_to: the metric of deals created that day
-- ($metric 'revenue': their won amount in the base currency, 'won_deals': how many were won,
-- 'leads': leads created). Zero on days without any. Params: $metric, $date_from, $date_to.
with days as (
    select unnest(generate_series($date_from::date, $date_to::date, interval 1 day))::date as date
),

cohort as (
    select c.day as date, c.region,
           sum(case $metric when 'revenue'
                    then c.revenue_won * case when c.currency = a.base_currency then 1 else fx.rate end
                    else c.deals_won end) as value
    from mart_cohort_day c
    cross join cfg_agreement a
    asof left join cfg_fx fx on fx.currency = c.currency and c.day >= fx.valid_from
    where c.day between $date_from and $date_to and $metric in ('revenue', 'won_deals')
    group by all
),

leads as (
    select day as date, region, sum(leads) as value
    from mart_leads_day
    where day between $date_from and $date_to and $metric = 'leads'
      and region in (select region from cfg_regions)
    group by all
),

values_ as (
    select * from cohort union all select * from leads
),

final as (
    select r.region, d.date, coalesce(v.value, 0)::double as value
    from cfg_regions r cross join days d
    left join values_ v on v.region = r.region and v.date = d.date
)

select * from final order by region, date
