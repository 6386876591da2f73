-- One row: data-quality counts the Data page states (mart_dq, computed at build). Params: none.
-- "No source" = the CRM row's source and utm fields matched no channel rule (channel 'unknown').
select deals, no_source, no_source_share, revenue_no_source_share, revenue_unknown_region_share, rejected_rows
from mart_dq
