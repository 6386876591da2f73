-- One row: deal counts by status, the win rate and the lead count over all loaded data. Params: none.
with

deal_statuses as (
    select status from deals
),

lead_ids as (
    select lead_id from leads
),

deal_counts as (
    select
        count(*) as deals,
        count(*) filter (where status = 'won') as won_deals,
        count(*) filter (where status = 'lost') as lost_deals,
        count(*) filter (where status = 'open') as open_deals
    from deal_statuses
),

lead_counts as (
    select count(*) as leads from lead_ids
),

final as (
    select
        deal_counts.*,
        -- open deals are undecided, so they count for neither side of the rate
        won_deals / nullif(won_deals + lost_deals, 0) as win_rate,
        lead_counts.leads
    from deal_counts
    cross join lead_counts
)

select * from final
