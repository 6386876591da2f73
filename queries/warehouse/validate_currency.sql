-- Rejects batch rows whose currency names no known currency (data/currencies.csv).
update typed set reason = concat_ws('; ', typed.reason, 'unknown currency ''' || s.currency || ''' (add it to data/currencies.csv)')
from (select rn, currency from staged
      where kind = 'data' and dup_rank = 1 and currency is not null
        and currency not in (select d.raw from (select distinct currency as raw from staged) d
                             join cfg_currencies c on c.key = norm_key(d.raw))) s
where typed.rn = s.rn;
