"""Every run goes through app.py's st.navigation, never Streamlit's legacy pages/ folder mode.

Streamlit 1.67 decides once per server process, not per app, that a top-level pages/ folder makes
a legacy multipage app (`PagesManager.uses_pages_directory`), and only the public st.navigation
call switches that off. Until some session has run app.py's st.navigation, every run executes
the requested pages/ file alone: no app.py, so no sidebar filters, no language switch, the file
names as the menu, and app.py itself listed as one of the pages. A fresh server's first run is
such a run, so a shared link opened first showed the bare file, and the widgets of that first
run got ids a routed run does not reuse, which lost the first click. app.py calls `router_run()`
first thing and every page calls `page_run()` first thing: a run that did not come through the
router switches the mode off and starts again, before it has drawn anything.
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Set by app.py in every run that goes on to its st.navigation; a page run without it came from
# the legacy mode (a routed page always runs after app.py, in the same run).
ROUTED = "_nav_routed"


def _leave_folder_mode() -> None:
    PagesManager.uses_pages_directory = False
    st.rerun()


def router_run() -> None:
    """app.py's first statement: a run the legacy mode started as 'the app page' restarts routed."""
    if PagesManager.uses_pages_directory:
        _leave_folder_mode()
    st.session_state[ROUTED] = True


def page_run() -> None:
    """A page's first statement: a page the legacy mode ran on its own restarts through app.py, at the
    same URL (the page and its query string), so the sidebar draws and reads the link's filters.
    Checked per session rather than by the process-wide flag: a second session whose run started
    in the legacy mode while the first one was switching it off still restarts."""
    if not st.session_state.get(ROUTED):
        _leave_folder_mode()
