-- The region the Regions page's drill-down opens on, asked beside metrics_region so the drill-down's
-- queries need not wait for that one: the known region (in cfg_regions, not '(none)') with the most
-- revenue in the period under the filters, ties by name, as metrics_region orders its rows
-- (model.views.regions.default_region picks from those). No row when no known region has revenue:
-- the view then takes metrics_region's pick, as it does whenever the two differ.
-- Params: $date_from, $date_to, $regions, $products.
select region
from region_rows($date_from, $date_to)
where (len($regions) = 0 or list_contains($regions, region))
  and (len($products) = 0 or product is null or list_contains($products, product))
  and region <> '(none)'
  and region in (select region from cfg_regions)
group by region
having sum(revenue_base) is not null
order by sum(revenue_base) desc, region
limit 1
