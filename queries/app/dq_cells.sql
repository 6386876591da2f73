-- One row: cell and lead figures the Data page's quality tab states. Params: none.
-- Cells read as empty (cell_warnings), won deals with no amount, deals that took their lead's channel.
select (select count(*) from cell_warnings) as cells_warned,
       count(*) filter (where status = 'won' and amount is null) as won_no_amount,
       count(*) filter (where channel_from_lead) as channel_from_lead
from deals
