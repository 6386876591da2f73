-- Rejects activities whose owner department is not marketing or sales.
update typed set reason = concat_ws('; ', reason, 'unknown owner ''' || p_text(owner) || ''' (expected marketing or sales)')
where dup_rank = 1
  and coalesce(norm_key(owner), '') not in (select key from cfg_owners where owner in ('marketing', 'sales'));
