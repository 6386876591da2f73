"""Tables in the reader's locale that still sort by value: a pandas Styler shows fmt's text while
the grid keeps the numbers underneath (so a click on a header sorts 9 before 10)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import pandas as pd

from ui import fmt


def money(lang: str, currency: str):
    return partial(fmt.money, currency=currency, lang=lang)


def number(lang: str, decimals: int = 0):
    return partial(fmt.number, lang=lang, decimals=decimals)


def percent(lang: str, decimals: int = 0):
    return partial(fmt.percent, lang=lang, decimals=decimals)


def styled(frame: pd.DataFrame, formats: dict) -> pd.io.formats.style.Styler:
    """`formats`: column -> function of one value returning its text (fmt.DASH for missing)."""
    present = {c: f for c, f in formats.items() if c in frame.columns}
    return frame.style.format(present, na_rep=fmt.DASH)


def labels(column_config: dict | None) -> dict[str, str]:
    """column -> header text from a st.dataframe column_config (a string or a Column's label)."""
    out = {}
    for column, conf in (column_config or {}).items():
        label = conf if isinstance(conf, str) else (conf or {}).get("label") if isinstance(conf, dict) else None
        if label:
            out[column] = label
    return out


def kinds_of(formats: dict | None) -> tuple[dict[str, str], dict[str, int]]:
    """Each formatted column's export kind (and decimals) from its on-screen format: fmt.money -> money,
    fmt.percent -> percent, fmt.number -> integer or number; a column shown as text has none."""
    kinds, decimals = {}, {}
    for column, f in (formats or {}).items():
        func = getattr(f, "func", None)
        places = getattr(f, "keywords", {}).get("decimals", 0)
        if func is fmt.money:
            kinds[column] = "money"
        elif func is fmt.percent:
            kinds[column] = "percent"
        elif func is fmt.number:
            kinds[column], decimals[column] = ("integer" if places == 0 else "number"), places
    return kinds, decimals


def export_note(scope: str, lang_: str, when: dt.datetime | None = None) -> str:
    """The Excel file's first line: what it covers (period and filters, or the table's own scope), its
    language and when it was made."""
    from ui.i18n import LANG_NAMES, t

    return t("export.note", lang_, scope=scope, lang=LANG_NAMES[lang_],
             when=fmt.timestamp(when or dt.datetime.now(), lang_))


def xlsx(frame: pd.DataFrame, formats: dict | None = None, raw: pd.DataFrame | None = None,
         column_config: dict | None = None, kinds: dict[str, str] | None = None, note: str | None = None,
         lang_: str = "ru") -> bytes:
    """The Excel file of a table as shown: the raw values (`raw`, else `frame`) in the order of the rows
    on screen, each column formatted by its kind (given, else from its on-screen format, else guessed)."""
    from ui import export

    data = frame if raw is None else raw
    if raw is not None and len(raw) == len(frame) and set(raw.index) == set(frame.index):
        data = raw.loc[frame.index]     # the page may have sorted the shown frame after building the raw one
    guessed, decimals = kinds_of(formats)
    return export.to_xlsx(data, labels(column_config), kinds={**guessed, **(kinds or {})}, note=note,
                          lang=lang_, decimals=decimals)


def first_rows(frame: pd.DataFrame, total: int, query: str, params: dict, *, note: str = "data.rows.first",
               then: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Callable[[], pd.DataFrame] | None:
    """For a table that shows the first rows of a longer list: a line saying how many of how many (text
    `note`), and the whole list (`query` with `params` and rows null, read on the click: ui.db.deferred,
    then passed through `then`) for its downloads. None, and no line, when every row is shown."""
    import streamlit as st

    from ui import db
    from ui.i18n import lang, t

    if total <= len(frame):
        return None
    L = lang()
    st.caption(t(note, shown=fmt.number(len(frame), L), total=fmt.number(total, L)))
    rows_of = db.deferred(query, {**params, "rows": None})
    return (lambda: then(rows_of())) if then else rows_of


def show(frame: pd.DataFrame, formats: dict | None = None, *, key: str, file_name: str,
         raw: pd.DataFrame | Callable[[], pd.DataFrame] | None = None, column_config: dict | None = None,
         kinds: dict[str, str] | None = None, scope: str | None = None, **kwargs) -> None:
    """st.dataframe of `frame` (formatted by `formats` when given; an empty cell reads "—", not "None")
    and under it an Excel download of the raw values (`raw`, else `frame`), built only when clicked.
    `raw` may be a function giving them, called on the click: a table that shows the largest rows of a
    longer list exports the whole list (ui.db.deferred). `kinds` names the export kind of columns the
    on-screen formats do not tell (a share shown as text); `scope` replaces the sidebar's filters on the
    file's first line for a table they do not filter."""
    import streamlit as st

    from ui import export, page, trail
    from ui.filters import current
    from ui.i18n import lang, t

    shown = styled(frame, formats) if formats else frame
    st.dataframe(shown, hide_index=True, column_config=column_config, placeholder=fmt.DASH, **kwargs)
    L, covers = lang(), scope or page.filters_caption(current())
    detail = {"kind": "xlsx", "table": key, "rows": len(frame), "covers": covers}

    def build() -> bytes:
        # on the click, in a thread of its own: everything from the session is read now; recorded then,
        # with the rows the file has
        rows = raw() if callable(raw) else raw
        if rows is not None:
            detail["rows"] = len(rows)
        return xlsx(frame, formats, rows, column_config, kinds, export_note(covers, L), L)
    st.download_button(t("export.xlsx"),
                       data=trail.exported(build, f"{file_name}.xlsx", detail, L),
                       file_name=f"{file_name}.xlsx", mime=export.XLSX, key=f"xlsx_{key}", on_click="ignore",
                       icon=":material/download:", type="tertiary")
