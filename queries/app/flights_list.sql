-- One row per regional flight (derived table flights), newest first, with its platform and channel;
-- flights overlapping the period come first. Params: $date_from, $date_to, $regions.
select f.campaign, f.regions, f.start_date, f.end_date, f.spend::double as spend, f.share,
       c.platform, c.channel, f.start_date <= $date_to and f.end_date >= $date_from as in_period
from flights f
left join (select campaign, any_value(platform) as platform, any_value(channel) as channel
           from campaigns group by campaign) c using (campaign)
where len($regions) = 0 or len(list_intersect(f.regions, $regions)) > 0
order by in_period desc, f.start_date desc
