-- One row: leads created in the period, qualified, converted, junk, first contact within the SLA.
-- Params: $date_from, $date_to, $regions (leads carry no product).
select coalesce(sum(leads), 0) as leads, coalesce(sum(qualified), 0) as qualified,
       coalesce(sum(converted), 0) as converted, coalesce(sum(junk), 0) as junk,
       coalesce(sum(contacted), 0) as contacted, coalesce(sum(within_sla), 0) as within_sla
from mart_leads_day
where day between $date_from and $date_to
  and (len($regions) = 0 or list_contains($regions, region))
