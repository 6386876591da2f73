-- One row per lead channel of one region in the period: leads, qualified share, won deals from them,
-- revenue per lead (base currency), ad spend and CPL; the channel's owner and labels from data/channels.csv.
-- Params: $date_from, $date_to, $region.
with leads as (
    select channel, sum(leads) as leads, sum(qualified) as qualified, sum(won_deals) as won_deals,
           sum(won_revenue_base) as revenue
    from mart_leads_day
    where day between $date_from and $date_to and region = $region
    group by channel
),

spend as (
    select channel, sum(cost_base) as spend
    from mart_spend_day
    where day between $date_from and $date_to and region = $region
    group by channel
),

final as (
    select coalesce(l.channel, s.channel) as channel, coalesce(c.owner, 'unknown') as owner,
           c.label_ru, c.label_en,
           coalesce(l.leads, 0) as leads, l.qualified / nullif(l.leads, 0) as qualified_share,
           coalesce(l.won_deals, 0) as won_deals, l.revenue / nullif(l.leads, 0) as revenue_per_lead,
           coalesce(s.spend, 0) as spend, s.spend / nullif(l.leads, 0) as cpl
    from leads l full join spend s using (channel)
    left join cfg_channels c on c.channel = coalesce(l.channel, s.channel)
)

select * from final order by leads desc, channel
