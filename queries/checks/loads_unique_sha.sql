-- A file (by content) is loaded at most once: loading it again is a no-op.
select sha256, count(*) as n from loads group by all having count(*) > 1
