-- One row per month of the period: both departments' commitments and the month's facts. Marketing:
-- leads vs the plan's 'leads' metric, qualified share vs min_qualified_share; sales: first contact within
-- the SLA, lead-to-deal conversion vs min_lead_to_deal. Params: $date_from, $date_to, $regions, $products
-- (products choose plan lines only: leads carry no product). Plan lines chosen as in metrics_region's total.
-- The leads plan is on the "to date" basis (metrics_region's leads_plan_to_date): each month's target
-- prorated to its days inside the window up to the latest day with any deal, lead or spend, so a month
-- under way is held to its plan so far, as revenue is on the Overview; the ratios the other commitments
-- are judged by need no such cut. A month after that day has no plan to judge yet (null).
with leads as (
    select month, sum(leads)::bigint as leads, sum(qualified)::bigint as qualified,
           sum(converted)::bigint as converted, sum(judged)::bigint as judged, sum(contacted)::bigint as contacted,
           sum(within_sla)::bigint as within_sla
    from funnel_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
    group by all
),

bounds as (
    select least(coalesce((select max(activity_latest) from mart_freshness), $date_to::date), $date_to::date) as l
),

plan_rows as (
    select p.* replace (p.target::double * month_part(p.month, $date_from, b.l) as target)
    from plan p, bounds b
    where p.metric = 'leads' and p.month between date_trunc('month', $date_from::date) and b.l
      and (len($products) = 0 or product is null or list_contains($products, product))
),

plan_month as (
    select month, sum(target) as leads_plan
    from plan_rows p
    where case when len($regions) > 0 then list_contains($regions, p.region)
               else p.region is null or not exists (
                   select 1 from plan_rows c where c.region is null and c.month = p.month) end
    group by month
),

months as (
    select unnest(generate_series(date_trunc('month', $date_from::date), $date_to::date, interval 1 month))::date as month
),

final as (
    select m.month, coalesce(l.leads, 0) as leads, p.leads_plan, coalesce(l.qualified, 0) as qualified,
           coalesce(l.converted, 0) as converted, coalesce(l.judged, 0) as judged, coalesce(l.contacted, 0) as contacted,
           coalesce(l.within_sla, 0) as within_sla,
           a.min_qualified_share, a.min_lead_to_deal, a.first_contact_hours,
           -- The SLA asks it of every lead; agreements.toml names no share, so the scorecard marks a month
           -- met when at least 90 % of its leads were contacted within first_contact_hours (said on the page).
           0.9 as within_sla_target
    from months m
    left join leads l using (month)
    left join plan_month p using (month)
    cross join cfg_agreement a
)

select * from final order by month
