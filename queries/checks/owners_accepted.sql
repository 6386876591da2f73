-- Plan lines and activities name an accepted owner; plan metrics are known.
select 'plan' as tbl, owner from plan where owner not in ('marketing', 'sales', 'company')
   or metric not in (select distinct metric from cfg_plan_metrics)
union all
select 'activities', owner from activities where owner not in ('marketing', 'sales')
