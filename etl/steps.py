"""The warehouse build as an ordered list of steps, each naming what it reads and what it builds.

After the merges have filled the contract's tables, `etl.build.run_steps` runs these steps in this
order and nothing else: all of them on a fresh build, else those whose inputs a load changed. Like
dbt's ref() graph, every step names the objects it reads and builds, so the order is checked rather
than assumed (`check`), a temp table is dropped after its last reader (`schedule`), and
`python -m etl steps` prints the graph. tests/test_build_steps.py holds each declaration to what
DuckDB's binder says the step's SQL reads and creates.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from etl.paths import QUERIES_DIR

STEPS_DIR = QUERIES_DIR / "warehouse" / "steps"

# What the steps start from: the contract's tables (schema.sql), filled by the merges, and data/
# config as cfg_* tables (etl.build.load_config). The test compares this with the catalog.
SOURCES = frozenset({
    "deals", "leads", "touchpoints", "ad_spend", "campaigns", "plan", "activities", "sales", "traffic",
    "loads", "rejects", "cell_warnings", "meta",
    "cfg_fx", "cfg_agreement", "cfg_regions", "cfg_region_alias", "cfg_channels", "cfg_channel_rules",
    "cfg_campaign_rules", "cfg_stages", "cfg_lead_statuses", "cfg_currencies", "cfg_plan_metrics",
    "cfg_owners", "cfg_activity_statuses", "cfg_attribution", "cfg_alerts",
})


@dataclass(frozen=True)
class Step:
    """One SQL file of the build: queries/warehouse/steps/<name>.sql."""

    name: str
    reads: tuple[str, ...]
    builds: tuple[str, ...] = ()   # tables and table macros the warehouse keeps
    temp: tuple[str, ...] = ()     # temp tables: the step's own scratch, or handed to later steps
    updates: tuple[str, ...] = ()  # source tables whose derived columns or rows the step rewrites

    @property
    def path(self) -> Path:
        return STEPS_DIR / f"{self.name}.sql"

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.builds + self.temp


STEPS: tuple[Step, ...] = (
    # Source tables made whole in place, before anything reads them. Their updates touch only rows whose
    # values change, so the rows they report say whether the table changed (etl.build.run_steps).
    Step("campaign_fill",
         reads=("ad_spend", "campaigns", "cfg_region_alias", "cfg_campaign_rules"),
         temp=("campaign_rule_fill",), updates=("ad_spend", "campaigns")),
    Step("campaign_keys",
         reads=("ad_spend", "campaigns", "deals", "leads", "touchpoints", "traffic"),
         temp=("campaign_ids", "utm_ids"), updates=("deals", "leads", "touchpoints", "traffic")),
    Step("deals_from_leads", reads=("deals", "leads"), temp=("deal_lead",), updates=("deals",)),
    # CRM against accounting.
    Step("reconciliation", reads=("deals", "sales", "cfg_agreement", "cfg_fx"),
         temp=("rc_won", "rc_docs", "rc_match"), builds=("recon_differences", "recon_region_month")),
    # What the exports did not say clearly (the Data page, `etl status`, `etl vocab`).
    Step("dq_unrecognised",
         reads=("deals", "leads", "touchpoints", "ad_spend", "sales", "rejects", "loads", "cfg_stages",
                "cfg_regions", "cfg_lead_statuses", "cfg_agreement", "cfg_fx"),
         builds=("dq_unrecognised", "dq_unknown_regions", "dq_unknown_stages", "dq_unknown_channels")),
    Step("dq_unmapped_campaigns", reads=("ad_spend", "campaigns", "deals"), builds=("dq_unmapped_campaigns",)),
    Step("dq_cells", reads=("deals", "cell_warnings"), builds=("dq_cells", "dq_won_no_amount")),
    # Aggregate tables the pages read (queries/app/*.sql), rebuilt when their inputs change. Their size
    # follows days x regions x channels x products, not the number of deals, so pages cost about the same at
    # 10M deals as at 10k. Day marts are written in day order, so a period filter reads only the row
    # groups of its days (DuckDB's min/max zonemaps). Money stays in its currency; *_base columns
    # convert it into the agreed base currency through data/fx_rates.csv (null when a currency has no
    # rate), for plan vs fact.
    Step("deal_facts", reads=("deals", "touchpoints", "cfg_channels", "cfg_agreement", "cfg_fx",
                                "cfg_attribution"),
         temp=("deal_touch", "deal_facts")),
    Step("mart_deals_day", reads=("deal_facts",), builds=("mart_deals_day",)),
    Step("mart_pipeline", reads=("deal_facts",), builds=("mart_pipeline",)),
    Step("lead_facts", reads=("leads", "deal_facts", "cfg_agreement"), temp=("lead_facts",)),
    Step("mart_leads_day", reads=("lead_facts",), builds=("mart_leads_day",)),
    Step("alert_missed_contacts", reads=("lead_facts",), builds=("alert_missed_contacts",)),
    Step("mart_manager_deals_day", reads=("deal_facts",),
         builds=("mart_manager_deals_day", "mart_manager_deals_month", "manager_deals_rows")),
    Step("mart_spend_day", reads=("ad_spend", "campaigns", "cfg_agreement", "cfg_fx"), temp=("spend_facts",),
         builds=("mart_spend_day",)),
    Step("mart_region", reads=("mart_deals_day", "mart_spend_day", "mart_leads_day"),
         builds=("mart_region_day", "mart_region_month", "region_rows", "month_part")),
    Step("mart_channel", reads=("mart_deals_day", "mart_spend_day", "mart_leads_day"),
         builds=("mart_channel_day", "mart_channel_month", "channel_rows")),
    Step("mart_freshness",
         reads=("deals", "leads", "ad_spend", "sales", "traffic", "plan", "loads", "mart_region_day"),
         builds=("mart_freshness",)),
    Step("mart_campaign_day", reads=("spend_facts", "leads"),
         builds=("mart_campaign_day", "mart_campaign_month", "campaign_rows")),
    Step("mart_cohort_day", reads=("deal_facts", "cfg_regions"), builds=("mart_cohort_day",)),
    Step("mart_dq", reads=("mart_deals_day", "cfg_regions", "rejects"), builds=("mart_dq",)),
    Step("mart_funnel", reads=("lead_facts",), builds=("mart_funnel_day", "mart_funnel_month", "funnel_rows")),
    # Alerts: each region's and campaign's recent days against its own weeks, exports gone quiet, values
    # no rule knows (data/alerts.toml); checked after every load that changes what they read.
    Step("alert_series", reads=("mart_leads_day", "mart_campaign_day", "ad_spend", "campaigns", "cfg_regions",
                                "cfg_alerts", "cfg_agreement", "cfg_fx"),
         temp=("al_region_day", "al_campaign_day")),
    Step("alert_region", reads=("al_region_day", "cfg_alerts"), builds=("alert_region_flags",)),
    Step("alert_campaign", reads=("al_campaign_day", "cfg_alerts"), builds=("alert_campaign_flags",)),
    Step("alert_unrecognised", reads=("leads", "cfg_regions", "cfg_alerts"), temp=("al_unrecognised_day",),
         builds=("alert_unrecognised_flags",)),
    Step("alerts", reads=("alert_region_flags", "alert_campaign_flags", "alert_unrecognised_flags",
                          "alert_missed_contacts", "deals", "leads", "ad_spend", "sales", "traffic", "loads",
                          "cfg_alerts"),
         builds=("alerts",)),
    # Campaign impact: regional flights.
    Step("flights", reads=("ad_spend",), builds=("flights",)),
    # Attribution (analysis/attribution.py is the reference the SQL is tested against).
    Step("attribution_journeys", reads=("deals", "leads", "touchpoints", "cfg_attribution", "cfg_agreement", "cfg_fx"),
         temp=("attr_params", "attr_deals", "attr_touches")),
    Step("attribution_credit", reads=("attr_params", "attr_deals", "attr_touches", "cfg_channels"),
         temp=("attr_touched", "attr_weighted", "attr_single", "attr_one", "attr_long", "attr_credit_many",
               "attr_day_many"),
         # the *_compact tables hold what the step writes (one-touch credit once, under model '*'); the
         # views of the same names without _compact add it up per model for every reader but the macros
         builds=("attribution_models", "credited_to", "attribution_credit_compact", "attribution_campaign_day_compact",
                 "attribution_channel_day_compact", "attribution_campaign_month_compact",
                 "attribution_channel_month_compact", "attribution_credit", "attribution_campaign_day",
                 "attribution_channel_day", "attribution_campaign_month", "attribution_channel_month",
                 "attribution_channel_rows", "attribution_campaign_rows")),
    Step("attribution_paths", reads=("attr_params", "attr_deals", "attr_touches"), temp=("attr_deal_path",),
         builds=("attribution_paths",)),
    Step("attribution_model_inputs", reads=("attribution_paths",),
         builds=("attribution_transitions", "attribution_channel_sets")),
)


def check(steps: Sequence[Step], sources: Iterable[str] = SOURCES) -> list[str]:
    """What is wrong with the order or the declarations, one line per problem; empty when none.

    Every step reads only sources and objects an earlier step built; nothing is built twice or over a
    source; a source is updated only by steps that run before every step that just reads it, so no
    step reads a table another step has not finished with; a step that updates sources hands no temp
    table on."""
    sources = frozenset(sources)
    problems: list[str] = []
    names = [s.name for s in steps]
    problems += [f"step {n} appears twice" for n in sorted({n for n in names if names.count(n) > 1})]
    made_by = {name: s.name for s in steps for name in s.outputs}
    built: dict[str, str] = {}
    readers: dict[str, list[str]] = {}   # source -> steps that read it without updating it, so far
    for step in steps:
        for name in step.reads:
            if name in step.outputs:
                problems.append(f"{step.name} declares {name} as both read and built")
            elif name in sources or name in built:
                if name not in step.updates:
                    readers.setdefault(name, []).append(step.name)
            elif name in made_by:
                problems.append(f"{step.name} reads {name}, which {made_by[name]} builds only later")
            else:
                problems.append(f"{step.name} reads {name}, which no step builds and no source holds")
        for name in step.updates:
            if name not in sources:
                problems.append(f"{step.name} updates {name}, which is not a source table")
            elif readers.get(name):
                problems.append(f"{step.name} updates {name} after {', '.join(readers[name])} read it")
        for name in step.outputs:
            if name in sources:
                problems.append(f"{step.name} builds {name}, a source table")
            elif name in built:
                problems.append(f"{name} is built twice: by {built[name]} and {step.name}")
            else:
                built[name] = step.name
    # run_steps may run a temp table's maker out of turn, for a later step that needs it: that must not
    # rewrite a source the steps between them have read
    handed = {name for s in steps for name in s.reads}
    for step in steps:
        if step.updates and (passed := sorted(handed & set(step.temp))):
            problems.append(f"{step.name} updates sources and hands {', '.join(passed)} to later steps")
    return problems


def schedule(steps: Sequence[Step]) -> list[tuple[Step, tuple[str, ...]]]:
    """Each step with the temp tables to drop after it: those no later step reads."""
    last_use = {name: i for i, s in enumerate(steps) for name in s.temp}
    for i, s in enumerate(steps):
        for name in s.reads:
            if name in last_use:
                last_use[name] = max(last_use[name], i)
    return [(s, tuple(n for n, last in last_use.items() if last == i)) for i, s in enumerate(steps)]


def describe(steps: Sequence[Step] = STEPS) -> str:
    """The build order as text: one block per step, what it reads, updates and builds."""
    lines = []
    for i, (step, drops) in enumerate(schedule(steps), start=1):
        lines.append(f"{i:2}. {step.name}  ({step.path.relative_to(QUERIES_DIR.parent)})")
        for label, names in (("reads", step.reads), ("updates", step.updates), ("builds", step.builds),
                             ("temp", step.temp), ("drops after", drops)):
            if names:
                lines.append(f"      {label + ':':<12} {', '.join(names)}")
    return "\n".join(lines)


def steps_hash(steps: Sequence[Step] = STEPS) -> str:
    """One hash over the declarations, every step's SQL and the macros and schema they run on: a
    warehouse built under another hash has derived tables no load may patch, so its build runs all."""
    h = hashlib.sha256()
    for step in steps:
        h.update(repr(step).encode())
        h.update(step.path.read_bytes())
    for name in ("macros.sql", "schema.sql"):
        h.update((QUERIES_DIR / "warehouse" / name).read_bytes())
    return h.hexdigest()[:16]


def temp_producers(steps: Sequence[Step]) -> dict[str, Step]:
    """Temp table -> the step that makes it."""
    return {name: s for s in steps for name in s.temp}
