-- The build's own record (etl/build.py): the config hash it was built with, when, and the agreements
-- file's text at that time. One row per key. Params: none.
select key, value from meta where key in ('config_hash', 'built_at', 'agreements')
