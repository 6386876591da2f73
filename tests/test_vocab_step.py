"""The vocabulary step (etl.vocab, python -m etl vocab) on a warehouse the real ETL built from files written
as exports write them: a marketing-funnel leads file with an `origin` column, its closed deals linked by
lead id, an amoCRM deal list and CRM leads in cp1251. Previews are checked against pandas over the files
and against the warehouse after the rebuild; config edits against the file text."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import config, vocab
from etl.errors import LoadError
from etl.paths import DATA_DIR

FILES = Path(__file__).resolve().parent / "data" / "vocab"
LOADS = [("mql_leads.csv", "mql_leads.toml"), ("closed_deals.csv", "closed_deals.toml"),
         ("deals_amo.csv", None), ("leads_crm.csv", None)]


def strip_catch_alls(cfg: Path) -> None:
    """Issue 13: no rule maps "anything" to a channel. Lines of that kind a config copy may still have go,
    so values nobody mapped stay unrecognised whatever the default vocabulary holds."""
    path = cfg / "channel_rules.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(ln for ln in lines if not re.match(r"^\d+,[a-z_]+,\.[+*],", ln)), encoding="utf-8")


def build(folder: Path) -> None:
    """data/ copied to folder/config, and the export files loaded by the real ETL into folder/."""
    from etl.load import load_files
    cfg = folder / "config"
    shutil.copytree(DATA_DIR, cfg, ignore=shutil.ignore_patterns("raw", "demo", "*.duckdb*", "mappings", "*.lock"))
    strip_catch_alls(cfg)
    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    mp.setenv("PARITY_CONFIG", str(cfg))
    try:
        for name, mapping in LOADS:
            result = load_files([FILES / name], mapping_path=FILES / mapping if mapping else None, progress=False)
            assert result["ok"], result
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("vocab")
    build(folder)
    return folder


@pytest.fixture
def wh(built, tmp_path, monkeypatch) -> Path:
    """A private copy of the built warehouse, its raw store and its config; PARITY_DB/PARITY_CONFIG on it."""
    shutil.copyfile(built / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(built / "raw", tmp_path / "raw")
    shutil.copytree(built / "config", tmp_path / "config")
    monkeypatch.setenv("PARITY_DB", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("PARITY_CONFIG", str(tmp_path / "config"))
    return tmp_path


def q(folder: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def by_channel(folder: Path) -> dict[str, tuple[int, int, int, float]]:
    """channel -> (leads, deals, won deals, won amount in the base currency at data/fx_rates.csv) as the
    warehouse holds them."""
    out: dict[str, list] = {}
    for ch, n in q(folder, "select channel, count(*) from leads group by 1"):
        out.setdefault(ch, [0, 0, 0, 0.0])[0] = n
    for ch, n, won, rev in q(folder, "select d.channel, count(*), count(*) filter (where d.status = 'won'), "
                                     "coalesce(sum(d.amount * case when d.currency = 'RUB' then 1 else fx.rate end) "
                                     "filter (where d.status = 'won'), 0) from deals d asof left join cfg_fx fx "
                                     "on fx.currency = d.currency and coalesce(d.closed_at, d.created_at)::date "
                                     ">= fx.valid_from group by 1"):
        out.setdefault(ch, [0, 0, 0, 0.0])[1:] = [n, won, float(rev)]
    return {k: tuple(v) for k, v in out.items()}


def norm(text) -> str:
    """norm_key as the build reads text: lower-case, trimmed, single spaces, ё as е."""
    return re.sub(r"\s+", " ", str(text)).strip().lower().replace("ё", "е") if isinstance(text, str) else ""


def mql() -> pd.DataFrame:
    return pd.read_csv(FILES / "mql_leads.csv", dtype=str, keep_default_na=False)


def amo() -> pd.DataFrame:
    frame = pd.read_csv(FILES / "deals_amo.csv", sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame["amount"] = frame["Бюджет"].str.replace(" ", "").str.replace(",", ".").astype(float)
    frame["won"] = frame["Этап сделки"] == "Успешно реализовано"
    return frame


def text(cfg: Path, name: str) -> str:
    return (cfg / name).read_text(encoding="utf-8")


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines only in before, lines only in after), order kept: what an edit removed and added."""
    b, a = before.splitlines(), after.splitlines()
    return [ln for ln in b if ln not in a], [ln for ln in a if ln not in b]


# ---- the list ---------------------------------------------------------------------------------------

def test_unrecognised_values_are_listed_with_their_counts(wh):
    listed = vocab.unrecognised()
    assert list(listed.columns)[:4] == ["dimension", "source", "field", "raw_value"]
    got = {(r.dimension, r.source, r.field, r.raw_value): (r.rows, r.won_revenue) for r in listed.itertuples()}
    leads = mql().origin.str.strip()
    for value in ("unknown_thing", "Unknown_Thing", "zz_mix_a", "zz_mix_b"):
        assert got[("channel", "leads", "source", value)][0] == (leads == value).sum()
    deals = amo()
    mine = deals[deals.utm_source.str.strip().str.lower() == "unknown_thing"]
    rows, revenue = got[("channel", "deals", "utm_source", "unknown_thing")]
    assert rows == len(mine) and float(revenue) == mine.amount[mine.won].sum()
    spb = deals[deals["Город"] == "Спб центр"]
    assert got[("region", "deals", "region", "Спб центр")] == (len(spb), spb.amount[spb.won].sum())
    assert got[("stage", "deals", "stage", "Думает")][0] == (deals["Этап сделки"] == "Думает").sum()
    # largest first: won revenue, then rows
    keys = [(-(r.won_revenue if r.won_revenue == r.won_revenue else -1), -r.rows) for r in listed.itertuples()]
    assert keys == sorted(keys)
    assert set(vocab.unrecognised(dimension="region").dimension) == {"region"}


def test_cli_lists_largest_first_and_as_json(wh):
    from etl.__main__ import main
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["vocab", "--json"]) == 0
    rows = json.loads(out.getvalue())
    assert rows == json.loads(vocab.unrecognised().to_json(orient="records"))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["vocab", "--dimension", "stage"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["dimension", "source", "field"] and "Думает" in lines[1] and len(lines) == 2


# ---- preview = pandas over the files -------------------------------------------------------------------

def test_preview_of_a_utm_value_equals_pandas(wh):
    deals = amo()
    mine = deals[deals.utm_source.str.strip().str.lower() == "unknown_thing"]
    p = vocab.preview(vocab.Assignment.parse("utm_source=unknown_thing", "seo"))
    assert p["moved"] == {"leads": 0, "deals": len(mine), "won_deals": int(mine.won.sum()),
                          "won_revenue": pytest.approx(mine.amount[mine.won].sum()), "before": ["unknown"]}
    rows = p["rows"].set_index("value")
    now = by_channel(wh)
    for ch, sign in (("unknown", -1), ("seo", 1)):
        r = rows.loc[ch]
        assert (r.leads_before, r.deals_before, r.won_deals_before) == now.get(ch, (0, 0, 0, 0))[:3]
        assert r.deals_after - r.deals_before == sign * len(mine)
        assert r.won_deals_after - r.won_deals_before == sign * mine.won.sum()
        assert float(r.won_revenue_after - r.won_revenue_before) == pytest.approx(sign * mine.amount[mine.won].sum())
    assert p["line"].split(",")[1:] == ["utm_source", "^unknown_thing$", "seo", "vocabulary step"]


def test_preview_of_a_source_value_counts_every_spelling(wh):
    leads = mql()
    n = (leads.origin.map(norm) == "unknown_thing").sum()          # 'unknown_thing' and 'Unknown_Thing '
    p = vocab.preview(vocab.Assignment.parse("source=Unknown_Thing", "seo"))
    assert p["moved"]["leads"] == n == 6
    rows = p["rows"].set_index("value")
    assert rows.loc["seo"].leads_after - rows.loc["seo"].leads_before == n
    assert p["line"].split(",")[2] == "^unknown_thing$"


# ---- apply: the config line, the log, the rebuild ------------------------------------------------------

def test_apply_writes_the_rule_logs_it_and_moves_what_was_previewed(wh):
    cfg = wh / "config"
    before = text(cfg, "channel_rules.csv")
    a = vocab.Assignment.parse("utm_source=unknown_thing", "seo")
    p = vocab.preview(a)
    t0 = dt.datetime.now().replace(microsecond=0)
    result = vocab.apply(a, "Анна Смирнова")
    after = text(cfg, "channel_rules.csv")
    removed, added = changed_lines(before, after)
    assert removed == [] and len(added) == 1
    prio, field, pattern, channel, _ = added[0].split(",")
    assert (field, pattern, channel) == ("utm_source", "^unknown_thing$", "seo")
    assert [ln for ln in after.splitlines() if ln.startswith("#")] == [ln for ln in before.splitlines()
                                                                       if ln.startswith("#")]
    # placed among the rules in priority order, before every broader rule of its field
    rules = [ln.split(",") for ln in after.splitlines()[1:] if not ln.startswith("#")]
    at = [r[0] for r in rules].index(prio)
    assert all(int(r[0]) > int(prio) for r in rules[at + 1:at + 2])
    log = vocab.changes()
    assert len(log) == 1
    row = log.iloc[0]
    assert (row.who, row.dimension, row.field, row.value, row.is_pattern, row.file, row.before, row.after) == (
        "Анна Смирнова", "channel", "utm_source", "unknown_thing", "false", "channel_rules.csv", "unknown", "seo")
    assert t0 <= dt.datetime.fromisoformat(row.when) <= dt.datetime.now()
    assert result["rebuilt"]["ok"]
    # after the rebuild each channel holds what the preview said it would
    now = by_channel(wh)
    for r in p["rows"].itertuples():
        assert now.get(r.value, (0, 0, 0, 0.0)) == (r.leads_after, r.deals_after, r.won_deals_after,
                                                     pytest.approx(float(r.won_revenue_after)))
    assert q(wh, "select count(*) from dq_unrecognised where field = 'utm_source' and raw_value = 'unknown_thing'") \
        == [(0,)]
    with pytest.raises(vocab.VocabError) as err:                 # the same again: already has its rule
        vocab.apply(a, "Анна Смирнова")
    assert err.value.code == "has_rule" and "\n" not in str(err.value)


def test_pattern_assignment(wh):
    cfg = wh / "config"
    before = text(cfg, "channel_rules.csv")
    leads = mql()
    matched = leads[leads.origin.map(norm).str.match(r"^zz_mix_.*$")]
    n = len(matched)
    # the closed deals of those leads have no source of their own: they follow their lead
    closed = pd.read_csv(FILES / "closed_deals.csv", dtype=str)
    n_deals = int(closed.mql_id.isin(matched.mql_id).sum())
    a = vocab.Assignment.parse("source=^zz_mix_.*$", "paid_other", pattern=True)
    p = vocab.preview(a)
    assert p["moved"]["leads"] == n == 4 and p["moved"]["deals"] == n_deals
    vocab.apply(a, "tester")
    _, added = changed_lines(before, text(cfg, "channel_rules.csv"))
    assert [ln.split(",")[1:4] for ln in added] == [["source", "^zz_mix_.*$", "paid_other"]]
    assert q(wh, "select count(*) from leads where channel = 'paid_other' and source like 'zz_mix_%'") == [(n,)]
    assert vocab.changes().iloc[-1].is_pattern == "true"


def test_a_value_a_broader_rule_claims_gets_a_rule_that_wins(wh):
    """A value an existing pattern maps elsewhere: the new rule goes before that rule, and wins."""
    cfg = wh / "config"
    rules = text(cfg, "channel_rules.csv")
    # a person's broad rule of the past: every zz_* source is 'other'
    (cfg / "channel_rules.csv").write_text(rules.rstrip("\n") + "\n990,source,^zz_,other,broad\n", encoding="utf-8")
    from etl.load import rebuild
    rebuild(progress=False)
    assert q(wh, "select count(*) from leads where source = 'zz_mix_b' and channel = 'other'") == [(2,)]
    p = vocab.preview(vocab.Assignment.parse("source=zz_mix_b", "email"))
    assert p["moved"]["leads"] == 2 and p["moved"]["before"] == ["other"]
    prio = int(p["line"].split(",")[0])
    assert prio < 990
    vocab.apply(vocab.Assignment.parse("source=zz_mix_b", "email"), "tester")
    assert q(wh, "select channel, count(*) from leads where source like 'zz_mix_%' group by 1 order by 1") == [
        ("email", 2), ("other", 2)]
    assert vocab.changes().iloc[-1].before == "other"


def test_region_stage_and_lead_status(wh):
    cfg = wh / "config"
    deals = amo()
    spb = deals[deals["Город"] == "Спб центр"]
    regions = text(cfg, "regions.csv")
    p = vocab.preview(vocab.Assignment.parse("region=Спб центр", "Санкт-Петербург"))
    assert (p["moved"]["deals"], p["moved"]["won_deals"]) == (len(spb), spb.won.sum())
    before = q(wh, "select count(*) from deals where region = 'Санкт-Петербург'")[0][0]
    vocab.apply(vocab.Assignment.parse("region=Спб центр", "Санкт-Петербург"), "tester")
    removed, added = changed_lines(regions, text(cfg, "regions.csv"))
    assert len(removed) == len(added) == 1 and added[0] == removed[0] + "|Спб центр"
    assert q(wh, "select count(*) from deals where region = 'Санкт-Петербург'") == [(before + len(spb),)]

    stages = text(cfg, "stages.csv")
    thinking = deals[deals["Этап сделки"] == "Думает"]
    p = vocab.preview(vocab.Assignment.parse("stage=Думает", "lost"))
    rows = p["rows"].set_index("value")
    assert rows.loc["lost"].deals_after - rows.loc["lost"].deals_before == len(thinking)
    vocab.apply(vocab.Assignment.parse("stage=Думает", "lost"), "tester")
    assert text(cfg, "stages.csv") == stages + "Думает,lost\n"
    assert q(wh, "select count(*) from deals where stage = 'Думает' and status = 'lost'") == [(len(thinking),)]

    crm = pd.read_csv(FILES / "leads_crm.csv", sep=";", dtype=str, encoding="cp1251")
    n = (crm["Статус"].map(norm) == "перезвонить позже").sum()
    p = vocab.preview(vocab.Assignment.parse("status=Перезвонить позже", "in_progress"))
    assert p["moved"]["leads"] == n == 3
    vocab.apply(vocab.Assignment.parse("status=Перезвонить позже", "in_progress"), "tester")
    assert q(wh, "select count(*) from leads where status_raw ilike 'перезвонить%' and status = 'in_progress'") \
        == [(n,)]
    assert list(vocab.changes().dimension) == ["region", "stage", "lead_status"]


# ---- errors: one line, nothing written ---------------------------------------------------------------

@pytest.mark.parametrize("args, code", [
    (("source=unknown_thing", "no_such_channel"), "unknown_target"),
    (("source=unknown_thing", "unknown"), "unknown_target"),
    (("source=zz(", "seo", None, True), "bad_pattern"),
    (("source=(?=zz)", "seo", None, True), "bad_pattern"),       # Python reads it, DuckDB (RE2) does not
    (("region=Спб центр", "Атлантида"), "unknown_target"),
    (("region=Питер", "Москва"), "taken"),
    (("region=Питер", "Санкт-Петербург"), "covered"),
    (("stage=Думает", "maybe"), "unknown_target"),
    (("stage=Закрыто и не реализовано", "lost"), "covered"),
    (("region=Спб.*", "Санкт-Петербург", None, True), "no_pattern"),
    (("currency=реал", "XYZ"), "unknown_target"),
])
def test_errors_are_one_line_and_change_nothing(wh, args, code):
    cfg = wh / "config"
    texts = {p.name: p.read_text(encoding="utf-8") for p in cfg.glob("*.csv")}
    with pytest.raises(vocab.VocabError) as err:
        vocab.apply(vocab.Assignment.parse(*args), "tester")
    assert err.value.code == code
    assert "\n" not in str(err.value) and len(str(err.value)) < 300
    assert {p.name: p.read_text(encoding="utf-8") for p in cfg.glob("*.csv")} == texts


def test_a_failed_rebuild_undoes_the_change(wh, monkeypatch):
    import etl.load
    cfg = wh / "config"
    texts = {p.name: p.read_text(encoding="utf-8") for p in cfg.glob("*.csv")}

    def fail(progress=True):
        raise LoadError("data checks failed (deals_unique_key: 1 rows); the warehouse was left unchanged",
                        "build_checks_failed", checks="deals_unique_key: 1 rows")
    monkeypatch.setattr(etl.load, "rebuild", fail)
    with pytest.raises(vocab.VocabError) as err:
        vocab.apply(vocab.Assignment.parse("utm_source=unknown_thing", "seo"), "tester")
    assert err.value.code == "undone" and "undone" in str(err.value)
    assert {p.name: p.read_text(encoding="utf-8") for p in cfg.glob("*.csv")} == texts


def test_cli_assign_dry_run_then_save(wh):
    from etl.__main__ import main
    cfg = wh / "config"
    rules = text(cfg, "channel_rules.csv")
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["vocab", "--assign", "utm_source=unknown_thing", "--to", "seo", "--dry-run"]) == 0
    assert "3 deals (2 won, 200 000.00 RUB) move from unknown to seo; nothing was saved" in out.getvalue()
    assert text(cfg, "channel_rules.csv") == rules
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["vocab", "--assign", "utm_source=unknown_thing", "--to", "seo", "--who", "cli"]) == 0
    assert "rebuilt from 4 raw files: 0 leads and 3 deals" in out.getvalue()
    assert vocab.changes().iloc[-1].who == "cli"
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        assert main(["vocab", "--assign", "utm_source=unknown_thing", "--to", "nowhere"]) == 2
    assert len(err.getvalue().strip().splitlines()) == 1 and err.getvalue().startswith("error: unknown channel")


def test_a_source_value_moves_its_leads_and_the_deals_that_follow_them(wh):
    """The closed-deals file has no source: where the build gives such deals their lead's channel, they
    move with their lead. Either way the warehouse after the rebuild holds what the preview said."""
    inherits = q(wh, "select count(*) from duckdb_columns() where table_name = 'deals' "
                     "and column_name = 'channel_from_lead'")[0][0] > 0
    leads = mql()
    mine = set(leads.mql_id[leads.origin.map(norm) == "unknown_thing"])
    closed = pd.read_csv(FILES / "closed_deals.csv", dtype=str)
    linked = closed[closed.mql_id.isin(mine)]
    a = vocab.Assignment.parse("source=unknown_thing", "seo")
    p = vocab.preview(a)
    assert p["moved"]["leads"] == len(mine)
    assert p["moved"]["deals"] == (len(linked) if inherits else 0)
    vocab.apply(a, "tester")
    now = by_channel(wh)
    for r in p["rows"].itertuples():
        assert now.get(r.value, (0, 0, 0, 0.0))[:3] == (r.leads_after, r.deals_after, r.won_deals_after)


def test_data_page_step_in_english(wh):
    """AppTest: the Vocabularies tab lists, refuses a bad pattern in one English line, previews and saves."""
    from tests.apptest import open_tab, run_app
    from ui.i18n import t
    at = run_app("data", "en", period="custom", **{"from": "2025-01-01", "to": "2025-03-31"})
    assert t("data.tab.vocab", "en") in [tab.label for tab in at.tabs]
    open_tab(at, "data", "vocab")
    assert at.selectbox(key="vocab_dim").value == "channel"
    # in words, not codes: the list's field and table, the value to pick; the count is of values to pick
    listed = next(df.value for df in at.dataframe if "raw_value" in df.value.columns)
    assert set(listed.field) <= {t("field.source", "en"), t("field.utm_source", "en"), t("field.utm_medium", "en"),
                                 t("field.channel", "en")} and "source" not in set(listed.field)
    box = at.selectbox(key="vocab_value_channel")
    assert all(o.startswith(t("field.source", "en") + ": ") or o.startswith("utm_") for o in box.options), box.options
    values = len(set(box.options))
    assert at.selectbox(key="vocab_dim").options[0].endswith(f"({values})"), at.selectbox(key="vocab_dim").options
    at.radio(key="vocab_mode").set_value("pattern").run()
    at.selectbox(key="vocab_field").set_value("source").run()
    at.text_input(key="vocab_pattern").input("zz(").run()
    assert not [w for w in at.text_input if w.key == "vocab_who"]      # the signed-in user saves it
    at.button(key="vocab_show").click().run()
    assert [e.value for e in at.error] and at.error[0].value.startswith("The pattern “zz(” is not a regular")
    assert "\n" not in at.error[0].value and not at.exception
    at.radio(key="vocab_mode").set_value("value").run()
    at.selectbox(key="vocab_value_channel").set_value(("source", "zz_mix_a")).run()
    at.selectbox(key="vocab_target_channel").set_value("referral").run()
    at.button(key="vocab_show").click().run()
    closed = pd.read_csv(FILES / "closed_deals.csv", dtype=str)
    leads = mql()
    n_deals = int(closed.mql_id.isin(leads[leads.origin.map(norm) == "zz_mix_a"].mql_id).sum())
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"Moving: 2 leads, {n_deals} deal") for c in captions), captions
    at.button(key="vocab_save").click().run()
    label = next(c["label_en"] for c in config.channels() if c["channel"] == "referral")
    assert not at.exception and at.success[0].value.startswith(f"Saved: “zz_mix_a” → {label} · referral")
    assert vocab.changes().iloc[-1][["who", "value", "after"]].tolist() == ["Admin", "zz_mix_a", "referral"]
    assert q(wh, "select count(*) from leads where source = 'zz_mix_a' and channel = 'referral'") == [(2,)]


def test_a_region_spelling_says_it_joins_its_regions_row(wh):
    """«В data/regions.csv будет записано: Спб центр» read as a line of its own; the spelling is added to
    Санкт-Петербург's row, and the preview now says so."""
    from tests.apptest import open_tab, run_app
    from ui.i18n import t
    at = open_tab(run_app("data", "ru", period="custom", **{"from": "2025-01-01", "to": "2025-03-31"}), "data",
                  "vocab")
    at.selectbox(key="vocab_dim").set_value("region").run()
    value = next(o for o in at.selectbox(key="vocab_value_region").options if o.endswith(": Спб центр"))
    at.selectbox(key="vocab_value_region").set_value(("region", "Спб центр")).run()
    assert value.startswith(t("field.region", "ru"))
    at.selectbox(key="vocab_target_region").set_value("Санкт-Петербург").run()
    at.button(key="vocab_show").click().run()
    assert not at.exception, [e.value for e in at.exception]
    tail = "В data/regions.csv у региона «Санкт-Петербург» появится ещё одно написание: «Спб центр»."
    assert any(c.value.endswith(tail) for c in at.caption), [c.value for c in at.caption]
