-- Money carries an ISO currency code, never a name or an empty value.
select 'deals' as tbl, currency from deals where amount is not null and not regexp_full_match(coalesce(currency, ''), '[A-Z]{3}')
union all
select 'ad_spend', currency from ad_spend where not regexp_full_match(coalesce(currency, ''), '[A-Z]{3}')
union all
select 'sales', currency from sales where not regexp_full_match(coalesce(currency, ''), '[A-Z]{3}')
