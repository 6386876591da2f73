-- One row per manager x region: the period's leads (by creation day), how many were contacted, how many
-- within the agreed working hours (cfg_agreement.first_contact_hours), the hours summed over contacted
-- leads. Params: $date_from, $date_to, $regions.
with leads as (
    select * from mart_funnel_day
    where day between $date_from and $date_to
      and (len($regions) = 0 or list_contains($regions, region))
),

final as (
    select manager, region, sum(leads)::bigint as leads, sum(contacted)::bigint as contacted,
           sum(within_sla)::bigint as within_sla,
           sum(response_hours_sum) as response_hours_sum
    from leads
    group by all
)

select * from final order by manager, region
