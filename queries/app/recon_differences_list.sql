-- The $rows largest line-level differences between the CRM and accounting in the period (null: all of
-- them, for the table's export): kind, region, date, deal, document, customer, amounts, and how many
-- lines the period has in all (lines), so the page says what it does not show.
-- Params: $date_from, $date_to, $regions, $rows.
select kind, region, date, deal_id, document, customer, crm_amount, sales_amount, currency,
       -- counted apart: a window over every line would hold them all before the limit
       (select count(*) from recon_differences
        where date between $date_from and $date_to
          and (len($regions) = 0 or list_contains($regions, region))) as lines
from recon_differences
where date between $date_from and $date_to
  and (len($regions) = 0 or list_contains($regions, region))
order by greatest(abs(coalesce(crm_amount, 0)), abs(coalesce(sales_amount, 0))) desc, kind, deal_id, document
limit $rows
