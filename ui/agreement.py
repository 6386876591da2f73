"""The agreements in words, for every page and slide that uses one: its version («договорённость v3 от
12.01.2026»), who signed it, and a proposal's effect cached per warehouse file."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st

from model import agreement_effect, agreements
from model.filters import Filters
from model.runner import Runner
from ui import fmt
from ui.auth import current_user
from ui.i18n import lang, t
from ui.upload import fields_in_words


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


def history_rows(hist, lang_: str):
    """The versions as the history tab and its file show them. The first one the store found in
    data/agreements.toml was approved before the app (by the file's signed_by, on its agreed_on if it names
    one): its row says so, not «в силе с» the minute the app first opened the file nor «утвердили: —»."""
    import tomllib

    from model.agreement_flow import FIRST_SEEN

    rows = []
    for r in hist.itertuples():
        if r.note == FIRST_SEEN:
            doc = tomllib.loads(r.text)
            agreed = doc.get("agreed_on")
            rows.append({"agreed_at": fmt.date(agreed, lang_) if agreed else t("agr.history.seen", lang_,
                                                                              when=when(r.agreed_at, lang_)),
                         "proposed_by": fmt.DASH,
                         "approved_by": ", ".join(_signer(s, lang_) for s in doc.get("signed_by", [])) or fmt.DASH,
                         "note": t("agr.history.first_seen", lang_, label=doc.get("version", "—"))})
        else:
            rows.append({"agreed_at": when(r.agreed_at, lang_), "proposed_by": r.proposed_by or fmt.DASH,
                         "approved_by": approvers(r.approved_by, lang_) or fmt.DASH, "note": r.note})
    return pd.DataFrame(rows, columns=["agreed_at", "proposed_by", "approved_by", "note"]).assign(
        version=[f"v{v}" for v in hist.version])[["version", "agreed_at", "proposed_by", "approved_by", "note"]]


def _signer(entry: str, lang_: str) -> str:
    """A signed_by entry, "marketing" or as the flow writes it "marketing: petrova", in words."""
    department, _, login = str(entry).partition(":")
    name = t(f"owner.{department.strip()}", lang_)
    return f"{name} ({login.strip()})" if login.strip() else name


def when(iso: str, lang_: str) -> str:
    """A store timestamp (UTC) in the reader's local time, to the minute."""
    return fmt.timestamp(dt.datetime.fromisoformat(iso).astimezone().replace(tzinfo=None), lang_)


# An agreed value's name in the form's words (its TOML path stays beside it, for whoever reads the file)
KEY_LABELS = {"sla.first_contact_hours": "agr.form.hours", "sla.working_hours": "agr.form.working_hours",
              "sla.min_qualified_share": "agr.form.qualified_share",
              "sla.min_lead_to_deal": "agr.form.lead_to_deal_share",
              "attribution.model": "agr.form.model", "attribution.first_weight": "agr.form.first",
              "attribution.last_weight": "agr.form.last", "attribution.middle_weight": "agr.form.middle"}


def changes(diff: list, lang_: str) -> pd.DataFrame:
    """flow.diff's (key, old, new) as the proposal shows them: «Первый контакт не позже, рабочих часов
    (sla.first_contact_hours)» with «2 → 4», a model by its name; was the path and «2» beside «4.0»."""
    from ui.attribution import model_names
    names = model_names(lang_)

    def value(key, v):
        if key == "attribution.model" and isinstance(v, str):
            return names.get(v, v)
        if isinstance(v, int | float) and not isinstance(v, bool):
            places = -Decimal(str(float(v))).normalize().as_tuple().exponent     # 4.0 -> 4, 0.35 -> 0,35
            return fmt.number(v, lang_, min(4, max(0, places)))
        return shown(v)
    return pd.DataFrame([(f"{t(KEY_LABELS[k], lang_)} ({k})" if k in KEY_LABELS else k, value(k, o), value(k, n))
                         for k, o, n in diff],
                        columns=[t("agr.col.key", lang_), t("agr.col.old", lang_), t("agr.col.new", lang_)])


def shown(value) -> str:
    """A setting's value as the TOML file writes it; absent: a dash."""
    from model.agreement_flow import toml_value
    return fmt.DASH if value is None else toml_value(value)


def refusal(err: Exception) -> str:
    """A refused step of the flow (AgreementError) or a refused text (LoadError) in the reader's language."""
    fields = fields_in_words(dict(getattr(err, "fields", {})), None)
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
    if e["model_now"] == e["model_new"]:     # «Модель: «Позиционная» → «Позиционная»» said a change there is not
        st.caption(t("agr.effect.scope_same", filters=page.filters_caption(f), model=names.get(e["model_now"],
                                                                                                e["model_now"])))
    else:
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
