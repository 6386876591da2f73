"""The impact page's words: the verdict sentence, lift bounds and warnings in the reader's locale."""
from __future__ import annotations

import pandas as pd

from analysis.planner import WASHOUT_DAYS
from model.access import masked
from ui import fmt


def verdict(r, metric: str, t, money) -> str:
    """One plain sentence from the result: significant gain, significant loss, or not told apart from zero."""
    low, high = money(r.incremental_low), money(r.incremental_high)
    what = t(f"impact.what.{metric}")
    if r.incremental_low > 0:
        return t("impact.verdict.up", low=low, high=high, what=what)
    if r.incremental_high < 0:
        return t("impact.verdict.down", low=low, high=high, what=what)
    return t("impact.verdict.none", low=low, high=high, what=what)


LIFT_LIMIT = 10.0   # ±1000 %: a lift bound past it says only that the counterfactual is near zero


def capped(share: float, limit: float = LIFT_LIMIT) -> bool:
    """Whether a lift bound is past ±limit (inf included: a counterfactual at zero)."""
    return not pd.isna(share) and abs(share) > limit


def bounded(share: float, lang: str, limit: float = LIFT_LIMIT) -> str:
    """A lift bound as a percent; past ±1000% (a counterfactual near zero) it reads "> 1000 %"."""
    if capped(share, limit):
        sign = ">" if share > 0 else "<"
        return f"{sign} {fmt.percent(limit if share > 0 else -limit, lang, 0)}"
    return fmt.percent(share, lang)


def warning_fields(warning: dict, lang: str) -> dict:
    """A warning's numbers in the reader's locale (shares as percents, a date as a date)."""
    out = {}
    for key, value in warning.items():
        if key in ("code", "text"):
            continue
        if key in ("mape", "share"):
            out[key] = fmt.percent(value, lang, 0)
        elif key == "since":
            out[key] = fmt.date(pd.Timestamp(value), lang)
        else:
            out[key] = value
    return out


def p_value(p: float, lang: str) -> str:
    """A p-value to three decimals; below 0.001 it reads «< 0,001» / «< 0.001», never «0,000»."""
    if not pd.isna(p) and p < 0.001:
        return f"< {fmt.number(0.001, lang, 3)}"
    return fmt.number(p, lang, 3)


def fit_text(err: float, kind: str, lang: str, t) -> tuple[str, str]:
    """The fit error as (value, note): a percent and what it measures, or "—" and the one-line reason."""
    if kind in ("mape", "wape"):
        return fmt.percent(err, lang), t(f"impact.fit.{kind}")
    return fmt.DASH, t(f"impact.fit.why.{kind}")


def scoreboard_table(board: pd.DataFrame, lang: str, t, base: str) -> tuple[pd.DataFrame, dict]:
    """The scoreboard as the reader sees it, and each column's format: every figure and each end of its
    interval a number in its own column (a header click sorts amounts; the cells were text, «-29,8 %
    (-60,0 % … 184,2 %)», sorted as words), shown in the reader's locale (a lift bound past ±1000 % reads
    «> 1 000 %»); the verdict, or the reason a flight has no numbers, in one line."""
    revenue = bool(len(board)) and (board.metric == "revenue").all()

    def amount(x):
        return fmt.compact(x, lang, base) if revenue else fmt.number(x, lang)

    out = pd.DataFrame({"campaign": board.campaign, "regions": board.regions, "start_date": board.start_date,
                        "end_date": board.end_date, "spend": pd.to_numeric(board.spend, errors="coerce"),
                        "metric": [t(f"impact.metric.{m}") for m in board.metric]})
    numbers = ["lift", "lift_low", "lift_high", "incremental", "incremental_low", "incremental_high",
               *(("romi", "romi_low", "romi_high") if revenue else ()), "p_value"]
    for c in numbers:
        out[c] = pd.to_numeric(board[c], errors="coerce").astype("float64") if c in board else float("nan")
    out["verdict"] = [t(f"impact.err.{e}", regions=r) if isinstance(e, str) and e != "not_estimated"
                      else t("impact.board.not_estimated") if isinstance(e, str) else t(f"impact.board.{v}")
                      for v, e, r in zip(board.get("verdict", [None] * len(board)), board.error, board.regions,
                                         strict=True)]
    out["fit"] = [None if isinstance(e, str) else fit_text(err, kind, lang, t)[0]
                  + (f" ({t('impact.board.weekly')})" if weekly else "")
                  for e, err, kind, weekly in zip(board.error, board.get("fit_error", [None] * len(board)),
                                                  board.get("fit_kind", [None] * len(board)),
                                                  board.get("weekly", [False] * len(board)), strict=True)]
    formats = {"start_date": lambda d: fmt.date(d, lang), "end_date": lambda d: fmt.date(d, lang),
               "spend": lambda x: fmt.compact(x, lang, base), "lift": lambda x: fmt.percent(x, lang),
               "lift_low": lambda x: bounded(x, lang), "lift_high": lambda x: bounded(x, lang),
               **dict.fromkeys(("incremental", "incremental_low", "incremental_high"), amount),
               **dict.fromkeys(("romi", "romi_low", "romi_high"), lambda x: fmt.percent(x, lang, 0)),
               "p_value": lambda x: p_value(x, lang)}
    return out, formats


# The scoreboard's file: each number in its own column, raw, with its interval's ends beside it
FILE_COLUMNS = {"campaign": "text", "regions": "text", "start_date": "date", "end_date": "date", "spend": "money",
                "metric": "text", "lift": "percent", "lift_low": "percent", "lift_high": "percent",
                "lift_capped": "text",
                "incremental": "number", "incremental_low": "number", "incremental_high": "number",
                "romi": "percent", "romi_low": "percent", "romi_high": "percent", "p_value": "number",
                "verdict": "text", "fit_error": "percent"}


def scoreboard_file(board: pd.DataFrame, t, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The scoreboard as its Excel file holds it (the screen's cells are text: «-29,8 % (-60,0 % … 184,2 %)»
    exported as a string a spreadsheet cannot sum or sort): (frame, column -> export kind). Incremental
    revenue is money in the base currency; deals and leads are counts. A lift bound past ±1000 % (the
    screen's «> 1 000 %») is written as ±1000 % with `lift_capped` saying so in the screen's words: the file
    held 18 949 782 821 % where the page said «> 1 000 %»."""
    out = board.copy()
    if "lift_low" in board:
        notes = []
        for low, high in zip(board.lift_low, board.lift_high, strict=True):
            said = [t(f"impact.board.capped.{side}", shown=bounded(x, lang))
                    for side, x in (("low", low), ("high", high)) if capped(x)]
            notes.append("; ".join(said) + "; " + t("impact.board.capped.why") if said else None)
        out["lift_capped"] = notes
        out["lift_low"], out["lift_high"] = (board[c].clip(-LIFT_LIMIT, LIFT_LIMIT) for c in ("lift_low", "lift_high"))
    out["metric"] = [t(f"impact.metric.{m}") for m in board.metric]
    out["verdict"] = [t(f"impact.board.{v}") if not isinstance(e, str) else
                      t(f"impact.err.{e}", regions=r) if e != "not_estimated" else t("impact.board.not_estimated")
                      for v, e, r in zip(board.get("verdict", [None] * len(board)), board.error, board.regions,
                                         strict=True)]
    out = out.reindex(columns=[c for c in FILE_COLUMNS if c in out.columns or not c.startswith("romi")])
    kinds = {c: k for c, k in FILE_COLUMNS.items() if c in out.columns and k != "text"}
    if (board.metric == "revenue").all():
        kinds.update(dict.fromkeys(("incremental", "incremental_low", "incremental_high"), "money"))
    return out, kinds


def named_windows(excluded: pd.DataFrame, controls: str) -> list[tuple]:
    """(region, start, end) of the flight windows the planner left out, by start: a region the runner masked
    for a restricted user (model/access.py) is neither named nor counted, each window of masked ones is one
    entry named `controls` (the label the page uses for them)."""
    hidden = excluded.region.map(masked)
    rows = pd.concat([excluded[~hidden], excluded[hidden].drop_duplicates(["start", "end"]).assign(region=controls)])
    return list(rows.sort_values(["start", "region"]).itertuples(index=False, name=None))


def plan_lines(out: dict, days: int, metric: str, lang: str, t) -> list[tuple[str, str]]:
    """What the planner says, as (kind, line): the headline (always one, a number or why there is none),
    then one line per region it could not use and the caveat; kind is "info" or "warning"."""
    days_noun = fmt.noun(days, "day", lang)
    lines = [("warning", t(f"impact.plan.err.{code}", region=region, days=days, days_noun=days_noun))
             for region, code in out["skipped"]]
    p = out["plan"]
    if out["error"]:
        lines.insert(0, ("warning", t("impact.plan.failed", detail=t(f"impact.plan.err.{out['error']}",
                                                                      region="", days=days, days_noun=days_noun))))
    elif p is None:
        lines.insert(0, ("warning", t("impact.plan.none_usable")))
    else:
        what = t(f"impact.what.{metric}")
        if p.mde == p.mde:
            head = t("impact.plan.result", regions=", ".join(p.treated), days=days, mde=fmt.percent(p.mde, lang, 0),
                     what=what, controls=len(p.controls), days_noun=days_noun)
        else:
            head = t("impact.plan.no_mde", regions=", ".join(p.treated), days=days, what=what,
                     controls=len(p.controls), days_noun=days_noun)
        lines.insert(0, ("info", head))
        if not p.excluded.empty:     # the history it planned on is not all the history there is: say so
            windows = named_windows(p.excluded, t("rls.controls"))
            spans = "; ".join(f"{r} {fmt.date(s, lang)}–{fmt.date(e, lang)}" for r, s, e in windows)
            lines.insert(1, ("info", t("impact.plan.excluded", n=len(windows), spans=spans,
                                       washout=WASHOUT_DAYS, washout_noun=fmt.noun(WASHOUT_DAYS, "day", lang))))
        if p.too_few_regions:
            lines.append(("warning", t("impact.plan.too_few")))
    return lines


def steadier_fields(other: str, a, lang: str, t) -> dict:
    """The figures of estimate `a` on the metric `other` a flight fits on (view.steadier), as the offer of
    it reads them: the metric's name, its fit error, lift, interval and p-value."""
    return {"other": t(f"impact.metric.{other}"), "other_err": fit_text(a.fit_error, a.fit_kind, lang, t)[0],
            "lift": fmt.percent(a.result.lift, lang), "low": bounded(a.result.lift_low, lang),
            "high": bounded(a.result.lift_high, lang), "p": p_value(a.result.p_value, lang)}


def steadier_line(e, other: str, a, lang: str, t) -> str:
    """The page's offer of the metric `other` the flight fits on, with its estimate `a`'s figures; `e` is the
    chosen metric's estimate (its fit error beside) or ImpactError code."""
    fields = steadier_fields(other, a, lang, t)
    if isinstance(e, str):
        return t("impact.steadier.instead", **fields)
    value, note = fit_text(e.fit_error, e.fit_kind, lang, t)
    return t("impact.steadier", err=note if value == fmt.DASH else value, **fields)


def caveats(e, lang: str, t) -> list[str]:
    """The estimate's warnings in the reader's words; a poor fit names the fit error the card shows."""
    out = []
    for w in e.result.warnings:
        fields = warning_fields(w, lang)
        if w["code"] == "poor_pre_fit":
            fields["mape"] = fit_text(e.fit_error, e.fit_kind, lang, t)[0]
        out.append(t(f"impact.warn.{w['code']}", **fields))
    return out
