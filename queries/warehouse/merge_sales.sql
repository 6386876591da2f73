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
       currency, $load_id as load_id, count(*) as src_rows
from src
group by sale_date, region, product, customer, document, currency;

delete from sales s using batch_out b
where s.sale_date = b.sale_date and s.document is not distinct from b.document
  and s.product is not distinct from b.product and s.customer is not distinct from b.customer
  and s.region is not distinct from b.region;

insert into sales by name select * exclude (src_rows) from batch_out;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - lines summed into another
-- line of their key. src_rows counts lines after the lookups: a lookup that matched a line twice
-- breaks the equation instead of doubling its amount.
create or replace temp table merge_rows as
select (select coalesce(sum(src_rows), 0) - count(*) from batch_out) as rows_merged, 0 as rows_spread;
