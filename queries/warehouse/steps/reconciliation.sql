-- CRM won deals vs accounting (sales, e.g. 1C) per region and month, and the differences line by
-- line: won deals with no sale document, documents with no CRM deal, returns, amounts that differ.
-- A deal matches a document posted 3 days before to 14 days after its close: first by customer
-- and amount (in any region: the CRM's region may be missing or wrong), then in the same region by
-- amount alone, then by customer alone in any region (a deal in another currency than the document);
-- in each pass a pair is kept only when each is the other's nearest in time, so matches are 1:1.
-- With no accounting export loaded there is nothing to compare: no deal is a difference and the
-- tables stay empty (the Data page says so), rather than listing every won deal as missing.
-- Customers are compared by norm_key, computed once per distinct name and joined back: a name recurs
-- across deals and documents, and the macro costs about 1 us a row (0.6 s per table on the 2M demo,
-- 1,120 names among 506k won deals).
create or replace temp table rc_won as
with won as (
    select deal_id, closed_at::date as d, region, coalesce(title, '') as name, amount, currency
    from deals where status = 'won' and closed_at is not null and amount is not null and exists (from sales)
)
select w.deal_id, w.d, w.region, k.cust, w.amount, w.currency
from won w
join (select name, norm_key(name) as cust from (select distinct name from won)) k using (name);

create or replace temp table rc_docs as
with docs as (
    select coalesce(document, 'line ' || (rowid - (select min(rowid) from sales))) as document,
           min(sale_date) as d, any_value(region) as region, coalesce(any_value(customer), '') as name,
           sum(amount) as amount, currency
    from sales where amount > 0
    group by all
)
select s.document, s.d, s.region, k.cust, s.amount, s.currency
from docs s
join (select name, norm_key(name) as cust from (select distinct name from docs)) k using (name);

create or replace temp table rc_match (deal_id varchar, document varchar, pass integer);

insert into rc_match
select deal_id, document, 1 from (
    select w.deal_id, s.document,
           row_number() over (partition by w.deal_id order by abs(s.d - w.d), s.document) as rd,
           row_number() over (partition by s.document order by abs(s.d - w.d), w.deal_id) as rs
    from rc_won w join rc_docs s
      on s.cust = w.cust and s.currency = w.currency and s.amount = w.amount
     and s.d between w.d - 3 and w.d + 14
    where w.cust <> '')
where rd = 1 and rs = 1;

insert into rc_match
select deal_id, document, 2 from (
    select w.deal_id, s.document,
           row_number() over (partition by w.deal_id order by abs(s.d - w.d), s.document) as rd,
           row_number() over (partition by s.document order by abs(s.d - w.d), w.deal_id) as rs
    from (from rc_won anti join rc_match using (deal_id)) w
    join (from rc_docs anti join rc_match using (document)) s
      on s.region = w.region and s.currency = w.currency and s.amount = w.amount
     and s.d between w.d - 3 and w.d + 14)
where rd = 1 and rs = 1;

insert into rc_match
select deal_id, document, 3 from (
    select w.deal_id, s.document,
           row_number() over (partition by w.deal_id order by abs(s.d - w.d), s.document) as rd,
           row_number() over (partition by s.document order by abs(s.d - w.d), w.deal_id) as rs
    from (from rc_won anti join rc_match using (deal_id)) w
    join (from rc_docs anti join rc_match using (document)) s
      on s.cust = w.cust and s.d between w.d - 3 and w.d + 14
    where w.cust <> '')
where rd = 1 and rs = 1;

create or replace table recon_differences as
select 'crm_only' as kind, w.region, w.d as date, w.deal_id, null::varchar as document,
       d.title as customer, w.amount as crm_amount, null::decimal(18,2) as sales_amount, w.currency
from rc_won w anti join rc_match m using (deal_id)
join deals d on d.deal_id = w.deal_id
union all
select 'accounting_only', s.region, s.d, null, s.document, s.cust, null, s.amount, s.currency
from rc_docs s anti join rc_match m using (document)
union all
select 'amount_differs', w.region, w.d, w.deal_id, s.document, s.cust, w.amount, s.amount, w.currency
from rc_match m join rc_won w using (deal_id) join rc_docs s using (document)
where m.pass = 3 and w.currency = s.currency and w.amount <> s.amount
union all
select 'region_differs', w.region, w.d, w.deal_id, s.document, s.cust, w.amount, s.amount, w.currency
from rc_match m join rc_won w using (deal_id) join rc_docs s using (document)
where w.region is distinct from s.region
union all
select 'return', region, sale_date, null, document, customer, null, amount, currency
from sales where amount < 0
order by date;   -- the Data page reads a period: zonemaps skip the other dates

-- Per region and month in the base currency (a USD deal is one RUB document in 1C): other currencies
-- convert through data/fx_rates.csv at the close or sale date.
create or replace table recon_region_month as
-- rates in force per currency and day, looked up once per distinct pair rather than per row (as
-- deal_facts does)
with fx_won as (
    select k.currency, k.day, fx.rate
    from (select distinct currency, closed_at::date as day from deals where status = 'won' and exists (from sales)) k
    asof join cfg_fx fx on fx.currency = k.currency and k.day >= fx.valid_from
),
fx_sale as (
    select k.currency, k.day, fx.rate
    from (select distinct currency, sale_date as day from sales) k
    asof join cfg_fx fx on fx.currency = k.currency and k.day >= fx.valid_from
),
crm as (
    select d.region, date_trunc('month', d.closed_at)::date as month,
           sum(d.amount * case when d.currency = a.base_currency then 1 else fx.rate end) as crm_won_amount,
           count(*) as crm_won_deals
    from deals d cross join cfg_agreement a
    left join fx_won fx on fx.currency = d.currency and fx.day = d.closed_at::date
    where d.status = 'won' and d.closed_at is not null and exists (from sales)
    group by all
),
acc as (
    select s.region, date_trunc('month', s.sale_date)::date as month,
           sum(s.amount * case when s.currency = a.base_currency then 1 else fx.rate end)
               filter (where s.amount > 0) as sales_amount,
           coalesce(sum(s.amount * case when s.currency = a.base_currency then 1 else fx.rate end)
               filter (where s.amount < 0), 0) as returns_amount
    from sales s cross join cfg_agreement a
    left join fx_sale fx on fx.currency = s.currency and fx.day = s.sale_date
    group by all
),
diffs as (
    select region, date_trunc('month', date)::date as month,
           count(*) filter (where kind = 'crm_only') as crm_only,
           count(*) filter (where kind = 'accounting_only') as accounting_only,
           count(*) filter (where kind = 'return') as returns
    from recon_differences group by all
)
select region, month, (select base_currency from cfg_agreement) as currency,
       coalesce(crm.crm_won_amount, 0)::decimal(18,2) as crm_won_amount,
       coalesce(crm.crm_won_deals, 0) as crm_won_deals,
       coalesce(acc.sales_amount, 0)::decimal(18,2) as sales_amount,
       coalesce(acc.returns_amount, 0)::decimal(18,2) as returns_amount,
       (coalesce(acc.sales_amount, 0) + coalesce(acc.returns_amount, 0)
        - coalesce(crm.crm_won_amount, 0))::decimal(18,2) as difference,
       coalesce(diffs.crm_only, 0) as crm_only, coalesce(diffs.accounting_only, 0) as accounting_only,
       coalesce(diffs.returns, 0) as returns
from crm full join acc using (region, month)
left join diffs using (region, month);
