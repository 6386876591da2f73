-- Every line-level difference between the CRM and accounting in the period, largest first, with the
-- columns of recon_differences_list: the export of the Data page's table, read only when asked for.
-- Params: $date_from, $date_to, $regions.
select kind, region, date, deal_id, document, customer, crm_amount, sales_amount, currency
from recon_differences
where date between $date_from and $date_to
  and (len($regions) = 0 or list_contains($regions, region))
order by greatest(abs(coalesce(crm_amount, 0)), abs(coalesce(sales_amount, 0))) desc, kind, deal_id, document
