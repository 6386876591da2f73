-- Rejects spend rows whose reporting range ends before it starts (Meta's Reporting starts/ends).
update typed set reason = concat_ws('; ', typed.reason, 'the row''s period ends before it starts')
from (select rn from staged
      where kind = 'data' and dup_rank = 1 and end_date < date) s
where typed.rn = s.rn;
