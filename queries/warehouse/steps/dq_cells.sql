-- The Data page's cell and lead figures, computed here so the page never scans deals: cells read as
-- empty, won deals whose amount the export did not give (revenue unknown, not zero), and deals that
-- took their lead's channel (deals_from_leads.sql).
create or replace table dq_cells as
select (select count(*) from cell_warnings) as cells_warned,
       count(*) filter (where status = 'won') as won_deals,
       count(*) filter (where status = 'won' and amount is null) as won_no_amount,
       count(*) filter (where channel_from_lead) as channel_from_lead
from deals;

create or replace table dq_won_no_amount as
select currency, region, count(*) as deals
from deals
where status = 'won' and amount is null
group by all;
