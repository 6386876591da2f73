-- One row: cell and lead figures the Data page's quality tab states (dq_cells, computed at build).
-- Cells read as empty (cell_warnings), won deals with no amount, deals that took their lead's channel.
-- Params: none.
select cells_warned, won_deals, won_no_amount, channel_from_lead from dq_cells
