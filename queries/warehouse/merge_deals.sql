-- One row per (source_system, deal_id). Params: $load_id, $source_system, $currency, $sum_lines.
-- The batch (temp view good) replaces earlier exports of the same deals: the latest export wins,
-- and inside one file the last line of a deal wins. Vocabulary lookups run over distinct values.
-- Inside one file the last line of a deal_id wins; only repeated IDs pay for the window.
create or replace temp table superseded as
select rn from (
    select rn, row_number() over (partition by deal_id order by rn desc) as k from good
    where deal_id in (select deal_id from good group by deal_id having count(*) > 1)
) where k > 1;

-- $sum_lines: the export writes one line per product of a deal (Bitrix24 with products), so a
-- repeated deal's amount is the sum of its lines; otherwise the last line's amount stands. A deal holds one
-- product (the warehouse contract): that of its largest line (the first of equal ones), not of whichever
-- line came last; the load's notes count the deals whose lines named several products.
create or replace temp table line_sums as
select deal_id, sum(amount) as amount, first(product order by amount desc nulls last, rn) as product,
       count(distinct product) as products
from good
where $sum_lines and deal_id in (select deal_id from good group by deal_id having count(*) > 1)
group by deal_id;

-- one row per raw text by construction (group by raw): a deal joins it twice (status, stage) and
-- must stay one row whatever cfg_stages holds
create or replace temp table lk_status as
select d.raw, min(c.status) as status
from (select status as raw from good where status is not null
      union select stage from good where stage is not null) d
join cfg_stages c on c.key = norm_key(d.raw)
group by d.raw;

delete from deals where source_system = $source_system and deal_id in (select deal_id from good);

insert into deals by name
with src as (
    select * from good where rn not in (select rn from superseded)
),

final as (
    select
        s.deal_id, $source_system as source_system, s.title, s.created_at, s.closed_at,
        coalesce(by_status.status, by_stage.status, 'open') as status,
        coalesce(s.stage, s.status) as stage, s.status as status_raw,
        round(coalesce(ls.amount, s.amount), 2)::decimal(18,2) as amount,
        coalesce(cur.currency, $currency) as currency,
        coalesce(rg.region, s.region) as region, s.region as region_raw,
        case when ls.deal_id is null then s.product else ls.product end as product, s.manager, coalesce(cm.channel, 'unknown') as channel, s.source,
        lower(s.utm_source) as utm_source, lower(s.utm_medium) as utm_medium,
        campaign_key(s.utm_campaign) as utm_campaign, s.utm_campaign as utm_campaign_raw,
        s.lead_id, s.lost_reason, $load_id as load_id
    from src s
    left join line_sums ls on ls.deal_id = s.deal_id
    left join lk_region rg on rg.raw = s.region
    left join lk_status by_status on by_status.raw = s.status
    left join lk_status by_stage on by_stage.raw = s.stage
    left join lk_currency cur on cur.raw = s.currency
    left join chan_map cm
      on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
     and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is not distinct from s.source
)

select * from final;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - lines superseded by a later
-- line of their deal (or summed into it, $sum_lines). A lookup that matched a line twice breaks it.
create or replace temp table merge_rows as
select (select count(*) from superseded) as rows_merged, 0 as rows_spread,
       (select count(*) from line_sums where products > 1) as deals_several_products;
