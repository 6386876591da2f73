-- One row per (lead, deal, time, channel, campaign) touch. Params: $load_id.
-- A touch repeated in the batch (lines that differ only in text the canonical values drop) is kept
-- once. Repeats are found by sorting the rows' hashes, which spills to disk, and only the repeated
-- rows are de-duplicated: a plain `select distinct` keeps one hash group per row, and at 80M rows
-- that aggregate ran out of the load's memory pool. Each row's hash is computed once, in batch_rows.
create or replace temp table batch_rows as
select *, hash(touch_at, lead_id, deal_id, channel, campaign, utm_source, utm_medium) as h
from (
select
    s.touch_at, s.lead_id, s.deal_id, cm.channel, campaign_key(s.campaign) as campaign,
    lower(s.utm_source) as utm_source, lower(s.utm_medium) as utm_medium,
    $load_id as load_id
from good s
left join chan_map cm
  on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
 and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is null
);

create or replace temp table batch_repeats as
select distinct h from (select h, lead(h) over (order by h) as next_h from batch_rows) where h = next_h;

delete from touchpoints t using batch_rows b
where t.touch_at = b.touch_at and t.lead_id is not distinct from b.lead_id
  and t.deal_id is not distinct from b.deal_id and t.channel = b.channel
  and t.campaign is not distinct from b.campaign;

insert into touchpoints by name
select * exclude (h) from batch_rows anti join batch_repeats using (h)
union all
select distinct * exclude (h) from batch_rows semi join batch_repeats using (h);

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - repeated touches kept once.
-- batch_rows holds one row per good row unless a lookup matched a row twice, which breaks the
-- equation (counted from the inserted rows: hashing 80M rows again for it costs seconds).
create or replace temp table merge_rows as
select (select count(*) from batch_rows) - (select count(*) from touchpoints where load_id = $load_id)
       as rows_merged, 0 as rows_spread;
