"""The agreements in words, for every page and slide that uses one: its version («договорённость v3 от
12.01.2026»), who signed it, and a proposal's effect cached per warehouse file."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from model import agreement_effect, agreements
from model.filters import Filters
from model.runner import Runner
from ui import fmt
from ui.auth import current_user
from ui.i18n import lang, t


def words(number: int, day, lang_: str) -> str:
    """«договорённость v3 от 12.01.2026» / "agreement v3 of 12.01.2026"; without a date for v1 of a file
    from before versions."""
    return t("agr.label_dated", lang_, version=number, date=fmt.date(day, lang_)) if day else \
        t("agr.label", lang_, version=number)


def label(run: Runner, lang_: str) -> str:
    """The version the numbers were built with, as a page or slide names it."""
    return words(*agreements.version(run), lang_)


def caption() -> None:
    """The label under a page's heading or beside what uses the agreement."""
    from ui import db
    st.caption(t("agr.caption", label=label(db.query, lang())))


def signed(signed_by: list, lang_: str) -> str:
    """signed_by in words: «Маркетинг (petrova), Продажи (sidorov)»; a file from before versions names
    departments only."""
    out = []
    for entry in signed_by:
        dept, _, login = str(entry).partition(":")
        name = t(f"owner.{dept.strip()}", lang_)
        out.append(f"{name} ({login.strip()})" if login else name)
    return ", ".join(out)


def effect(text: str, f: Filters) -> dict:
    """model.agreement_effect.effect on the warehouse file there now, cached per file version."""
    from ui import db
    path = db.warehouse_path()
    stat = path.stat()
    # the numbers as this user may see them (model/access.py); the user is part of the cache key
    return _effect(text, f, str(path), (stat.st_ino, stat.st_mtime_ns, stat.st_size), current_user())


@st.cache_data(show_spinner=False, max_entries=32)
def _effect(text: str, f: Filters, path: str, stamp: tuple[int, int, int], user) -> dict:
    return agreement_effect.effect(text, f, Path(path), user)


def file_matches(text: str) -> bool:
    """True when data/agreements.toml holds `text` (the version in force): False means it was edited
    outside the app, and the numbers built from it are not what both heads agreed."""
    from model.agreement_flow import agreements_path
    path = agreements_path()
    return os.path.exists(path) and path.read_text(encoding="utf-8") == text


def approvers(approved_by: dict, lang_: str) -> str:
    """{department: login} in words: «Маркетинг (petrova), Продажи (sidorov)»."""
    return ", ".join(f"{t('owner.' + d, lang_)} ({login})" for d, login in approved_by.items())


def when(iso: str, lang_: str) -> str:
    """A store timestamp (UTC) in the reader's local time, to the minute."""
    return fmt.timestamp(dt.datetime.fromisoformat(iso).astimezone().replace(tzinfo=None), lang_)


def shown(value) -> str:
    """A setting's value as the TOML file writes it; absent: a dash."""
    from model.agreement_flow import toml_value
    return fmt.DASH if value is None else toml_value(value)


def refusal(err: Exception) -> str:
    """A refused step of the flow (AgreementError) or a refused text (LoadError) in the reader's language."""
    fields = dict(getattr(err, "fields", {}))
    if "rule" in fields:
        fields["rule"] = t(f"agr.rule.{fields['rule']}")
    prefix = "agr.err." if type(err).__name__ == "AgreementError" else "err."
    return t(prefix + str(getattr(err, "code", "other")), **fields)


def show_effect(text: str, key: str) -> None:
    """What a proposal moves for the sidebar's filters, next to what the pages show now."""
    from ui import db, page, tables
    from ui.attribution import model_names
    from ui.filters import current
    L = lang()
    st.markdown(f"**{t('agr.effect')}**")
    if not db.has_data():
        st.info(t("agr.effect.no_data"))
        return
    f = current()
    e = effect(text, f)
    names = model_names(L)
    st.caption(t("agr.effect.scope", filters=page.filters_caption(f), now=names.get(e["model_now"], e["model_now"]),
                 new=names.get(e["model_new"], e["model_new"])))
    if not e["changed"] and e["model_now"] == e["model_new"]:
        st.info(t("agr.effect.none"))
    labels = db.query("channel_labels")
    label_of = dict(zip(labels.channel, labels["label_" + L], strict=True))
    ch = e["channels"]
    st.markdown(t("agr.effect.channels", currency=db.query("agreement").base_currency.iloc[0]))
    tables.show(ch.assign(channel=[label_of.get(c, c) for c in ch.channel]),
                dict.fromkeys(("current", "proposed", "change"), tables.number(L)), raw=ch, key=f"effect_ch_{key}",
                file_name=f"agreement_effect_channels_{key}", column_config={
                    "channel": t("agr.col.channel"), "current": t("agr.col.old"), "proposed": t("agr.col.new"),
                    "change": t("agr.col.change")})
    fu = e["funnel"]
    share = fu.metric.str.endswith(("share", "to_deal"))
    st.markdown(t("agr.effect.funnel"))
    def text(values) -> list[str]:
        return [fmt.percent(v, L, 1) if s else fmt.number(v, L) for v, s in zip(values, share, strict=True)]
    st.dataframe(pd.DataFrame({t("agr.col.metric"): [t(f"agr.funnel.{m}") for m in fu.metric],
                               t("agr.col.old"): text(fu.current), t("agr.col.new"): text(fu.proposed)}),
                 hide_index=True, placeholder=fmt.DASH)
