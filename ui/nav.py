"""Every run goes through app.py's st.navigation, never Streamlit's legacy pages/ folder mode.

Streamlit 1.67 decides once per server process, not per app, that a top-level pages/ folder makes
a legacy multipage app (`PagesManager.uses_pages_directory`), and only the public st.navigation
call switches that off. Until some session has run app.py's st.navigation, every run executes the
requested pages/ file alone: no app.py, so no sidebar filters and no language switch, the file names
(and app.py itself) as the menu. A fresh server's first run is such a run, so a shared link opened
first showed the bare file, and the widgets of that first run got ids a routed run does not reuse,
which lost the first click. app.py calls `router_run()` first thing and every page calls
`page_run()` first thing: a run that did not come through the router switches the mode off and
starts again at the same URL, before it has drawn anything.
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Set by app.py in every run that goes on to its st.navigation: a page runs after app.py in the same
# run, so a page run of a session without it came from the legacy mode.
ROUTED = "_nav_routed"
# The first page's reserved path name, never shown: it is served at "/" (see _alias)
HOME = "home"
# A page restarts a session once at most: run on its own (`streamlit run pages/x.py`) it would loop
RESTARTED = "_nav_restarted"


def _leave_folder_mode() -> None:
    PagesManager.uses_pages_directory = False
    st.rerun()


def router_run() -> None:
    """app.py's first statement: a run the legacy mode started as its 'app' page restarts routed.

    Read from the process-wide flag, so a second session whose run began in the legacy mode just
    before the first one switched it off is not caught here (its pages are, by `page_run`): on "/"
    it draws Parity nested in the legacy menu and may lose its first click."""
    if PagesManager.uses_pages_directory:
        _leave_folder_mode()
    st.session_state[ROUTED] = True


def page_run() -> None:
    """A page's first statement: a page the legacy mode ran on its own restarts through app.py at the
    same URL (the page and its query string), so the sidebar is drawn and reads the link's filters."""
    if not st.session_state.get(ROUTED) and not st.session_state.get(RESTARTED):
        st.session_state[RESTARTED] = True
        _leave_folder_mode()


def menu(user, title, sign_out=None):
    """What the router offers `user`: only the pages its role sees (model/pages.py); a page left out is
    not just hidden, its URL opens nothing either, st.navigation knows no such page. `sign_out` (a
    function page) goes in its own section headed by who is signed in."""
    from model.pages import pages_for

    shown = pages_for(user)
    pages = [st.Page(p.path, title=title(f"page.{p.key}"), icon=p.icon, default=i == 0,
                     url_path=HOME if i == 0 else None) for i, p in enumerate(shown)]
    if shown:
        pages.append(_alias(pages[0], shown[0].key, title(f"page.{shown[0].key}")))
    if sign_out is None:
        return pages
    return {"": pages, title("auth.as", name=user.name, role=title(f"role.{user.role}")): [
        st.Page(sign_out, title=title("auth.sign_out"), icon=":material/logout:", url_path="signout")]}


def _alias(home, key: str, name: str):
    """The first page lives at "/", so its own name as a path ("/overview", what a reader types or a
    bookmark from another tool holds) would open Streamlit's English «Page not found» dialog. A page
    hidden from the menu takes that path and goes on to "/" with the link's filters. (Streamlit reserves
    the default page's own path even though it serves it at "/": that page is named HOME instead.)"""
    def to_home():
        st.switch_page(home, query_params=st.query_params.to_dict())
    return st.Page(to_home, title=name, url_path=key, visibility="hidden")
