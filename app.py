"""Parity's router: page config, the shared sidebar (language), then the page the user chose."""
import streamlit as st

from ui.i18n import DEFAULT, LANG_NAMES, LANGS, t

st.set_page_config(page_title="Parity", page_icon="📊", layout="wide")

# The language lives in session state and mirrors ?lang= so a shared link keeps it.
if "lang" not in st.session_state:
    wanted = str(st.query_params.get("lang", DEFAULT)).lower()
    st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT

with st.sidebar:
    st.segmented_control(t("language"), LANGS, format_func=LANG_NAMES.get, key="lang", required=True)

if st.query_params.get("lang") != st.session_state["lang"]:
    st.query_params["lang"] = st.session_state["lang"]

st.navigation([
    st.Page("pages/overview.py", title=t("page.overview"), icon=":material/dashboard:", default=True),
]).run()
