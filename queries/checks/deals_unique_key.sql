-- A deal appears once per source system (the latest export replaced earlier rows).
select source_system, deal_id, count(*) as n from deals group by all having count(*) > 1
