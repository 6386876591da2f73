-- Lead status is one of the contract's values.
select lead_id, status from leads
where status not in ('new', 'in_progress', 'qualified', 'converted', 'junk') or created_at is null
