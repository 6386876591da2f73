-- One row per alert episode the build found (`alerts`), open ones first, then the newest. Params:
-- $regions (empty: all; alerts with no region show with any choice), $open_only.
select rule, owner, responsible, region, campaign, platform, channel, subject, since, detected_on, last_seen,
       is_open, as_of, value, usual, usual_low, usual_high, threshold, unit, window_days
from alerts
where (not $open_only or is_open)
  and (len($regions) = 0 or region is null or list_contains($regions, region))
order by is_open desc, detected_on desc, rule, region, campaign
