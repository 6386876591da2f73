-- One row per lead creation day x region x channel: volume, quality and first contact against the SLA.
create or replace table mart_leads_day as
select day, region, channel, count(*) as leads,
       count(*) filter (where qualified) as qualified, count(*) filter (where converted) as converted,
       count(*) filter (where junk) as junk, count(*) filter (where contacted) as contacted,
       count(*) filter (where judged) as judged,
       count(*) filter (where contacted and response_hours <= first_contact_hours) as within_sla,
       coalesce(sum(response_hours) filter (where contacted), 0) as response_hours_sum,
       sum(won_deals)::bigint as won_deals, coalesce(sum(won_base), 0)::decimal(18,2) as won_revenue_base
from lead_facts
group by all
order by day;
