-- One row per lead: its quality, the sales side's first contact against the agreed SLA, and what its
-- deals won (base currency: one lead's deals may be in several currencies). A temp table for the lead
-- marts and the funnel.
create or replace temp table lead_facts as
with lead_deals as (
    select lead_id, count(*) as deals, count(*) filter (where status = 'won') as won,
           sum(amount_base) filter (where status = 'won') as won_base
    from deal_facts
    where lead_id is not null
    group by lead_id
)
select l.lead_id, l.created_at::date as day, coalesce(l.region, '(none)') as region, l.channel,
       coalesce(l.manager, '(none)') as manager, l.status,
       l.status in ('qualified', 'converted') or ld.deals > 0 as qualified,
       l.status = 'converted' or l.deal_id is not null or ld.deals > 0 as converted,
       l.status = 'junk' as junk,
       -- judged by the first-contact rule: its export records first contacts (a lead of an export without
       -- that column is not a miss: nobody knows)
       coalesce(l.contact_known, true) as judged,
       l.first_contact_at is not null and l.first_contact_at >= l.created_at as contacted,
       (work_minutes(l.first_contact_at, a.day_start, a.day_end, a.working_days)
        - work_minutes(l.created_at, a.day_start, a.day_end, a.working_days)) / 60.0 as response_hours,
       a.first_contact_hours,
       coalesce(ld.won, 0) as won_deals, coalesce(ld.won_base, 0) as won_base,
       -- a deal names this lead (its lead id): what the lead's deals won is known only through that link
       coalesce(ld.deals, 0) > 0 as linked
from leads l
cross join cfg_agreement a
left join lead_deals ld using (lead_id);
