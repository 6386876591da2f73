-- The first $rows campaigns with spend but no region/channel, or CRM utm values no ad export knows
-- (null: all, for the export), largest spend first, and how many there are (all_rows). Params: $rows.
select source, campaign, platform, missing, rows, cost, currency, won_deals,
       (select count(*) from dq_unmapped_campaigns) as all_rows
from dq_unmapped_campaigns
order by cost desc nulls last, rows desc, source, campaign
limit $rows
