-- One row per campaign with spend but no region/channel, or a CRM utm value no ad export knows.
-- Params: none.
select source, campaign, platform, missing, rows, cost, currency, won_deals
from dq_unmapped_campaigns order by cost desc nulls last, rows desc limit 500
