-- One row per alert still open on the last day its data covers (the build's `alerts`), newest first.
-- Params: $regions (empty: all); alerts with no region (an export, a federal campaign, a raw value) show
-- with any choice of regions.
select rule, owner, responsible, region, campaign, platform, channel, subject, since, detected_on, as_of,
       value, usual, usual_low, usual_high, threshold, unit, window_days
from alerts
where is_open
  and (len($regions) = 0 or region is null or list_contains($regions, region))
order by detected_on desc, rule, region, campaign
