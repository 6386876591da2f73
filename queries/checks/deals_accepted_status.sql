-- Status is one of the contract's values; created_at and amount are present.
select deal_id, status from deals
where status not in ('open', 'won', 'lost') or created_at is null or deal_id is null
