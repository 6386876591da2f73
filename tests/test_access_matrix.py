"""Row-level security end to end (model/access.py): a regional manager of one region and one of two regions
open every page on the small demo company, with seeded random filters whose URL names other regions too;
every query result the pages got is compared with the same SQL run under the user's regions, and every
text, table, chart, option list and Excel file the page shows, and the deck (PPTX, PDF), is searched for
the names of the other regions and for the numbers only the other regions have. Plus cheap unit tests of
default deny: no user runs nothing, an undeclared query refuses a restricted user, no parameter widens."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import random
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from model import access, catalog, runner
from model.access import MASK_PREFIX, OPERATOR, AccessDenied
from model.filters import Filters
from model.pages import PAGES
from model.runner import APP_QUERIES, sql_of
from model.users import User
from tests.apptest import ROOT, run_app
from ui.auth import USER
from ui.i18n import TEXT, t

ONE = User("rm_one", "Один регион", "regional_manager", regions=("Новосибирск",))
TWO = User("rm_two", "Два региона", "regional_manager", regions=("Екатеринбург", "Челябинск"))
DEMO_FROM, DEMO_TO = dt.date(2025, 1, 1), dt.date(2026, 10, 31)     # the small demo's data
REGIONAL = ("regions", "regional", "region", "plan_lines")


# ------------------------------------------------------------------------------ the demo's facts
@pytest.fixture(scope="module")
def demo(small_demo):
    con = runner.connect(Path(small_demo))
    try:
        known = [r for (r,) in con.execute("select region from cfg_regions").fetchall()]
        raw = {r for t in ("deals", "leads", "ad_spend", "plan", "activities", "sales")
               for (r,) in con.execute("select distinct region from " + t + " where region is not null").fetchall()}
        products = [p for (p,) in con.execute("select distinct product from deals where product is not null "
                                              "order by 1").fetchall()]
        yield {"con": con, "path": small_demo, "regions": known, "names": set(known) | raw, "products": products}
    finally:
        con.close()


def other_names(demo, user: User) -> set[str]:
    """The region names the user must never see: every region the warehouse or config knows but theirs,
    except words the UI itself uses (a raw placeholder like «не указан» is UI text too)."""
    ui_words = "\n".join(v for lang in TEXT.values() for v in lang.values())
    return {n for n in demo["names"] - set(user.regions or ()) if n not in ui_words and len(n) > 2}


def random_query(seed: int, demo, user: User) -> dict:
    """URL filters from a seed: a custom period inside the demo, regions mixing the user's and others'
    (sometimes only others', sometimes none), products sometimes."""
    rnd = random.Random(seed)
    days = (DEMO_TO - DEMO_FROM).days
    a = DEMO_FROM + dt.timedelta(days=rnd.randrange(0, days - 60))
    b = min(DEMO_TO, a + dt.timedelta(days=rnd.choice((30, 91, 182, 365))))
    others = [r for r in demo["regions"] if r not in user.regions]
    pick = rnd.choice(("mixed", "others", "none", "own"))
    regions = {"mixed": [*rnd.sample(others, 2), user.regions[0]], "others": rnd.sample(others, 2),
               "none": [], "own": list(user.regions)}[pick]
    query = {"period": "custom", "from": a.isoformat(), "to": b.isoformat()}
    if regions:
        query["regions"] = ",".join(regions)
    if rnd.random() < 0.3:
        query["products"] = rnd.choice(demo["products"])
    query["meeting_regions"] = ",".join(rnd.sample(others, 1) + list(user.regions[:1]))
    return query


# ------------------------------------------------------------------------------ what reached the page
class Recorder:
    """Every ui.db.query call of a page run (name, params, rows) and every table shown (for its Excel)."""

    def __init__(self, monkeypatch):
        import ui.db
        import ui.tables
        self.calls: list[tuple[str, dict, pd.DataFrame]] = []
        self.tables: list[tuple[tuple, dict]] = []
        lock = threading.Lock()
        query, show = ui.db.query, ui.tables.show

        def recorded_query(name, params=None, **kw):
            rows = query(name, params, **kw)
            with lock:
                self.calls.append((name, {**(params or {}), **kw}, rows))
            return rows

        def recorded_show(*args, **kwargs):
            self.tables.append((args, kwargs))
            return show(*args, **kwargs)

        monkeypatch.setattr(ui.db, "query", recorded_query)
        monkeypatch.setattr(ui.tables, "show", recorded_show)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    key = pd.Series(["|".join(map(str, row)) for row in frame.itertuples(index=False)], index=frame.index,
                    dtype=object)
    return frame.loc[key.sort_values(kind="stable").index].reset_index(drop=True)


def same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(_sorted(got), _sorted(want), check_dtype=False, check_index_type=False,
                                  obj=what)


class Expected:
    """The same SQL as an unrestricted user, under the user's regions (and, for the numbers only other
    regions have, under the other regions), each distinct call once."""

    def __init__(self, demo, user: User):
        self.con, self.user, self.memo = demo["con"], user, {}
        self.allowed = list(user.regions)
        self.others = [r for r in demo["regions"] if r not in self.allowed]
        self.other_numbers: set[float] = set()
        self.own_numbers: set[float] = set()

    def run(self, name: str, params: dict) -> pd.DataFrame:
        key = (name, repr(sorted(params.items())))
        if key not in self.memo:
            self.memo[key] = runner.run_on(self.con, name, params, OPERATOR)
        return self.memo[key]

    def check(self, name: str, params: dict, got: pd.DataFrame) -> None:
        rule, allowed = catalog.ACCESS[name], set(self.allowed)
        asked = [r for r in params.get("regions") or [] if r in allowed] or self.allowed
        mine = {**params, "regions": asked}
        what = f"{name} {params}"
        if rule in REGIONAL:
            want = self.run(name, mine)
            if rule == "plan_lines":
                want = want[want.level != "company"]
            if rule == "regional":      # rows with no region are company-wide figures: withheld
                want = want[want.region.isin(allowed)]
            same(got, want, what)
            if rule != "region":        # a region drill-down has no "others" to compare with
                theirs = self.run(name, {**params, "regions": self.others})
                self.other_numbers |= numbers_of(theirs)
                self.own_numbers |= numbers_of(want)
        elif rule in ("public", "anonymous"):
            same(got, self.run(name, params), what)
        elif rule == "company":
            assert got.empty, what
        elif rule == "presence":
            want = self.run(name, params)
            nums = want.select_dtypes("number").columns
            same(got[nums], (want[nums].fillna(0) > 0).astype(int), what)
        elif rule == "options":
            want = self.run(name, params)
            assert sorted(got[got.kind == "region"].value) == sorted(set(want[want.kind == "region"].value) & allowed)
            assert list(got[got.kind == "product"].value) == list(want[want.kind == "product"].value)
        elif rule == "rows":
            want = self.run(name, params)
            same(got, want[want.region.isin(allowed)], what)
        elif rule == "flights":
            want = self.run(name, mine)
            own = want[[set(r) <= allowed for r in want.regions]]
            self.own_numbers |= numbers_of(own)
            self.other_numbers |= numbers_of(self.run(name, {**params, "regions": self.others}))
            shown = got[[not str(c).startswith(MASK_PREFIX) for c in got.campaign]]
            # the share of a flight's campaign spend in its regions is withheld (it divides by spend elsewhere)
            same(shown.assign(regions=shown.regions.map(tuple)).drop(columns="share"),
                 own.assign(regions=own.regions.map(tuple)).drop(columns="share"), what)
            hidden = got[[str(c).startswith(MASK_PREFIX) for c in got.campaign]]
            assert hidden.spend.isna().all() and got.share.isna().all(), what
            assert all(r in allowed or r.startswith(MASK_PREFIX) for rs in hidden.regions for r in rs), what
        elif rule == "panel":
            want = self.run(name, params)
            same(got[got.region.isin(allowed)], want[want.region.isin(allowed)], what)
            self.own_numbers |= numbers_of(want[want.region.isin(allowed)])
            masked = got[~got.region.isin(allowed)]
            assert masked.region.str.startswith(MASK_PREFIX).all(), what
            assert masked.region.nunique() == want[~want.region.isin(allowed)].region.nunique(), what
        else:
            raise AssertionError(f"{name}: unknown rule {rule}")

    def leaking_numbers(self) -> set[float]:
        """Numbers (rounded to cents, 1,000 or more in size, not a round 500s: budgets and targets coincide)
        the other regions' results hold and the user's do not."""
        return {x for x in self.other_numbers - self.own_numbers if abs(x) >= 1000 and x % 500}


def numbers_of(frame: pd.DataFrame) -> set[float]:
    out = set()
    for col in frame.select_dtypes("number").columns:
        out |= {round(float(v), 2) for v in frame[col].dropna() if np.isfinite(float(v))}
    return out


# ------------------------------------------------------------------------------ what the page showed
def walk(value) -> Iterator[str | float]:
    """Every string and number in a JSON-like value (plotly's typed arrays decoded)."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            yield from (float(x) for x in np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]))
            return
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from walk(v)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield float(value)


def frame_values(frame) -> Iterator[str | float]:
    data = frame.data if hasattr(frame, "data") else frame     # a Styler's frame
    yield from (str(c) for c in data.columns)
    for col in data.columns:
        for v in data[col]:
            if isinstance(v, (list, tuple, np.ndarray)):
                yield from (str(x) for x in v)
            elif isinstance(v, str):
                yield v
            elif isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and pd.notna(v):
                yield float(v)


def shown(at) -> Iterator[str | float]:
    """Every text and number of every element of the page run, sidebar included."""
    def nodes(node):
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                yield from nodes(child)
        else:
            yield node

    for el in nodes(at._tree):
        kind = getattr(el, "type", "")
        if kind == "arrow_data_frame":
            yield from frame_values(el.value)
        elif kind == "plotly_chart":    # the data, and the layout's words (its axis ticks are round numbers)
            spec = json.loads(el.proto.spec)
            yield from walk(spec.get("data"))
            yield from (v for v in walk(spec.get("layout")) if isinstance(v, str))
        elif getattr(el, "proto", None) is not None:
            yield from walk(MessageToDict(el.proto))


def excel_values(rec: Recorder) -> Iterator[str | float]:
    """The cells of every table's Excel download, built as its button builds it (ui.tables.xlsx)."""
    from ui import tables
    for args, kwargs in rec.tables:
        frame, formats = args[0], (args[1] if len(args) > 1 else kwargs.get("formats"))
        data = tables.xlsx(frame, formats, kwargs.get("raw"), kwargs.get("column_config"), kwargs.get("kinds"),
                           "note", "ru")
        for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True):
            yield from walk([v for v in row if not isinstance(v, (dt.date, dt.datetime))])


def assert_clean(values, names: set[str], numbers: set[float], where: str) -> int:
    """No other region's name in any text, no masked stand-in, no number only other regions have."""
    n = 0
    for v in values:
        n += 1
        if isinstance(v, str):
            assert MASK_PREFIX not in v, (where, v[:200])
            hit = [name for name in names if name in v]
            assert not hit, (where, hit, v[:200])
        elif round(v, 2) in numbers:
            raise AssertionError((where, "a number only other regions have", v))
    return n


# ------------------------------------------------------------------------------ the matrix
def hostile(demo, user: User, expected: Expected, calls, query: dict) -> None:
    """The page's own queries again, straight at the runner as the user, with the URL's regions (the
    sidebar drops the ones not offered; the runner must not need it to): same rows as under the user's
    regions; a drill-down into another region is refused."""
    others = [r for r in demo["regions"] if r not in user.regions]
    url = [r for r in query.get("regions", "").split(",") if r] or others[:2]
    seen = set()
    for name, params, _ in calls:
        rule = catalog.ACCESS[name]
        if rule not in ("regions", "plan_lines", "flights", "region") or (name, repr(params)) in seen:
            continue
        seen.add((name, repr(params)))
        if rule == "region":
            with pytest.raises(AccessDenied):
                runner.run_on(demo["con"], name, {**params, "region": others[0]}, user)
            continue
        wider = {**params, "regions": [*url, others[-1]]}
        expected.check(name, wider, runner.run_on(demo["con"], name, wider, user))


def open_page(path: str, lang: str, user: User, query: dict) -> AppTest:
    """tests.apptest.run_app without its overview run: the user signed in, the page's first run is the page
    itself, with the URL's filters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"lang": lang, **query}.items():
        at.query_params[key] = value
    at.session_state[USER] = user
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("user", [ONE, TWO], ids=["one_region", "two_regions"])
def test_every_page_shows_only_the_users_regions(demo, monkeypatch, user):
    monkeypatch.setenv("PARITY_DB", str(demo["path"]))
    names, expected = other_names(demo, user), Expected(demo, user)
    pages_seen, rec = [], Recorder(monkeypatch)
    for i, page in enumerate(PAGES):
        rec.calls.clear()
        rec.tables.clear()
        query = random_query(1000 * i + len(user.regions), demo, user)
        at = open_page(page.path, "ru" if i % 2 else "en", user, query)
        assert not at.error, (page.key, [e.value for e in at.error])
        assert rec.calls, page.key
        for name, params, rows in rec.calls:
            expected.check(name, params, rows)
        hostile(demo, user, expected, rec.calls, query)
        numbers = expected.leaking_numbers()
        assert numbers, "the other regions' numbers to look for"
        n = assert_clean(shown(at), names, numbers, page.key)
        n += assert_clean(excel_values(rec), names, numbers, page.key + " Excel")
        pages_seen.append((page.key, len(rec.calls), len(rec.tables), n))
    assert [p for p, *_ in pages_seen] == [p.key for p in PAGES]


def test_deck_pptx_pdf_and_cli_as_a_regional_user(demo, monkeypatch, tmp_path):
    """The deck as the report path writes it for TWO (PPTX and PDF; every chart's figure checked), and the
    CLI's `--as` for ONE."""
    from report import __main__ as cli
    from report import render
    from report.make import make

    monkeypatch.setenv("PARITY_DB", str(demo["path"]))
    expected = Expected(demo, TWO)
    calls = []

    def recording(con, user):
        def run(name, params):
            rows = runner.run_on(con, name, params, user)
            calls.append((name, params, rows))
            return rows
        return run

    monkeypatch.setattr(runner, "runner", recording)
    # the charts' pictures are drawn from the figures checked below (drawing them takes most of the time)
    monkeypatch.setattr(render, "slide_images", lambda deck: {})
    # a region outside TWO's access is refused in one line that names only TWO's own regions, before any query
    with pytest.raises(LookupError) as refused:
        make(dt.date(2025, 4, 1), dt.date(2025, 9, 30), regions=("Москва", "Челябинск"), lang="ru", user=TWO)
    assert str(refused.value).startswith("--regions Москва: not a region this deck can show")
    offered = str(refused.value).split("use one of:")[1]
    assert not [n for n in other_names(demo, TWO) if n in offered], offered
    calls.clear()
    deck, files = make(dt.date(2025, 4, 1), dt.date(2025, 9, 30), regions=("Челябинск",), lang="ru", user=TWO)
    for name, params, rows in calls:
        expected.check(name, params, rows)
    names, numbers = other_names(demo, TWO), expected.leaking_numbers()
    assert any(s.key == "impact" for s in deck.slides) and "Челябинск" in deck.filters and "Москва" not in deck.filters
    texts = [deck.title, deck.filters, *deck.omitted]
    for s in deck.slides:
        texts += [s.title, s.filters, s.note, s.shown(), *(f.text for f in s.findings)]
        texts += [v for f in s.findings for _, v in f.facts.values()]
        if s.chart is not None:
            texts += list(walk(s.chart.to_plotly_json()))
    assert_clean(texts, names, numbers, "deck")
    # the rejected rows are a company figure: withheld and said so, not «0 из 0» (the history had no rows)
    dq = next(s for s in deck.slides if s.key == "data_quality")
    assert t("deck.q.rejected_withheld", "ru") in [f.text for f in dq.findings]
    assert t("deck.q.of_read", "ru", n=0) not in dq.shown()
    pptx_text = [sh.text_frame.text for sl in Presentation(io.BytesIO(files["pptx"])).slides for sh in sl.shapes
                 if sh.has_text_frame]
    pptx_text += [c.text for sl in Presentation(io.BytesIO(files["pptx"])).slides for sh in sl.shapes
                  if sh.has_table for row in sh.table.rows for c in row.cells]
    assert_clean(pptx_text, names, numbers, "pptx")
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(files["pdf"])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Челябинск" in text
    assert_clean([text], names, set(), "pdf")

    # python -m report --as LOGIN: that user's access; unknown and disabled logins refused in one line
    access_toml = tmp_path / "access.toml"
    access_toml.write_text('[users.rm_one]\nname = "Один"\nrole = "regional_manager"\nregions = ["Новосибирск"]\n'
                           '[users.gone]\nname = "Ушёл"\nrole = "ceo"\ndisabled = true\n', encoding="utf-8")
    monkeypatch.setenv("PARITY_ACCESS", str(access_toml))
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))    # the export's audit entry
    out = tmp_path / "one.pptx"
    assert cli.main(["--period", "2025-Q2", "--sections", "headline,regions", "--as", "rm_one",
                     "--out", str(out)]) == 0
    one = "\n".join(sh.text_frame.text for sl in Presentation(out).slides for sh in sl.shapes if sh.has_text_frame)
    assert "Новосибирск" in one
    assert_clean([one], other_names(demo, ONE), set(), "--as rm_one")
    for login in ("nobody", "gone"):
        assert cli.main(["--period", "2025-Q2", "--as", login, "--out", str(tmp_path / "x.pptx")]) == 2
        assert not (tmp_path / "x.pptx").exists()


# ------------------------------------------------------------------------------ default deny, cheaply
def test_every_query_declares_its_rule_and_names_what_it_restricts():
    names = {p.stem for p in APP_QUERIES.glob("*.sql")}
    assert set(catalog.ACCESS) == names
    assert set(catalog.ACCESS.values()) <= set(access.RULES)
    for name, rule in catalog.ACCESS.items():
        params = set(runner.used(sql_of(name), {"regions": 1, "region": 1}))
        if rule in ("regions", "regional", "plan_lines", "flights"):
            assert "regions" in params, name
        if rule == "region":
            assert "region" in params, name
        if rule in ("anonymous", "public", "company", "presence", "options", "rows", "panel"):
            assert not params, (name, "a region parameter the rule does not restrict")


def test_nobody_signed_in_runs_nothing(demo):
    for user in (None, User("x", "x", "ceo", disabled=True)):
        with pytest.raises(AccessDenied) as e:
            runner.run_on(demo["con"], "agreement", {}, user)
        assert e.value.code == "no_user" and "\n" not in str(e.value)
        # only the gate's question runs for nobody, and it is the one query declared so
        assert runner.run_on(demo["con"], "warehouse_mode", {}, user).columns.tolist() == ["demo"]
    assert [n for n, r in catalog.ACCESS.items() if r == "anonymous"] == ["warehouse_mode"]


def test_undeclared_query_refuses_a_restricted_user_only(demo, monkeypatch):
    monkeypatch.delitem(catalog.ACCESS, "kpi_deals")
    p = {"date_from": DEMO_FROM, "date_to": DEMO_TO, "regions": [], "products": []}
    with pytest.raises(AccessDenied) as e:
        runner.run_on(demo["con"], "kpi_deals", p, ONE)
    assert e.value.code == "undeclared" and "kpi_deals" in str(e.value)
    assert not runner.run_on(demo["con"], "kpi_deals", p, OPERATOR).empty


def test_no_parameter_widens_a_restriction(demo):
    p = {"date_from": DEMO_FROM, "date_to": DEMO_TO, "products": []}
    mine = runner.run_on(demo["con"], "metrics_region", {**p, "regions": list(ONE.regions)}, OPERATOR)
    for regions in ([], ["Москва"], ["Москва", "Новосибирск"], None):
        got = runner.run_on(demo["con"], "metrics_region", {**p, "regions": regions}, ONE)
        same(got, mine, str(regions))
    with pytest.raises(AccessDenied):
        runner.run_on(demo["con"], "region_sources", {**p, "region": "Москва"}, ONE)
    with pytest.raises(AccessDenied) as e:
        runner.run_on(demo["con"], "agreement", {}, User("r", "r", "regional_manager", regions=()))
    assert e.value.code == "no_regions"
    assert runner.run_on(demo["con"], "load_history", {}, ONE).empty
    assert not runner.run_on(demo["con"], "load_history", {}, OPERATOR).empty


def test_a_page_without_a_user_shows_no_number(warehouse, monkeypatch, tmp_path):
    """A warehouse that is not the demo: nobody signed in gets the sign-in form and no figure, table or chart
    (the gate stops first; below it the runner refuses anyone who is not signed in, test above)."""
    monkeypatch.setenv("PARITY_ACCESS", str(tmp_path / "access.toml"))
    from model.users import hash_password
    (tmp_path / "access.toml").write_text(f'[users.a]\nrole = "ceo"\npassword = "{hash_password("a-long-secret")}"\n',
                                          encoding="utf-8")
    at = run_app("overview", "en", user=None)
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert [w.label for w in at.text_input] == [TEXT["en"]["auth.login"], TEXT["en"]["auth.password"]]
    assert not at.sidebar.multiselect     # no filters either: their options are data


def test_a_flight_shared_with_other_regions_is_masked_and_listed_nowhere(demo):
    """Казань's only flight also covers Самара and Уфа: its name, spend and their names never reach a
    Казань manager, and the impact view lists no flight for them (the flight still marks the exposure)."""
    from model.views import impact as view
    kazan = User("rm_kzn", "Казань", "regional_manager", regions=("Казань",))
    p = {"date_from": DEMO_FROM, "date_to": DEMO_TO, "regions": [], "products": []}
    admin = runner.run_on(demo["con"], "flights_list", {**p, "regions": ["Казань"]}, OPERATOR)
    shared = admin[[set(r) > {"Казань"} for r in admin.regions]]
    assert not shared.empty
    got = runner.run_on(demo["con"], "flights_list", p, kazan)
    assert len(got) == len(admin) and got.spend.isna().all()
    assert not set(got.campaign) & set(admin.campaign)
    assert {r for rs in got.regions for r in rs} - {"Казань"} <= {access.mask(r) for r in demo["names"]}
    d = view.load(Filters("custom", DEMO_FROM, DEMO_TO), runner.runner(demo["con"], kazan))
    assert d["flights"].empty and len(d["exposing"]) == len(admin)


def test_the_test_planner_names_no_masked_region(demo, monkeypatch):
    """The planner leaves every flight the warehouse knows out of its history and lists those windows; for a
    manager of Красноярск and Казань the Volga flight (Казань, Самара, Уфа) is one of them: its other regions
    are the runner's masks, which the line named verbatim («~ctrl-… 01.12.2025–11.01.2026») and counted.
    Now they are one «control regions» entry per window, neither named nor counted."""
    monkeypatch.setenv("PARITY_DB", str(demo["path"]))
    user = User("rm_krs", "Красноярск", "regional_manager", regions=("Красноярск", "Казань"))
    at = open_page("pages/impact.py", "en", user, {"period": "custom", "from": "2024-06-01", "to": "2026-10-31"})
    at.multiselect(key="plan_candidates").set_value(["Красноярск"]).run()
    next(b for b in at.button if b.key == "plan_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    lines = [e.value for e in at.info]
    excluded = [x for x in lines if x.startswith(t("impact.plan.excluded", "en", n=0, spans="", washout=0,
                                                      washout_noun="").split("(")[0])]
    assert excluded and t("rls.controls", "en") in excluded[0] and "Казань 20" in excluded[0], lines
    assert_clean(shown(at), other_names(demo, user), set(), "impact planner")
