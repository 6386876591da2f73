-- One row per owner that has any activity (the joint plan's owner filter offers these). Params: none.
with acts as (    -- loaded activities (source 'file') and those entered in the app ('app'), an entry overriding its id
    select * exclude (load_id), 'file' as source from activities
    where activity_id not in (select activity_id from entered_activities)
    union all by name
    select * from entered_activities
)

select distinct owner from acts where owner is not null order by owner
