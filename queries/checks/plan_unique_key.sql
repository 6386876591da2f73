-- One target per month x region x product x metric.
select month, region, product, metric, count(*) as n from plan group by all having count(*) > 1
