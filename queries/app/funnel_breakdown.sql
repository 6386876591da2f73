-- One row per breakdown ('channel' | 'region' | 'manager' | 'manager_region') x value: the period's leads
-- (by creation day) and how far they went: qualified, converted into a deal, won; their won revenue (base
-- currency) and first contact: contacted, within the agreed working hours (cfg_agreement.first_contact_hours),
-- the hours summed over contacted leads. 'manager_region' rows (the SLA table) carry manager and region.
-- linked_leads (the same on every row): the period's leads a deal names by its lead id; with none (a Bitrix24
-- deal list has no lead id column) what the leads' deals won is unknown, not 0 (model/metrics.py UNLINKED).
-- Params: $date_from, $date_to, $regions (leads carry no product).
with leads as (
    select * from funnel_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
),

by_value as (
    select case when grouping(channel) = 0 then 'channel'
                when grouping(region) = 0 and grouping(manager) = 0 then 'manager_region'
                when grouping(region) = 0 then 'region' else 'manager' end as breakdown,
           coalesce(channel, region, manager) as value, manager, region,
           sum(leads)::bigint as leads, sum(qualified)::bigint as qualified, sum(converted)::bigint as converted,
           sum(won_leads)::bigint as won_leads, sum(won_deals)::bigint as won_deals,
           sum(won_revenue_base) as won_revenue_base, sum(judged)::bigint as judged, sum(contacted)::bigint as contacted,
           sum(within_sla)::bigint as within_sla, sum(response_hours_sum) as response_hours_sum
    from leads
    group by grouping sets ((channel), (region), (manager), (manager, region))
),

final as (
    -- channels in the UI language from data/channels.csv; regions and managers are names already
    select b.*, coalesce(c.label_ru, b.value) as label_ru, coalesce(c.label_en, b.value) as label_en,
           c.owner as channel_owner, (select coalesce(sum(linked), 0) from leads)::bigint as linked_leads
    from by_value b
    left join cfg_channels c on b.breakdown = 'channel' and c.channel = b.value
)

select * from final order by breakdown, leads desc, value, manager
