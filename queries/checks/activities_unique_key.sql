-- One row per activity.
select activity_id, count(*) as n from activities group by all having count(*) > 1
