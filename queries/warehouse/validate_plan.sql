-- Rejects plan lines whose metric or owner is not in data/vocab.csv.
update typed set reason = concat_ws('; ', reason, 'unknown plan metric ''' || p_text(metric) || ''' (expected revenue, deals, leads, spend)')
where dup_rank = 1 and p_text(metric) is not null
  and norm_key(metric) not in (select key from cfg_plan_metrics);

update typed set reason = concat_ws('; ', reason, 'unknown owner ''' || p_text(owner) || ''' (expected marketing, sales or company)')
where dup_rank = 1 and p_text(owner) is not null
  and norm_key(owner) not in (select key from cfg_owners);
