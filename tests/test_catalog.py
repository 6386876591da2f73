"""Every queries/app file is declared in model/catalog.py, every number column of a metric source is a
registered metric, the runner refuses anything else, and where two queries answer the same question for
the same filters they give the same number."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from model import catalog, metrics
from model.access import OPERATOR
from model.runner import APP_QUERIES, connect, run_on, runner, sql_of, used
from tests.test_metrics import filter_sets

PARAMS = {"date_from": dt.date(2026, 7, 15), "date_to": dt.date(2026, 10, 20), "regions": [], "products": [],
          "region": "Москва", "load_id": None, "warn_load_id": None, "model": "linear", "campaign": None,
          "metric": "revenue", "on": dt.date(2026, 9, 1), "today": dt.date(2026, 9, 1),
          "owners": ["marketing", "sales"], "rows": 500}


@pytest.fixture(scope="module")
def demo(small_demo):
    con = connect(Path(small_demo))
    yield con
    con.close()


def test_every_app_query_is_declared_once_and_exists():
    files = {p.stem for p in APP_QUERIES.glob("*.sql")}
    assert files == set(catalog.SOURCES) | set(catalog.LISTINGS), (
        files ^ (set(catalog.SOURCES) | set(catalog.LISTINGS)))
    assert not set(catalog.SOURCES) & set(catalog.LISTINGS)


def test_the_runner_refuses_an_undeclared_query(tmp_path, monkeypatch):
    monkeypatch.setattr("model.runner.APP_QUERIES", tmp_path)
    (tmp_path / "side_door.sql").write_text("select 1 as revenue", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape("not in model/catalog.py")):
        sql_of("side_door")


def _metric_keys(template: str) -> list[str]:
    if template == catalog.AGREED:
        return []
    if "{" in template:
        return [template.format(metric=m, fact=metrics.PLAN_FACT[m]) for m in metrics.PLAN_FACT]
    return [template]


def test_every_number_column_of_a_source_is_a_registered_metric(demo):
    for name, columns in catalog.SOURCES.items():
        for template in columns.values():
            for key in _metric_keys(template):
                assert key in metrics.REGISTRY, (name, key)
        out = run_on(demo, name, PARAMS, OPERATOR)
        numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not
                   pd.api.types.is_bool_dtype(out[c])]
        undeclared = [c for c in numeric if c not in columns and c not in catalog.DERIVED.get(name, {})]
        assert not undeclared, f"{name}: number columns {undeclared} are not declared in model/catalog.py"
        missing = [c for c in columns if c not in out.columns]
        assert not missing, f"{name}: declared columns {missing} are not in its output"


def _formula(key: str) -> bool:
    m = metrics.REGISTRY[key]
    return bool(m.ratio or m.combine)


def test_sql_sums_and_the_registry_divides(demo):
    """No query column is a formula metric (a ratio or a difference written again in SQL): the runner adds
    those from the query's own columns by the registry's formula, and a ratio of a summed row is the ratio
    of its sums."""
    for name, columns in catalog.SOURCES.items():
        for template in columns.values():
            assert not any(_formula(k) for k in _metric_keys(template)), (name, template)
    for name, wanted in catalog.DERIVED.items():
        assert name in catalog.SOURCES, name
        for template in wanted.values():
            assert all(_formula(k) for k in _metric_keys(template)), (name, template)
        cur = demo.cursor()
        raw = cur.execute(sql_of(name), used(sql_of(name), PARAMS)).df()
        cur.close()
        assert not set(wanted) & set(raw.columns), f"{name} computes {set(wanted) & set(raw.columns)} in SQL"
    managers = run_on(demo, "region_managers", PARAMS, OPERATOR)
    assert len(managers) > 1 and managers.within_sla.sum() > 0
    # the demo's lead exports all carry first contacts: every lead is judged by the rule
    assert (managers.judged == managers.leads).all()
    expected = managers.within_sla.astype(float) / managers.judged.astype(float).where(managers.judged != 0)
    pd.testing.assert_series_equal(managers.within_sla_share, expected, check_names=False)
    summed = managers[["leads", "judged", "contacted", "within_sla", "response_hours_sum", "deals_won", "deals_lost",
                       "revenue"]].sum().to_frame().T
    whole = metrics.with_formulas("region_managers", summed).iloc[0]
    assert whole.within_sla_share == pytest.approx(managers.within_sla.sum() / managers.judged.sum())
    assert whole.win_rate == pytest.approx(managers.deals_won.sum() / (managers.deals_won.sum()
                                                                       + managers.deals_lost.sum()))
    plan = run_on(demo, "plan_fact_region_month", PARAMS, OPERATOR)
    assert set(plan.metric) == set(metrics.PLAN_FACT)
    expected = plan.fact.astype(float) / plan.target_to_date.astype(float).where(plan.target_to_date != 0)
    pd.testing.assert_series_equal(plan.plan_share, expected, check_names=False)


def _sum(frame: pd.DataFrame, column: str) -> float:
    return float(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())


def test_queries_that_answer_the_same_question_agree(demo):
    """For seeded filter sets: the per-currency, per-month and per-week revenue add up to the registry's
    total; a region's months, managers and products add up to its row; the funnel's leads by channel and
    a region's leads by source add up to the leads the registry counts."""
    run = runner(demo, OPERATOR)
    options = run("filter_options", {})
    regions = options[options.kind == "region"].value.tolist()
    products = options[options.kind == "product"].value.tolist()
    for f in filter_sets(regions, products, n=25, seed=41):
        p = f.params()
        table = metrics.region_table(run, f)
        total = metrics.totals(table)
        rows = metrics.regions(table).set_index("region")
        where = str(f)
        assert _sum(run("kpi_deals", p), "revenue_base") == pytest.approx(total["revenue"], abs=0.01), where
        monthly = run("monthly_fact_plan", p)
        for key in ("revenue", "spend", "leads", "deals_won"):
            assert _sum(monthly, key) == pytest.approx(total[key], abs=0.01), (where, key)
        assert _sum(monthly, "revenue_plan") == pytest.approx(total["revenue_plan_period"] or 0, abs=0.01), where
        assert _sum(run("won_revenue_by_week", p), "revenue") == pytest.approx(total["revenue"], abs=0.01), where
        if not f.products:      # leads carry no product: the funnel ignores a product filter
            funnel = run("funnel_breakdown", p)
            by_channel = funnel[funnel.breakdown == "channel"]
            assert _sum(by_channel, "leads") == total["leads"], where
        for region in [r for r in rows.index if r != "(none)"][:2]:
            q = {**p, "region": region, "regions": [region]}
            row = rows.loc[region]
            months = run("region_monthly", q)
            for key in ("revenue", "spend", "deals_won"):
                assert _sum(months, key) == pytest.approx(float(row[key]), abs=0.01), (where, region, key)
            managers = run("region_managers", q)
            if not f.products:
                for key in ("revenue", "deals_won", "deals_lost", "leads"):
                    assert _sum(managers, key) == pytest.approx(float(row[key]), abs=0.01), (where, region, key)
            assert _sum(run("region_products", q), "revenue") == pytest.approx(float(row["revenue"]), abs=0.01), \
                (where, region)
            sources = run("region_sources", q)
            assert _sum(sources, "leads") == float(row["leads"]), (where, region)
            if not f.products:
                assert _sum(sources, "spend") == pytest.approx(float(row["spend"]), abs=0.01), (where, region)


def test_a_query_parsed_once_gives_what_its_text_gives_on_any_thread(demo, monkeypatch):
    """runner.read parses each query text once and runs that statement on every cursor and thread. Every
    app query, with two filter sets, run that way from four threads at once equals the same query run
    from its text."""
    from concurrent.futures import ThreadPoolExecutor

    from model import runner as runner_module

    every = {**PARAMS, "open_only": False, "dimension": None}     # what the listings take besides
    other = {**every, "date_from": dt.date(2025, 12, 1), "date_to": dt.date(2026, 11, 30), "regions": ["Москва"],
             "model": "first_touch", "open_only": True}
    jobs = [(name, params) for name in sorted(catalog.SOURCES) + sorted(catalog.LISTINGS) for params in (every, other)]
    with monkeypatch.context() as m:
        m.setattr(runner_module, "statement", lambda con, sql: sql)
        want = [run_on(demo, name, params, OPERATOR) for name, params in jobs]
    runner_module._PARSED.clear()
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda job: run_on(demo, job[0], job[1], OPERATOR), jobs * 2))
    for (name, params), a, b in zip(jobs * 2, got, want * 2, strict=True):
        pd.testing.assert_frame_equal(_by_keys(a), _by_keys(b), obj=f"{name} {params['date_from']}")
    sql = sql_of("freshness")
    assert runner_module.statement(demo, sql) is runner_module.statement(demo, sql)
    assert not isinstance(runner_module.statement(demo, "select 1; select 2"), duckdb.Statement)


def _by_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by their non-float cells, so the comparison does not depend on how DuckDB orders rows
    that tie on a query's ORDER BY (parallel aggregation may order them differently from run to run)."""
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    if not keys or frame.empty:
        return frame
    order = frame[keys].map(repr).agg("\x1f".join, axis=1)
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)
