"""Meeting, for marketing at the joint meeting: the deck built from the pages' own numbers, the findings
previewed here, downloaded as PPTX or PDF with the filters printed on every slide. The deck's own period
and regions live in the URL beside the sidebar's filters (?meeting_period=2026-Q3&meeting_regions=Москва,Казань,
left out while they are the sidebar's), so a link reproduces the deck."""
import datetime as dt

import streamlit as st

from model.access import narrow, scope_of
from model.filters import SEP, Filters
from model.views import load
from report import deck as decks
from report.make import MIME
from report.periods import parse_period, period_label
from ui import db, filters, meeting_decisions, nav, page
from ui.auth import current_user
from ui.deck_files import download
from ui.i18n import LANG_NAMES, LANGS, lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

PERIOD, REGIONS = "meeting_period", "meeting_regions"     # the widgets' keys and their URL parameters
SIDEBAR = "sidebar"     # the period option that follows the sidebar's

L = lang()
st.title(t("meeting.title"))
page.require_data()
st.caption(t("meeting.intro"))
side = filters.current()
today = filters.today()


def plain(text: str) -> str:
    """Findings as text, not markdown: a campaign's '_' or a '$' must not turn into italics or maths."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|$~" else ch for ch in text)


def quarters(today: dt.date, n: int = 8) -> list[str]:
    """This quarter and the n - 1 before it, newest first: '2026-Q4', '2026-Q3', ..."""
    q = today.year * 4 + (today.month - 1) // 3
    return [f"{k // 4}-Q{k % 4 + 1}" for k in range(q, q - n, -1)]


def readable(period: str) -> bool:
    """True when the deck reads `period` (the CLI's forms: 2026-03, 2026-Q1, 2026, FIRST..LAST, quarter...)."""
    try:
        parse_period(period, today)
    except ValueError:
        return False
    return True


def from_url(known: list[str]) -> None:
    """On the page's first run in a session the deck's period and regions come from the URL (a shared
    link), else they are the sidebar's; a value the deck cannot read falls back, never an error."""
    state, query = st.session_state, st.query_params
    if PERIOD not in state:
        wanted = str(query.get(PERIOD, SIDEBAR)).strip()
        state[PERIOD] = wanted if wanted == SIDEBAR or readable(wanted) else SIDEBAR
    if REGIONS not in state:
        chosen = str(query[REGIONS]).split(SEP) if REGIONS in query else side.regions
        state[REGIONS] = [r for r in chosen if r in known]


def to_url(period: str, regions: list[str]) -> None:
    """The deck's period and regions into the URL, where they are not the sidebar's."""
    wanted = {PERIOD: None if period == SIDEBAR else period,
              REGIONS: None if list(regions) == list(side.regions) else SEP.join(regions)}
    for key, value in wanted.items():
        if value is None and key in st.query_params:
            del st.query_params[key]
        elif value is not None and st.query_params.get(key) != value:
            st.query_params[key] = value


def label(p: str) -> str:
    if p == SIDEBAR:
        return t("meeting.period.sidebar", L, label=period_label(side, L))
    return period_label(Filters("custom", *parse_period(p, today)), L)


options = load("meeting", side, db.query)["options"]
known = options[options.kind == "region"].value.tolist()
from_url(known)
meeting_decisions.show(known, L)     # what the meeting decides: both departments' commitments, side by side
st.subheader(t("deck.title", L))
periods = [SIDEBAR, *quarters(today)]
if st.session_state[PERIOD] not in periods:     # a link's month, year or range
    periods.insert(1, st.session_state[PERIOD])
c = st.columns(2)   # wide enough for «Как в боковой панели: 2026-Q4» and «Русский | English» at 1100 px
period = c[0].selectbox(t("meeting.period"), periods, key=PERIOD, format_func=label, placeholder=t("widget.choose"))
regions = st.multiselect(t("meeting.regions"), known, key=REGIONS, placeholder=t("filter.all"), select_all=False)
deck_lang = c[1].segmented_control(t("meeting.lang"), LANGS, format_func=LANG_NAMES.get, default=L,
                                   key="meeting_lang", required=True)
to_url(period, regions)
sections = st.pills(t("meeting.sections"), decks.SECTIONS, selection_mode="multi", default=list(decks.SECTIONS),
                    format_func=lambda s: t(f"deck.section.{s}", L), key="meeting_sections")
if not sections:
    st.info(t("meeting.no_sections"))
    st.stop()

start, end = (side.date_from, side.date_to) if period == SIDEBAR else parse_period(period, today)
f = narrow(Filters("custom", start, end, tuple(regions), side.products), current_user())
deck = decks.build(f, db.query, deck_lang, sections)
for note in deck.omitted:
    st.caption(t("meeting.omitted", what=note))

name = f"parity_{period_label(f, 'en').replace(' – ', '_')}_{deck_lang}"
built = db.query("warehouse_built_at").built_at.iloc[0]   # a rebuilt warehouse draws the charts anew
# the user's scope too: the cached chart images are shared between sessions
key = (f.date_from, f.date_to, f.regions, f.products, deck_lang, tuple(sections), str(built), scope_of(current_user()))
c = st.container(horizontal=True)   # the buttons as wide as their labels
c.download_button(t("meeting.pptx"), data=download(deck, key, "pptx"), file_name=f"{name}.pptx",
                  mime=MIME["pptx"], key="meeting_pptx", on_click="ignore", icon=":material/slideshow:",
                  type="primary")
c.download_button(t("meeting.pdf"), data=download(deck, key, "pdf"), file_name=f"{name}.pdf",
                  mime=MIME["pdf"], key="meeting_pdf", on_click="ignore", icon=":material/picture_as_pdf:")
st.caption(t("meeting.slides", n=len(deck.slides) + 1) + ". " + t("meeting.files_note"))

st.subheader(t("meeting.preview"))
for s in deck.slides:
    with st.container(border=True):
        st.markdown(f"**{s.title}**")
        st.caption(s.filters)
        st.markdown("\n".join(f"- {plain(x.text)}" for x in s.findings))
page.freshness()
