-- One row per channel: deals by status, with the channel's owner from data/channels.csv.
select d.channel, c.owner, count(*) as deals,
       count(*) filter (where status = 'open') as open,
       count(*) filter (where status = 'won') as won,
       count(*) filter (where status = 'lost') as lost
from deals d join cfg_channels c using (channel)
group by all order by d.channel
