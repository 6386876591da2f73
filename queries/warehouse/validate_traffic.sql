-- Rejects traffic rows with no period: neither a date column nor a period in the report title.
update typed set reason = concat_ws('; ', reason, 'no period: the row has no date and the report title names none')
where dup_rank = 1 and period_start is null and $period_start is null;
