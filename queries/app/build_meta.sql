-- The build's own record (etl/build.py): the config hash and build steps' hash it was built with, when, the agreements
-- file's text at that time and its version and date (none in a warehouse built before versions). One row
-- per key. Params: none.
select key, value from meta
where key in ('config_hash', 'steps_hash', 'built_at', 'agreements', 'agreement_version', 'agreement_date')
