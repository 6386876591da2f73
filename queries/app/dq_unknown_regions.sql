-- One row per source x region text that data/regions.csv does not know, most rows first. Params: none.
select source, raw_text, rows from dq_unknown_regions order by rows desc limit 500
