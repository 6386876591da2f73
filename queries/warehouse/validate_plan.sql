-- Rejects plan lines whose metric or owner is not in data/vocab.csv.
update typed set reason = concat_ws('; ', typed.reason, 'unknown plan metric ''' || s.metric || ''' (expected revenue, deals, leads, spend)')
from (select rn, metric from staged
      where kind = 'data' and dup_rank = 1 and metric is not null
        and norm_key(metric) not in (select key from cfg_plan_metrics)) s
where typed.rn = s.rn;

update typed set reason = concat_ws('; ', typed.reason, 'unknown owner ''' || s.owner || ''' (expected marketing, sales or company)')
from (select rn, owner from staged
      where kind = 'data' and dup_rank = 1 and owner is not null
        and norm_key(owner) not in (select key from cfg_owners)) s
where typed.rn = s.rn;
