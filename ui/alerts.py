"""The alerts list (Overview): what changed, where, since when, the number beside its usual range, and whose.

The rules run in the build (queries/warehouse/steps/alert*.sql, thresholds in data/alerts.toml); this
module only words the open ones in the reader's language."""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import streamlit as st

from model import alerts_clock
from model.filters import Filters
from ui import auth, db, fmt
from ui.i18n import t

SHOWN = 5   # the rest fold into an expander: the list stays compact


SPEND_RULES = ("spend_stopped", "spend_doubled")


def _blank(x) -> bool:
    return x is None or bool(pd.isna(x))


def _num(r, x, lang: str, base: str) -> str:
    if _blank(x):
        return "—"
    if r.unit == "share":
        return fmt.percent(x, lang, 0)
    if r.unit == "cost_per_lead" or r.rule in SPEND_RULES:    # a campaign's spend: money, in the base currency
        return fmt.money(x, base, lang)
    return fmt.number(x, lang)


def _code(text) -> str:
    return f"`{str(text).replace('`', '')}`"    # names as they are: no markdown inside campaign keys


def where(r, lang: str) -> str:
    """The place an alert names: a campaign (and its region), an export, a raw value, or a region."""
    if r.rule in SPEND_RULES:
        return _code(r.campaign) + ("" if _blank(r.region) else f", {r.region}")
    if r.rule == "stale_export":
        # 'unknown' is the merge's placeholder for a spend file that names no platform, no name to print
        named = not _blank(r.platform) and r.platform != "unknown"
        return t(f"alerts.kind.{r.subject}", lang) + (f" ({r.platform})" if named else "")
    if r.rule == "unrecognised":
        return _unrecognised(str(r.subject), lang)
    return str(r.region)


def _unrecognised(subject: str, lang: str) -> str:
    """alert_unrecognised.sql's subject, "<dimension> <field>: <raw value>", in words: «канал (поле «Источник»):
    `Заявка с квиза`», was «channel source: Заявка с квиза». A subject of another form stays as written."""
    m = re.fullmatch(r"([a-z_]+) ([a-z_]+): (.*)", subject, flags=re.S)
    if not m:
        return _code(subject)
    dimension, field, raw = m.groups()
    return t("alerts.unrecognised_where", lang, dimension=t(f"dq.dimension.{dimension}", lang),
             field=t(f"field.{field}", lang), value=_code(raw))


def line(r, lang: str, base: str) -> str:
    """One alert as one line: **what** · where, since when, the number, its usual range, whose."""
    usual = _num(r, r.usual, lang, base)
    if not _blank(r.usual_low) and not _blank(r.usual_high):
        usual = t("alerts.usual_range", lang, usual=usual, low=_num(r, r.usual_low, lang, base),
                  high=_num(r, r.usual_high, lang, base))
    owner = t(f"alerts.owner.{r.owner}", lang) + ("" if _blank(r.responsible) else f", {r.responsible}")
    days = "" if _blank(r.window_days) else int(r.window_days)
    body = t(f"alerts.rule.{r.rule}", lang, where=where(r, lang), since=fmt.date(r.since, lang), days=days,
             value=_num(r, r.value, lang, base), usual=usual, threshold=_num(r, r.threshold, lang, base),
             value_noun=fmt.noun(r.value, "lead", lang))     # the rules that count leads say «лида», «лидов»
    return t("alerts.line", lang, what=t(f"alerts.title.{r.rule}", lang), body=body, owner=owner)


def show(f: Filters, lang: str, base: str) -> None:
    """The open alerts of the chosen regions (and those with no region), newest first."""
    try:
        rows = db.query("alerts_open", {"regions": list(f.regions)})
    except duckdb.CatalogException:     # a warehouse built before alerts existed: the next load adds them
        st.caption(t("alerts.not_built", lang))
        return
    rows = alerts_clock.with_clock(rows, db.query, dt.date.today(), auth.can("company_totals"))
    st.subheader(t("alerts.heading", lang, n=len(rows)))
    if rows.empty:
        st.caption(t("alerts.none", lang))
        return
    for r in rows.head(SHOWN).itertuples():
        st.markdown(line(r, lang, base))
    if len(rows) > SHOWN:
        with st.expander(t("alerts.more", lang, n=len(rows) - SHOWN)):
            for r in rows.iloc[SHOWN:].itertuples():
                st.markdown(line(r, lang, base))
