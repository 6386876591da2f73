-- First contacts that missed the agreed hours, per region x manager x day (lead_facts): who an SLA alert
-- names (alerts.sql). Kept, small, so the alerts step needs no lead rows when only other exports change.
create or replace table alert_missed_contacts as
select region, manager, day, count(*) as missed
from lead_facts
where judged and (not contacted or response_hours > first_contact_hours)
group by all;
