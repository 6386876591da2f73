"""Tables in the reader's locale that still sort by value: a pandas Styler shows fmt's text while
the grid keeps the numbers underneath (so a click on a header sorts 9 before 10)."""
from __future__ import annotations

from functools import partial

import pandas as pd

from ui import fmt


def money(lang: str, currency: str):
    return partial(fmt.money, currency=currency, lang=lang)


def number(lang: str, decimals: int = 0):
    return partial(fmt.number, lang=lang, decimals=decimals)


def percent(lang: str, decimals: int = 0):
    return partial(fmt.percent, lang=lang, decimals=decimals)


def styled(frame: pd.DataFrame, formats: dict) -> "pd.io.formats.style.Styler":
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


def show(frame: pd.DataFrame, formats: dict | None = None, *, key: str, file_name: str,
         raw: pd.DataFrame | None = None, column_config: dict | None = None, **kwargs) -> None:
    """st.dataframe of `frame` (formatted by `formats` when given) and under it an Excel download of
    the raw values (`raw`, else `frame`), built only when clicked."""
    import streamlit as st

    from ui import export
    from ui.i18n import t

    shown = styled(frame, formats) if formats else frame
    st.dataframe(shown, hide_index=True, column_config=column_config, **kwargs)
    data, headers = frame if raw is None else raw, labels(column_config)
    st.download_button(t("export.xlsx"), data=lambda: export.to_xlsx(data, headers), file_name=f"{file_name}.xlsx",
                       mime=export.XLSX, key=f"xlsx_{key}", on_click="ignore", icon=":material/download:",
                       type="tertiary")
