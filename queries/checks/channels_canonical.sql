-- Every deal, lead, touch and spend row has a channel from data/channels.csv ('unknown' included).
select 'deals' as tbl, channel from deals where channel not in (select channel from cfg_channels)
union all
select 'leads', channel from leads where channel not in (select channel from cfg_channels)
union all
select 'touchpoints', channel from touchpoints where channel not in (select channel from cfg_channels)
union all
select 'ad_spend', channel from ad_spend where channel not in (select channel from cfg_channels)
