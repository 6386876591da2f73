-- One row per document x product x customer x day. Params: $load_id, $currency.
-- Lines of one key are summed (a document may list a product twice); exact duplicate lines were
-- dropped before. A later export of the same key replaces the earlier one.
create or replace temp table batch_out as
with src as (
    select
        s.sale_date::date as sale_date, coalesce(ra.region, s.region) as region,
        s.region as region_raw, s.product as product, s.customer as customer,
        s.document as document, s.quantity, s.amount, coalesce(cur.currency, $currency) as currency
    from good s
    left join lk_region ra on ra.raw = s.region
    left join lk_currency cur on cur.raw = s.currency
)

select sale_date, region, any_value(region_raw) as region_raw, product, customer, document,
       sum(quantity)::decimal(18,3) as quantity, round(sum(amount), 2)::decimal(18,2) as amount,
       currency, $load_id as load_id
from src
group by sale_date, region, product, customer, document, currency;

delete from sales s using batch_out b
where s.sale_date = b.sale_date and s.document is not distinct from b.document
  and s.product is not distinct from b.product and s.customer is not distinct from b.customer
  and s.region is not distinct from b.region;

insert into sales by name select * from batch_out;
