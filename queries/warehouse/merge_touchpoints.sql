-- One row per (lead, deal, time, channel, campaign) touch. Params: $load_id.
-- The batch is written straight into touchpoints (a temp copy first wrote every row twice: 5.7 s of
-- the 2M demo's 15.5M touches), and then:
-- - a touch of an earlier load with the key of one of the batch's is replaced by it;
-- - a touch repeated in the batch (lines that differ only in text the canonical values drop) is kept
--   once. Repeats are found by sorting the rows' hashes, which spills to disk, and only the repeated
--   rows are compared: a plain `select distinct` keeps one hash group per row, and at 80M rows that
--   aggregate ran out of the load's memory pool.
insert into touchpoints by name
select
    s.touch_at, s.lead_id, s.deal_id, cm.channel, campaign_key(s.campaign) as campaign,
    lower(s.utm_source) as utm_source, lower(s.utm_medium) as utm_medium,
    $load_id as load_id
from good s
left join chan_map cm
  on cm.ch_channel is not distinct from s.channel and cm.ch_utm_source is not distinct from s.utm_source
 and cm.ch_utm_medium is not distinct from s.utm_medium and cm.ch_source is null;

-- Earlier loads' touches with a key the batch has (none to compare on a first load: the join's
-- build side, the other loads' rows, is empty).
delete from touchpoints t
using (select touch_at, lead_id, deal_id, channel, campaign from touchpoints where load_id = $load_id) b
where t.load_id <> $load_id
  and t.touch_at = b.touch_at and t.lead_id is not distinct from b.lead_id
  and t.deal_id is not distinct from b.deal_id and t.channel = b.channel
  and t.campaign is not distinct from b.campaign;

create or replace temp table batch_repeats as
select distinct h from (
    select h, lead(h) over (order by h) as next_h
    from (select hash(touch_at, lead_id, deal_id, channel, campaign, utm_source, utm_medium) as h
          from touchpoints where load_id = $load_id)
) where h = next_h;

-- Every copy of a repeated touch but its first (rows of one hash that are equal in every column).
create or replace temp table batch_extra as
select rid from (
    select rowid as rid, row_number() over (
        partition by touch_at, lead_id, deal_id, channel, campaign, utm_source, utm_medium order by rowid) as k
    from touchpoints
    where load_id = $load_id
      and hash(touch_at, lead_id, deal_id, channel, campaign, utm_source, utm_medium) in (select h from batch_repeats)
) where k > 1;

delete from touchpoints where rowid in (select rid from batch_extra);

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - repeated touches kept once.
-- A lookup that matched a row twice breaks it: its extra rows either differ from the first (and stay,
-- one too many) or equal it (and are counted here as merged, one too few left).
create or replace temp table merge_rows as
select (select count(*) from batch_extra) as rows_merged, 0 as rows_spread;
