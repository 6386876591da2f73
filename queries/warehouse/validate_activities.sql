-- Rejects activities whose owner department is not marketing or sales.
update typed set reason = concat_ws('; ', typed.reason, 'unknown owner ''' || coalesce(s.owner, '') || ''' (expected marketing or sales)')
from (select rn, owner from staged
      where kind = 'data' and dup_rank = 1
        and coalesce(norm_key(owner), '') not in (select key from cfg_owners where owner in ('marketing', 'sales'))) s
where typed.rn = s.rn;
