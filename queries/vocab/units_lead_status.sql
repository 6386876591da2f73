-- One row per lead: its status now (old) and with the status text mapped (new). Reads temp table
-- vocab_args(key: the status as norm_key() reads it, target: a lead status). A lead with a deal is
-- converted whatever its status text says, as merge_leads.sql has it.
create or replace temp view vocab_units as
select 'lead' as kind, l.status as old,
       case when l.deal_id is null and norm_key(l.status_raw) = a.key and l.status = coalesce(s.status, 'new')
            then a.target else l.status end as new,
       l.status as status_old, l.status as status_new, null::decimal(18,2) as amount_base
from vocab_leads l
cross join vocab_args a
left join cfg_lead_statuses s on s.key = norm_key(l.status_raw);
