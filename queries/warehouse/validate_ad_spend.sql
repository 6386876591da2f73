-- Rejects batch rows whose currency names no known currency (data/currencies.csv).
update typed set reason = concat_ws('; ', reason, 'unknown currency ''' || p_text(currency) || ''' (add it to data/currencies.csv)')
where dup_rank = 1 and p_text(currency) is not null
  and norm_key(currency) not in (select key from cfg_currencies);
