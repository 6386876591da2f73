-- One row per deal stage text data/stages.csv does not map to open/won/lost. Params: none.
select stage, deals from dq_unknown_stages order by deals desc limit 500
