-- One row per owner that has any activity (the joint plan's owner filter offers these). Params: none.
select distinct owner from activities where owner is not null order by owner
