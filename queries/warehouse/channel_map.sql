-- One row per distinct (channel, utm_source, utm_medium, source) text tuple of the batch
-- (temp view chan_in): the first matching data/channel_rules.csv rule by priority wins.
-- Rules run over distinct tuples, not rows, so a million-row batch costs a few hundred regex calls.
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
                                              else coalesce(t.ch_source, t.ch_channel) end), r.pattern)
),

final as (
    select t.*, coalesce((select arg_min(c.channel, c.priority) from candidates c
                          where c.ch_channel is not distinct from t.ch_channel
                            and c.ch_utm_source is not distinct from t.ch_utm_source
                            and c.ch_utm_medium is not distinct from t.ch_utm_medium
                            and c.ch_source is not distinct from t.ch_source), 'unknown') as channel
    from tuples t
)

select * from final;
