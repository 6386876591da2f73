-- Per currency over the period: CRM won vs accounting (sales, returns), the difference and the counts
-- behind it: the Data page's totals, summed over every region and month (recon_by_region_month lists
-- the largest of those rows). Params: $date_from, $date_to, $regions.
select currency, sum(crm_won_amount) as crm_won_amount, sum(crm_won_deals) as crm_won_deals,
       sum(sales_amount) as sales_amount, sum(returns_amount) as returns_amount, sum(difference) as difference,
       sum(crm_only) as crm_only, sum(accounting_only) as accounting_only, sum(returns) as returns
from recon_region_month
where month between date_trunc('month', $date_from::date) and $date_to
  and (len($regions) = 0 or list_contains($regions, region))
group by currency
order by currency
