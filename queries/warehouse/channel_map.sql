-- One row per distinct (channel, utm_source, utm_medium, source) text tuple of the batch
-- (temp view chan_in): the first matching data/channel_rules.csv rule by priority wins; a tuple no
-- rule matches keeps channel 'unknown' (there is no catch-all rule: it is listed for a person to map).
-- Rules run over distinct tuples, not rows, so a million-row batch costs a few hundred regex calls.
-- One row per tuple by construction (group by the tuple), so a merge's left join never adds a row.
create or replace temp table chan_map as
with tuples as (
    select distinct ch_channel, ch_utm_source, ch_utm_medium, ch_source from chan_in
),

candidates as (
    select t.ch_channel, t.ch_utm_source, t.ch_utm_medium, t.ch_source, r.priority,
           case when r.channel = '=' then norm_key(t.ch_channel) else r.channel end as channel
    from tuples t
    join cfg_channel_rules r
      on regexp_matches(norm_key(case r.field when 'channel' then t.ch_channel
                                              when 'utm_source' then t.ch_utm_source
                                              when 'utm_medium' then t.ch_utm_medium
                                              else coalesce(t.ch_source, t.ch_channel) end), r.pattern, 'i')
),

first_match as (
    select ch_channel, ch_utm_source, ch_utm_medium, ch_source, arg_min(channel, priority) as channel
    from candidates
    group by all
),

final as (
    select t.ch_channel, t.ch_utm_source, t.ch_utm_medium, t.ch_source,
           coalesce(min(f.channel), 'unknown') as channel
    from tuples t
    left join first_match f
      on f.ch_channel is not distinct from t.ch_channel and f.ch_utm_source is not distinct from t.ch_utm_source
     and f.ch_utm_medium is not distinct from t.ch_utm_medium and f.ch_source is not distinct from t.ch_source
    group by all
)

select * from final;
