"""Meeting, for marketing at the joint meeting: the deck built from the pages' own numbers, the findings
previewed here, downloaded as PPTX or PDF with the filters printed on every slide."""
import datetime as dt

import streamlit as st

from report import deck as decks
from report.make import MIME, files
from ui import db, filters, nav, page
from ui.filters import Filters, parse_quarter
from ui.i18n import LANG_NAMES, LANGS, lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("meeting.title"))
page.require_data()
st.caption(t("meeting.intro"))
side = filters.current()


def plain(text: str) -> str:
    """Findings as text, not markdown: a campaign's '_' or a '$' must not turn into italics or maths."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|$~" else ch for ch in text)


def quarters(today: dt.date, n: int = 8) -> list[str]:
    """This quarter and the n - 1 before it, newest first: '2026-Q4', '2026-Q3', ..."""
    q = today.year * 4 + (today.month - 1) // 3
    return [f"{k // 4}-Q{k % 4 + 1}" for k in range(q, q - n, -1)]


options = db.query("filter_options")
known = options[options.kind == "region"].value.tolist()
c = st.columns([1, 2, 1])
period = c[0].selectbox(t("meeting.period"), ["sidebar", *quarters(filters.today())], key="meeting_period",
                        format_func=lambda p: t("meeting.period.sidebar", L, label=decks.period_label(side, L))
                        if p == "sidebar" else p)
regions = c[1].multiselect(t("meeting.regions"), known, default=[r for r in side.regions if r in known],
                           key="meeting_regions", placeholder=t("filter.all"))
deck_lang = c[2].segmented_control(t("meeting.lang"), LANGS, format_func=LANG_NAMES.get, default=L,
                                   key="meeting_lang", required=True)
sections = st.pills(t("meeting.sections"), decks.SECTIONS, selection_mode="multi", default=list(decks.SECTIONS),
                    format_func=lambda s: t(f"deck.section.{s}", L), key="meeting_sections")
if not sections:
    st.info(t("meeting.no_sections"))
    st.stop()

start, end = (side.date_from, side.date_to) if period == "sidebar" else parse_quarter(period)
f = Filters("custom", start, end, tuple(regions), side.products)
deck = decks.build(f, db.query, deck_lang, sections)
for note in deck.omitted:
    st.caption(t("meeting.omitted", what=note))

name = f"parity_{decks.period_label(f, 'en').replace(' – ', '_')}_{deck_lang}"
c = st.columns([1, 1, 4])
c[0].download_button(t("meeting.pptx"), data=lambda: files(deck, ("pptx",))["pptx"], file_name=f"{name}.pptx",
                     mime=MIME["pptx"], key="meeting_pptx", on_click="ignore", icon=":material/slideshow:",
                     type="primary")
c[1].download_button(t("meeting.pdf"), data=lambda: files(deck, ("pdf",))["pdf"], file_name=f"{name}.pdf",
                     mime=MIME["pdf"], key="meeting_pdf", on_click="ignore", icon=":material/picture_as_pdf:")
c[2].caption(t("meeting.slides", n=len(deck.slides) + 1))

st.subheader(t("meeting.preview"))
for s in deck.slides:
    with st.container(border=True):
        st.markdown(f"**{s.title}**")
        st.caption(s.filters)
        st.markdown("\n".join(f"- {plain(x.text)}" for x in s.findings))
page.freshness()
