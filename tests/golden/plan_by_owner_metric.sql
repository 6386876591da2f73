-- One row per owner x metric: plan lines and their summed target (the 'прибыль' line is rejected).
select owner, metric, count(*) as lines, sum(target) as target
from plan group by all order by owner, metric
