-- One row per region x currency: won deals and their revenue (deal 107's duplicate line counts once).
select region, currency, count(*) as deals, sum(amount) as revenue
from deals where status = 'won'
group by all order by region, currency
