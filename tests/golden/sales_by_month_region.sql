-- One row per month x region of the 1C sales report; its Итого line is not a sale.
select date_trunc('month', sale_date)::date as month, region, count(*) as lines,
       sum(quantity) as quantity, sum(amount) as amount
from sales group by all order by month, region
