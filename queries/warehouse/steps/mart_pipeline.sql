-- Open deals as of the build: the pipeline by where it stands now.
create or replace table mart_pipeline as
select region, channel, product, coalesce(currency, '(none)') as currency, coalesce(stage, '(none)') as stage,
       count(*) as open_deals, coalesce(sum(amount), 0)::decimal(18,2) as open_amount,
       coalesce(sum(amount_base), 0)::decimal(18,2) as open_amount_base
from deal_facts where status = 'open'
group by all;
