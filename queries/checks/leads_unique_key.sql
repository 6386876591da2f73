-- A lead appears once per source system.
select source_system, lead_id, count(*) as n from leads group by all having count(*) > 1
