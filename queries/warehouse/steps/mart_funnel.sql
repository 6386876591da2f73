-- The funnel and first-contact SLA at one grain: leads by creation day x region x channel x manager.
-- mart_leads_day has no manager and mart_manager_deals_day dates deals by their close,
-- so neither gives the three breakdowns of one lead cohort for any date range. Size follows
-- days x regions x channels x managers (managers mostly work one region), not the number of leads.
create or replace table mart_funnel_day as
select day, region, coalesce(channel, 'unknown') as channel, manager,
       count(*) as leads,
       count(*) filter (where qualified) as qualified,
       count(*) filter (where converted) as converted,
       -- a lead is won once any of its deals is won: the funnel's last step counts leads, not deals
       count(*) filter (where won_deals > 0) as won_leads,
       sum(won_deals)::bigint as won_deals,
       coalesce(sum(won_base), 0)::decimal(18,2) as won_revenue_base,
       count(*) filter (where judged) as judged,
       count(*) filter (where contacted) as contacted,
       count(*) filter (where contacted and response_hours <= first_contact_hours) as within_sla,
       coalesce(sum(response_hours) filter (where contacted), 0) as response_hours_sum,
       count(*) filter (where linked) as linked
from lead_facts
group by all
order by day;

-- By month, and the rows a period reads (whole months by month, partial months by day), as region_rows.
create or replace table mart_funnel_month as
select date_trunc('month', day)::date as month, region, channel, manager,
       sum(leads)::bigint as leads, sum(qualified)::bigint as qualified, sum(converted)::bigint as converted,
       sum(won_leads)::bigint as won_leads, sum(won_deals)::bigint as won_deals,
       sum(won_revenue_base)::decimal(18,2) as won_revenue_base, sum(judged)::bigint as judged,
       sum(contacted)::bigint as contacted,
       sum(within_sla)::bigint as within_sla, sum(response_hours_sum) as response_hours_sum,
       sum(linked)::bigint as linked
from mart_funnel_day
group by all
order by month;

create or replace macro funnel_rows(d_from, d_to) as table
    select * from mart_funnel_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_funnel_day
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_funnel_day
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;
