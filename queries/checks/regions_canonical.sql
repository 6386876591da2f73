-- Every region that config knows (as a name or an alias) is stored under its canonical name;
-- unknown ones keep their raw text and are reported by dq_unknown_regions.
with stored as (
    select distinct region from (
        select region from deals union all select region from leads
        union all select region from ad_spend union all select region from sales
        union all select region from plan union all select region from campaigns
    )
)

select s.region, a.region as canonical
from stored s
join cfg_region_alias a on a.key = region_key(s.region)
where s.region <> a.region
