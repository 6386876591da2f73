"""Parity's router: page config, the shared sidebar (language and filters), then the chosen page."""
import streamlit as st

from ui import auth, db, filters, nav, page, st_texts
from ui.i18n import DEFAULT, LANG_NAMES, LANGS, lang, t

nav.router_run()  # first: a fresh server starts in the legacy pages/ mode (ui/nav.py)
st.set_page_config(page_title="Parity", page_icon="📊", layout="wide")

# The language lives in session state and mirrors ?lang= so a shared link keeps it.
if "lang" not in st.session_state:
    wanted = str(st.query_params.get("lang", DEFAULT)).lower()
    st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT

with st.sidebar:
    st.segmented_control(t("language"), LANGS, format_func=LANG_NAMES.get, key="lang", required=True)

# Written on every run, and only a known language: a page switch can leave it out of the browser's URL
# while the server still holds it, and a run mid-click can see no value yet.
if st.session_state.get("lang") in LANGS:
    st.query_params["lang"] = st.session_state["lang"]

# Before any data is read: who this session is (demo mode, or signed in); else only the sign-in page.
user = auth.gate(db.demo_mode())

with st.sidebar:
    if db.has_data():
        options = db.query("filter_options")
        filters.sidebar(t, options[options.kind == "region"].value.tolist(),
                        options[options.kind == "product"].value.tolist())

st_texts.inject(lang())   # Streamlit's own widget texts in the reader's language; first in the main area, hidden
auth.demo_marker(user)
page.config_banner()
page.run_guarded(st.navigation(nav.menu(user, t, auth.sign_out_page(user))))
