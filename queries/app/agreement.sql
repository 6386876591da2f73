-- One row: the signed-off base currency and SLA targets from data/agreements.toml. Params: none.
select base_currency, first_contact_hours, day_start, day_end, working_days, min_qualified_share,
       min_lead_to_deal
from cfg_agreement
