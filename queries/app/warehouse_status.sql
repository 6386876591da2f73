-- One row: how many deals the warehouse holds (0: the pages show how to load data). Params: none.
select coalesce(max(row_count) filter (where source = 'deals'), 0) as deals from mart_freshness
