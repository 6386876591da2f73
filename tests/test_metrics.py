"""One number per question: for many seeded filter sets (windows that cut months, region and product
subsets), every metric that more than one surface shows equals the registry's value, and the registry
equals SQL written here against the base tables (deals, leads, ad_spend, plan), not the marts."""
from __future__ import annotations

import calendar
import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import config
from model import metrics
from model.access import OPERATOR
from model.filters import Filters
from model.runner import connect, runner
from model.views import load
from model.views.overview import headline
from model.views.plan_fact import splits

N_SETS = 50
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2026, 12, 31)   # the small demo runs to 2026-10-31


def filter_sets(regions: list[str], products: list[str], n: int = N_SETS, seed: int = 14) -> list[Filters]:
    """Seeded random windows (most cut months at both ends, some whole quarters, some reaching past
    the data), each with 0-3 regions and 0-1 products."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        if i % 5 == 0:      # a calendar quarter
            q = rnd.randrange(8)
            start = dt.date(2025 + q // 4, 3 * (q % 4) + 1, 1)
            end = dt.date(start.year, start.month + 2, calendar.monthrange(start.year, start.month + 2)[1])
        else:
            start = FIRST + dt.timedelta(days=rnd.randrange((LAST - FIRST).days - 20))
            end = min(LAST, start + dt.timedelta(days=rnd.randrange(5, 200)))
        chosen = tuple(sorted(rnd.sample(regions, rnd.choice([0, 0, 1, 2, 3]))))
        product = tuple(rnd.sample(products, 1)) if rnd.random() < 0.25 else ()
        out.append(Filters("custom", start, end, chosen, product))
    return out


@pytest.fixture(scope="module")
def demo(small_demo):
    con = connect(Path(small_demo))
    yield con, runner(con, OPERATOR)
    con.close()


def _rates() -> pd.DataFrame:
    return pd.DataFrame(config.fx_rates(), columns=["currency", "valid_from", "rate"])


class Independent:
    """The same questions answered from the base tables, with the proration done in Python."""

    def __init__(self, con):
        self.con = con
        rates = _rates()
        self.base = con.execute("select base_currency from cfg_agreement").fetchall()[0][0]
        # one rate per currency (the demo's rates file has one row each; checked here)
        assert rates.currency.is_unique
        self.rate = dict(zip(rates.currency, rates.rate.astype(float), strict=True))
        self.latest = con.execute(
            "select greatest((select max(greatest(created_at::date, coalesce(closed_at::date, created_at::date))) "
            "from deals), (select max(created_at::date) from leads), (select max(date) from ad_spend))"
        ).fetchall()[0][0]

    def _fx(self, rows) -> float:
        return sum(float(amount) * (1.0 if cur == self.base else self.rate[cur]) for cur, amount in rows if amount)

    def revenue(self, f: Filters, region: str | None = None) -> float:
        rows = self.con.execute(
            "select currency, sum(amount) from deals where status = 'won' and closed_at::date between $a and $b "
            "and (len($r) = 0 or list_contains($r, region)) and (len($p) = 0 or list_contains($p, product)) "
            "group by currency", self._p(f, region)).fetchall()
        return self._fx(rows)

    def spend(self, f: Filters, region: str | None = None) -> float:
        # spend carries its campaign's product (a campaign without one is '(none)', outside any product)
        rows = self.con.execute(
            "select s.currency, sum(s.cost) from ad_spend s left join (select campaign, platform, "
            "any_value(product) as product from campaigns group by all) c using (campaign, platform) "
            "where s.date between $a and $b and (len($r) = 0 or list_contains($r, coalesce(s.region, '(none)'))) "
            "and (len($p) = 0 or list_contains($p, coalesce(c.product, '(none)'))) group by s.currency",
            self._p(f, region)).fetchall()
        return self._fx(rows)

    def leads(self, f: Filters, region: str | None = None) -> int:
        return self.con.execute(
            "select count(*) from leads where created_at::date between $a and $b "
            "and (len($r) = 0 or list_contains($r, coalesce(region, '(none)')))",
            self._p(f, region, products=False)).fetchall()[0][0]

    def deals_won(self, f: Filters, region: str | None = None) -> int:
        return self.con.execute(
            "select count(*) from deals where status = 'won' and closed_at::date between $a and $b "
            "and (len($r) = 0 or list_contains($r, region)) and (len($p) = 0 or list_contains($p, product))",
            self._p(f, region)).fetchall()[0][0]

    def plan(self, f: Filters, metric: str, to_date: bool, region: str | None = None) -> float | None:
        """Each month's target times its days inside the window (cut at the data's date for to_date) over
        its days; the total takes the company line where one exists and no region is chosen."""
        end = min(f.date_to, self.latest) if to_date else f.date_to
        rows = self.con.execute(
            "select month, region, target from plan where metric = $m and (len($p) = 0 or product is null "
            "or list_contains($p, product))", {"m": metric, "p": list(f.products)}).fetchall()
        chosen = [region] if region else list(f.regions)
        company = {m for m, r, _ in rows if r is None}
        total, found = 0.0, False
        for month, reg, target in rows:
            if chosen and reg not in chosen:
                continue
            if not chosen and reg is not None and month in company:
                continue        # the company line stands for the regions' lines that month
            last = dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
            if month > f.date_to or last < f.date_from:
                continue
            found = True
            days = (min(last, end) - max(month, f.date_from)).days + 1
            total += float(target) * max(days, 0) / last.day
        return total if found else None

    @staticmethod
    def _p(f: Filters, region: str | None, products: bool = True) -> dict:
        out = {"a": f.date_from, "b": f.date_to, "r": [region] if region else list(f.regions)}
        if products:
            out["p"] = list(f.products)
        return out


def _close(a, b, rel=1e-9, abs_=1e-6) -> bool:
    if pd.isna(a) or pd.isna(b):  # None, NaN, NaT and pd.NA: both sides must be missing
        return bool(pd.isna(a) and pd.isna(b))
    return a == pytest.approx(b, rel=rel, abs=abs_)


def test_filter_sets_cut_months_and_vary():
    sets = filter_sets(["A", "B", "C", "D"], ["x", "y"])
    assert len(sets) == N_SETS and len(set(sets)) == N_SETS
    cut = [f for f in sets if f.date_from.day != 1 or (f.date_to + dt.timedelta(days=1)).day != 1]
    assert len(cut) >= 30 and any(f.regions for f in sets) and any(f.products for f in sets)


def test_registry_equals_independent_sql_and_every_surface(demo):
    con, run = demo
    ind = Independent(con)
    options = run("filter_options", {})
    regions = options[options.kind == "region"].value.tolist()
    products = options[options.kind == "product"].value.tolist()
    checked = 0
    for f in filter_sets(regions, products):
        table = metrics.region_table(run, f)
        total = metrics.totals(table)
        rows = metrics.regions(table).set_index("region")
        where = f"{f}"
        # the registry against SQL on the base tables
        assert _close(total["revenue"], ind.revenue(f), rel=1e-9, abs_=0.01), where
        assert total["deals_won"] == ind.deals_won(f), where
        assert total["leads"] == ind.leads(f), where
        assert _close(total["spend"], ind.spend(f), abs_=0.01), where
        for basis in ("period", "to_date"):
            plan = ind.plan(f, "revenue", basis == "to_date")
            assert _close(total[f"revenue_plan_{basis}"], plan, rel=1e-9, abs_=1e-3), (where, basis)
        for region in rows.index[:3]:
            if region == "(none)":
                continue
            assert _close(float(rows.at[region, "revenue"]), ind.revenue(f, region), abs_=0.01), (where, region)
            assert _close(rows.at[region, "revenue_plan_period"], ind.plan(f, "revenue", False, region),
                          abs_=1e-3), (where, region)
        # region rows add up to the total (facts; plans only when the total reads the regional lines)
        for key in ("revenue", "deals_won", "leads", "spend", "revenue_sourced"):
            assert _close(float(rows[key].sum()), total[key], abs_=0.01), (where, key)

        # overview: the headline is the registry's total row
        h = headline(load("overview", f, run))
        for key in ("revenue", "revenue_vs_plan_period", "revenue_vs_plan_to_date", "revenue_forecast",
                    "revenue_forecast_vs_plan", "spend", "leads", "romi", "cpl", "cac", "sourced_share"):
            assert _close(h[key], total[key]), (where, key)
        # regions page: rows and the total row
        r = load("regions", f, run)
        assert _close(float(r["total"].revenue.iloc[0]), total["revenue"]), where
        page_rows = r["regions"].set_index("region")
        for key in ("revenue", "revenue_plan_period", "revenue_vs_plan_period", "revenue_vs_plan_to_date",
                    "deals_won", "spend", "leads", "cpl"):
            for region in page_rows.index:
                assert _close(page_rows.at[region, key], rows.at[region, key]), (where, region, key)
        # plan vs fact: per region, the months add up to the registry's region row on each basis
        cells = load("plan_fact", f, run)["cells"]
        rev = cells[cells.metric == "revenue"].groupby("region")[["fact", "target", "target_to_date"]].sum()
        for region in rev.index:
            assert _close(rev.at[region, "fact"], float(rows.at[region, "revenue"]), abs_=0.01), (where, region)
            assert _close(rev.at[region, "target"], rows.at[region, "revenue_plan_period"], abs_=1e-3), where
            assert _close(rev.at[region, "target_to_date"], rows.at[region, "revenue_plan_to_date"], abs_=1e-3)
        parts = splits(cells).set_index("region")
        for region in parts.index:
            assert _close(parts.at[region, "revenue_plan"], rows.at[region, "revenue_plan_to_date"], abs_=1e-3)
        checked += 1
    assert checked == N_SETS


def test_deck_states_the_registry_numbers_with_their_basis(demo):
    """The deck's headline and regions slides, for a sample of the filter sets, say the registry's
    numbers; the regions slide's shares are the plan-to-date basis, as the Overview's and Plan vs fact's."""
    from report import deck as decks

    _con, run = demo
    options = run("filter_options", {})
    sets = filter_sets(options[options.kind == "region"].value.tolist(),
                       options[options.kind == "product"].value.tolist())[:12]
    for f in sets:
        total = metrics.totals(metrics.region_table(run, f))
        rows = metrics.regions(metrics.region_table(run, f)).set_index("region")
        for lang in ("ru", "en"):
            d = decks.build(f, run, lang, ["headline", "regions"])
            facts = {k: v[0] for s in d.slides if s.key == "headline" for x in s.findings for k, v in x.facts.items()}
            assert _close(facts["revenue"], total["revenue"]), f
            if total["revenue_vs_plan_period"] is not None:
                assert _close(facts["share"], total["revenue_vs_plan_period"]), f
                assert metrics.text("basis.period", lang) in " ".join(
                    x.text for s in d.slides if s.key == "headline" for x in s.findings)
            elif total["revenue_plan_period"]:      # a plan of part of the period: its days, no share
                assert "share" not in facts and facts["covered"] == total["revenue_plan_days"], f
            if "share_to_date" in facts:
                assert _close(facts["share_to_date"], total["revenue_vs_plan_to_date"]), f
            reg = {k: v[0] for s in d.slides if s.key == "regions" for x in s.findings for k, v in x.facts.items()}
            for key, value in reg.items():
                region, what = key.rsplit(".", 1)
                if pd.isna(rows.at[region, "revenue_gap_to_date"]):
                    continue     # its plan covers part of the days to date: the deck compares its planned months
                if what == "share":
                    assert _close(value, rows.at[region, "revenue_vs_plan_to_date"]), (f, region)
                elif what == "gap":
                    assert _close(value, rows.at[region, "revenue_gap_to_date"], abs_=0.01), (f, region)


def test_one_region_one_number_per_basis_on_every_surface(demo):
    """The reported case: one quarter under way, all regions. The Overview's deviation line, Plan vs
    fact and the deck give the region the same share on the same basis, and the basis is named."""
    from report import deck as decks

    _con, run = demo
    f = Filters("custom", dt.date(2026, 10, 1), dt.date(2026, 12, 31))    # the demo's data ends 31.10
    table = metrics.region_table(run, f)
    rows = metrics.regions(table).set_index("region")
    h = headline(load("overview", f, run))
    dev = h["deviations"].set_index("region")
    region = dev.index[0]
    assert rows.at[region, "revenue_vs_plan_period"] < rows.at[region, "revenue_vs_plan_to_date"]
    assert _close(dev.at[region, "revenue_vs_plan_to_date"], rows.at[region, "revenue_vs_plan_to_date"])
    assert _close(dev.at[region, "revenue_vs_plan_period"], rows.at[region, "revenue_vs_plan_period"])
    parts = splits(load("plan_fact", f, run)["cells"]).set_index("region")
    assert _close(parts.at[region, "revenue"] / parts.at[region, "revenue_plan"],
                  rows.at[region, "revenue_vs_plan_to_date"])
    d = decks.build(f, run, "ru", ["regions"])
    text = " ".join(x.text for s in d.slides for x in s.findings)
    if region in text:
        reg = {k: v[0] for s in d.slides for x in s.findings for k, v in x.facts.items()}
        assert _close(reg[f"{region}.share"], rows.at[region, "revenue_vs_plan_to_date"])
        assert "к плану на дату" in text


def test_definitions_come_from_the_registry_in_both_languages():
    for lang in ("ru", "en"):
        defs = metrics.definitions(lang)
        assert list(defs.key) == list(metrics.REGISTRY)
        assert defs.name.is_unique, defs[defs.name.duplicated()]
        assert (defs.definition.str.len() > 10).all()
        plans = defs[defs.key.str.contains("_plan_|_vs_plan|_gap_|forecast")]
        assert (plans.basis != "").all()
    assert metrics.text("revenue_vs_plan_to_date", "ru") == "Выручка: % к плану на дату"
    with pytest.raises(KeyError):
        metrics.text("no_such_metric", "en")


def test_formula_metrics_name_registered_inputs():
    for key, m in metrics.REGISTRY.items():
        inputs = (m.ratio or ()) + ((m.combine[0], m.combine[2]) if m.combine else ())
        assert all(i in metrics.REGISTRY for i in inputs), key
        assert bool(m.query) + bool(m.ratio) + bool(m.combine) <= 1, key


def test_regions_page_opens_on_the_summarys_top_region_asked_beside_it(demo):
    """region_default (asked beside metrics_region, so the drill-down need not wait for it) names the
    region default_region picks from the summary, for every filter set, an empty period and a period
    without any known region's revenue; the page's drill-down is that region's, as asked by name."""
    from model.views.regions import default_region

    _con, run = demo
    options = run("filter_options", {})
    sets = filter_sets(options[options.kind == "region"].value.tolist(),
                       options[options.kind == "product"].value.tolist())
    sets += [Filters("custom", dt.date(2001, 1, 1), dt.date(2001, 2, 1), (), ()),
             Filters("custom", FIRST, LAST, ("(none)",), ())]
    picked = set()
    for f in sets:
        rows = run(metrics.REGION_QUERY, f.params())
        want = default_region(rows)
        asked = run("region_default", f.params())
        if len(asked):
            assert asked.region.iloc[0] == want, f
        else:       # no known region has revenue: the page takes the summary's pick
            known = rows[~rows.is_total & ~rows.unknown_region.astype(bool)]
            assert known.revenue.isna().all(), f
        page = load("regions", f, run)
        assert (page["region"].region.iloc[0] if "region" in page else None) == want, f
        if want is not None:
            picked.add(want)
            by_name = load("regions", f, run, region=want)
            for key in ("managers", "monthly", "activities"):
                pd.testing.assert_frame_equal(page[key], by_name[key], obj=f"{f} {key}")
            for tab in ("products", "sources"):     # the other tabs, opened: the same region's tables
                opened, named = load("regions", f, run, tab=tab), load("regions", f, run, region=want, tab=tab)
                assert tab in opened and "managers" not in opened, (f, tab)
                pd.testing.assert_frame_equal(opened[tab], named[tab], obj=f"{f} {tab}")
    assert len(picked) >= 3       # the filter sets open the page on several regions


def test_excel_files_hold_the_registry_numbers(demo):
    """The Regions table's Excel file (ui.tables.xlsx, as the page's download makes it) and the Overview's
    deviations hold the registry's values, for a sample of the filter sets."""
    import io

    from openpyxl import load_workbook

    from ui import tables

    _con, run = demo
    options = run("filter_options", {})
    sets = filter_sets(options[options.kind == "region"].value.tolist(),
                       options[options.kind == "product"].value.tolist())[:10]
    columns = ["region", "revenue", "revenue_plan_period", "revenue_vs_plan_period", "revenue_vs_plan_to_date",
               "deals_won", "spend", "leads", "cpl"]
    for f in sets:
        rows = metrics.regions(metrics.region_table(run, f)).set_index("region")
        shown = load("regions", f, run)["regions"][columns]
        book = load_workbook(io.BytesIO(tables.xlsx(shown, note="test", lang_="ru")), read_only=True)
        cells = list(book.active.iter_rows(values_only=True))
        assert cells[0][0] == "test" and list(cells[1]) == columns
        for line in cells[2:]:
            region = line[0]
            for name, value in zip(columns[1:], line[1:], strict=True):
                assert _close(value, None if pd.isna(rows.at[region, name]) else float(rows.at[region, name]),
                              abs_=0.01), (f, region, name)


def test_plan_vs_fact_counts_a_regions_months_without_a_plan_line(built_warehouse):
    """The fixture's regional plan lines are January's while Санкт-Петербург sells in February too. Its
    region row (Overview, Regions, digest) had the share of all its Q1 fact against January's plan; now the
    registry leaves that share out (a plan of 31 of the 90 days), and Plan vs fact and the deck hold the
    months with a plan against their plan: January's fact against January's plan, like with like. Over
    January alone the two are the same share."""
    con = connect(Path(built_warehouse))
    try:
        run = runner(con, OPERATOR)
        f = Filters("custom", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
        rows = metrics.regions(metrics.region_table(run, f)).set_index("region")
        parts = splits(load("plan_fact", f, run)["cells"]).set_index("region")
        january = Filters("custom", dt.date(2025, 1, 1), dt.date(2025, 1, 31))
        rows_jan = metrics.regions(metrics.region_table(run, january)).set_index("region")
        parts_jan = splits(load("plan_fact", january, run)["cells"]).set_index("region")
        fact = dict(con.execute(
            "select region, sum(amount * case currency when 'RUB' then 1 else 90 end) from deals where status = "
            "'won' and closed_at::date between '2025-01-01' and '2025-01-31' group by region").fetchall())
    finally:
        con.close()
    assert pd.isna(rows.at["Санкт-Петербург", "revenue_vs_plan_to_date"])
    for region in parts.index:
        assert pd.isna(rows.at[region, "revenue_gap_to_date"]), region
        assert _close(parts.at[region, "revenue"], float(fact.get(region, 0))), region
        assert _close(parts.at[region, "revenue_plan"], rows_jan.at[region, "revenue_plan_period"]), region
        assert _close(parts_jan.at[region, "revenue"] / parts_jan.at[region, "revenue_plan"],
                      rows_jan.at[region, "revenue_vs_plan_to_date"]), region


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 10**7)), min_size=1, max_size=8))
def test_a_formula_is_the_ratio_of_its_parts_whatever_the_rows(rows):
    """Every DERIVED column is the registry's formula over the row's own parts: a share of no leads is
    missing (not 0 %), so is the cost per lead of no spend (unknown, not free), and a summed row's share
    is the ratio of its sums, not a mean of the rows' shares."""
    leads = [a + b for a, b, _ in rows]        # within_sla <= leads, whatever the draw
    frame = pd.DataFrame({"leads": leads, "judged": leads, "contacted": [b for _, b, _ in rows],
                          "within_sla": [b for _, b, _ in rows], "spend": [c for *_, c in rows],
                          "revenue": [c * 3 for *_, c in rows]})
    out = metrics.formulas(frame, {"leads": "leads", "judged": "sla_judged", "contacted": "contacted",
                                   "within_sla": "within_sla",
                                   "spend": "spend", "revenue": "revenue_sourced"},
                           {"share": "within_sla_share", "cpl": "cpl", "romi": "romi"})
    for r in out.itertuples():
        assert (pd.isna(r.share) if r.leads == 0 else r.share == pytest.approx(r.within_sla / r.leads))
        assert (pd.isna(r.cpl) if r.leads == 0 or r.spend == 0 else r.cpl == pytest.approx(r.spend / r.leads))
        assert (pd.isna(r.romi) if r.spend == 0 else r.romi == pytest.approx(2.0))
    whole = metrics.formulas(frame.sum().to_frame().T, {"judged": "sla_judged", "within_sla": "within_sla"},
                             {"share": "within_sla_share"}).share.iloc[0]
    total = sum(leads)
    assert pd.isna(whole) if total == 0 else whole == pytest.approx(frame.within_sla.sum() / total)


def test_every_metric_has_a_declared_unit_worded_in_both_languages():
    """metrics.UNITS is the list of units: every metric's unit is one of them, and the Data page's
    definitions word each of them, no more, in both languages."""
    assert {m.unit for m in metrics.REGISTRY.values()} <= set(metrics.UNITS)
    for lang in ("ru", "en"):
        assert set(metrics._texts()[lang]["unit"]) == set(metrics.UNITS), lang
