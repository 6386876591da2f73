-- One row per region x month x currency in the period: CRM won vs accounting (sales, returns), the
-- difference and the counts behind it, every row: an aggregate (regions x months x currencies), and the
-- page's per-currency totals are its sums (a 2,000-row limit here could cut the smallest rows out of
-- them: 85 regions x 24 months). Params: $date_from, $date_to, $regions.
select region, month, currency, crm_won_amount, crm_won_deals, sales_amount, returns_amount, difference,
       crm_only, accounting_only, returns
from recon_region_month
where month between date_trunc('month', $date_from::date) and $date_to
  and (len($regions) = 0 or list_contains($regions, region))
order by abs(difference) desc, region, month
