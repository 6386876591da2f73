"""The vocabulary step of the Data page: values no rule recognised, largest first; assign one (or a
pattern) to a channel, region or status, see what it moves, save it into data/ and rebuild."""
from __future__ import annotations

import os

import duckdb
import pandas as pd
import streamlit as st

from etl import config, vocab
from etl.errors import LoadError, log_unexpected
from model import audit
from model import trail as model_trail
from model.users import DEMO
from ui import auth, db, fmt, tables, trail, upload
from ui.i18n import TEXT, lang, t

SHOWN = ["source", "field", "raw_value", "rows", "deals", "won_revenue", "share"]


def _targets(dimension: str, L: str) -> dict[str, str]:
    """Canonical values a person can assign, code -> label in the UI language."""
    if dimension == "channel":
        return {c["channel"]: f"{c['label_' + L]} · {c['channel']}" for c in config.channels()
                if c["channel"] != "unknown"}
    if dimension == "region":
        return {r["region"]: r["region"] for r in config.regions()}
    if dimension == "currency":
        return {r["currency"].strip().upper(): r["currency"].strip().upper()
                for r in config.read_csv_rows(config.config_dir() / vocab.FILES["currency"])}
    return {s: t(f"vocab.status.{s}", L) for s in vocab.STATUSES[dimension]}


def _signed_in() -> str | None:
    """Who saves the change: the signed-in user's name (the audit trail keeps the login); the demo asks."""
    user = auth.current_user()
    return user.name if user is not None and user != DEMO else None


def _error(err: Exception) -> None:
    """One line in the reader's language; an unexpected error goes to the log with its traceback."""
    L = lang()
    if isinstance(err, audit.AuditError):
        st.error(t("audit.unwritable.edit", path=str(audit.store.store_path())), icon=":material/error:")
    elif isinstance(err, auth.NotAllowed):    # a role's refusal (ui/auth.require) is its own line
        st.error(str(err), icon=":material/block:")
    elif isinstance(err, vocab.VocabError) and f"vocab.err.{err.code}" in TEXT[L]:
        st.error(t(f"vocab.err.{err.code}", **err.fields), icon=":material/error:")
    elif isinstance(err, LoadError):  # a config or warehouse error: its own words, from its code
        st.error(upload.error_line(upload.error_of(err), frame="vocab.err.other"), icon=":material/error:")
    else:
        if os.environ.get("PARITY_DEBUG"):
            raise err
        ref = log_unexpected(err, "the vocabulary step")
        st.error(t("vocab.err.unexpected", ref=ref), icon=":material/error:")


def _label(dimension: str, value, L: str) -> str:
    if dimension == "channel":  # 'unknown' included: it is where unmatched values are now
        return next((f"{c['label_' + L]} · {value}" for c in config.channels() if c["channel"] == value), value)
    if dimension in vocab.STATUSES and value in vocab.STATUSES[dimension]:
        return t(f"vocab.status.{value}", L)
    return fmt.DASH if value is None or pd.isna(value) else str(value)


def _arrow(before, after, fn) -> str:
    return fn(before) if before == after else f"{fn(before)} → {fn(after)}"


def _show_preview(p: dict, L: str) -> None:
    a, rows, m = p["assignment"], p["rows"], p["moved"]
    base = vocab.base_currency()
    if "value" in rows.columns:
        num = lambda x: fmt.number(x, L)          # noqa: E731
        money = lambda x: fmt.money(x, base, L)   # noqa: E731
        st.dataframe(pd.DataFrame({
            t("vocab.col.value"): [_label(a["dimension"], v, L) for v in rows.value],
            t("vocab.col.leads"): [_arrow(b, x, num) for b, x in zip(rows.leads_before, rows.leads_after, strict=True)],
            t("vocab.col.deals"): [_arrow(b, x, num) for b, x in zip(rows.deals_before, rows.deals_after, strict=True)],
            t("vocab.col.won_deals"): [_arrow(b, x, num)
                                       for b, x in zip(rows.won_deals_before, rows.won_deals_after, strict=True)],
            t("vocab.col.won_revenue", currency=base): [
                _arrow(b, x, money) for b, x in zip(rows.won_revenue_before, rows.won_revenue_after, strict=True)],
        }), hide_index=True, placeholder=fmt.DASH, key="vocab_preview_table")
    # a region's value is written as one more spelling on its region's row, not as a line of its own
    key = "vocab.preview.alias" if a["dimension"] == "region" else "vocab.preview.line"
    st.caption(t(key, leads=fmt.number(m["leads"], L), deals=fmt.number(m["deals"], L),
                 leads_noun=fmt.noun(m["leads"], "lead", L), deals_noun=fmt.noun(m["deals"], "deal", L),
                 won=fmt.number(m["won_deals"], L), revenue=fmt.money(m["won_revenue"], base, L),
                 before=", ".join(_label(a["dimension"], v, L) for v in m["before"]),
                 target=_label(a["dimension"], a["target"], L), file=p["file"], line=p["line"]))


def _save(a: vocab.Assignment, who: str, L: str) -> None:
    auth.require("vocab")   # server-side: only data_admin changes the vocabulary and rebuilds
    audit.check()   # an edit the trail cannot record is not made (AuditError: the step says so)
    with st.spinner(t("vocab.rebuilding")):
        result = vocab.apply(a, who)
    st.session_state["vocab_audit"] = trail.kept("vocab_edit", model_trail.vocab_target(a),
                                                 model_trail.vocab_detail(result), trail.who() or who)
    st.cache_data.clear()
    m = result["moved"]
    st.session_state["vocab_done"] = t(
        "vocab.saved", value=a.value, target=_label(a.dimension, result["assignment"]["target"], L),
        file=result["file"], leads=fmt.number(m["leads"], L), deals=fmt.number(m["deals"], L),
        leads_noun=fmt.noun(m["leads"], "lead", L), deals_noun=fmt.noun(m["deals"], "deal", L),
        won=fmt.number(m["won_deals"], L))
    st.session_state.pop("vocab_preview", None)


def vocab_step() -> None:
    L = lang()
    st.caption(t("vocab.note"))
    if st.session_state.get("vocab_done"):
        st.success(st.session_state.pop("vocab_done"), icon=":material/check_circle:")
        trail.warn(st.session_state.pop("vocab_audit", None))
    try:
        listed = db.query("vocab_unrecognised", dimension=None)
    except duckdb.Error as err:  # an older warehouse without the list: say so in one line
        _error(vocab.VocabError("no_list", str(err)))
        return
    # the values there are to pick, not the rows of the list (a value seen in deals and leads is one)
    counts = listed.drop_duplicates(["dimension", "field", "raw_value"]).groupby("dimension").size()
    dim = st.selectbox(t("vocab.dimension"), list(vocab.FIELDS), placeholder=t("widget.choose"), key="vocab_dim",
                       format_func=lambda d: f"{t('vocab.dim.' + d, L)} ({counts.get(d, 0)})")
    shown = listed[listed.dimension == dim]
    if shown.empty:
        st.caption(t("vocab.none"))
    else:
        N, P = tables.number(L), tables.percent(L, 1)
        base = vocab.base_currency()
        raw = shown[SHOWN].astype({"deals": "float64", "won_revenue": "float64"})  # None (not deals) -> NaN
        # the table and its file in words: «Сделки · Источник», not «deals · source»
        raw = raw.assign(source=[t(f"source.{s}", L) for s in raw.source],
                         field=[t(f"field.{f}", L) for f in raw.field])
        # revenue means nothing for a lead or a touch: a dash as text (a grid shows a numeric NaN as "None")
        money = tables.money(L, base)
        tables.show(raw.assign(won_revenue=[money(v) if not pd.isna(v) else fmt.DASH for v in raw.won_revenue]),
                    {"rows": N, "deals": N, "share": P}, raw=raw,
                    key="vocab_list", file_name=f"unrecognised_{dim}",
                    column_config={c: t(f"vocab.col.{c}") for c in SHOWN})
    modes = ["value", "pattern"] if dim == "channel" else ["value"]
    mode = st.radio(t("vocab.mode"), modes, horizontal=True, key="vocab_mode",
                    format_func=lambda m: t(f"vocab.mode.{m}", L))
    if mode == "value":
        options = list(dict.fromkeys(zip(shown.field, shown.raw_value, strict=True)))
        if not options:
            return
        field, value = st.selectbox(t("vocab.value"), options, placeholder=t("widget.choose"), key=f"vocab_value_{dim}",
                                    format_func=lambda o: f"{t(f'field.{o[0]}', L)}: {o[1]}")
    else:
        field = st.selectbox(t("vocab.field"), vocab.FIELDS[dim], placeholder=t("widget.choose"), key="vocab_field",
                             format_func=lambda f: f"{t(f'field.{f}', L)} · {f}")
        value = st.text_input(t("vocab.pattern"), key="vocab_pattern", placeholder="^zz_.*$",
                              help=t("vocab.pattern.help"))
    targets = _targets(dim, L)
    target = st.selectbox(t("vocab.target"), list(targets), placeholder=t("widget.choose"), key=f"vocab_target_{dim}",
                          format_func=targets.get)
    who = _signed_in() or st.text_input(t("vocab.who"), value=os.environ.get("USER", ""), key="vocab_who")
    if not value:
        return
    a = vocab.Assignment(dim, field, value.strip(), mode == "pattern", target)
    if st.button(t("vocab.show"), key="vocab_show"):
        try:
            st.session_state["vocab_preview"] = (a, vocab.preview(a))
        except Exception as err:  # noqa: BLE001  the step's boundary: _error words it, logs the unexpected
            st.session_state.pop("vocab_preview", None)
            _error(err)
    shown_preview = st.session_state.get("vocab_preview")
    if not shown_preview or shown_preview[0] != a:
        return  # a preview of other inputs is not this change's preview
    _show_preview(shown_preview[1], L)
    if st.button(t("vocab.save"), type="primary", key="vocab_save", disabled=not (who or "").strip()):
        try:
            _save(a, who, L)
        except Exception as err:  # noqa: BLE001  the step's boundary: _error words it, logs the unexpected
            _error(err)
            return
        st.rerun()
