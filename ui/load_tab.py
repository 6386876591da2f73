"""The Data page's load tab: upload exports, see each file's outcome, map the columns of a file the ETL
could not read; a load's audit entry that could not be written is said in one line (ui/upload.py).
data_admin only: the page draws it for that role, and the load itself asks again."""
import streamlit as st

from ui import auth, fmt, trail, upload
from ui.i18n import lang, t
from ui.mapping_step import mapping_step


def load_tab() -> None:
    L = lang()
    st.caption(t("data.load.note"))
    # the drop zone's own texts ("Upload", "200MB per file") come from Streamlit: ui/st_texts.py writes them in
    # the reader's language; the help says what the button does and that loading is the next button
    files = st.file_uploader(t("data.load.pick"), accept_multiple_files=True, key="uploads",
                             help=t("data.load.pick.help", size=st.get_option("server.maxUploadSize")))
    period = upload.period_fields(t)
    if files and st.button(t("data.load.go"), type="primary"):
        bar = st.progress(0.0, text=t("data.load.progress", done=0, total=len(files)))
        done = []

        def step(result):
            done.append(result)
            bar.progress(len(done) / len(files), text=t("data.load.progress", done=len(done), total=len(files)))

        auth.require("load")    # server-side: the role decides, not only which tabs are drawn
        result = upload.load_uploads([(f.name, f.getvalue()) for f in files], on_file=step,
                                     period=upload.period_of(period))
        st.session_state["last_load"] = result["files"]
        st.session_state["last_load_error"] = result.get("error")
        st.session_state["last_swept"] = result.get("swept") or []  # what interrupted loads had left
        st.session_state["last_audit"] = upload.audit_note(result)
        # by name: the files refused before reading (a crafted name, oversized) come first in the results
        st.session_state["to_map"] = [(f.name, f.getvalue()) for f in files
                                      if any(r["file"] == upload.label(f.name) and upload.needs_mapping(r)
                                             for r in result["files"])]
    if st.session_state.get("last_load_error"):
        st.error(upload.error_line(st.session_state["last_load_error"]), icon=":material/error:")
    for r in st.session_state.get("last_load", []):
        if r["status"] == "failed":
            st.error(upload.error_line(r), icon=":material/error:")
        elif r["status"] == "already loaded":
            st.info(t("data.load.again", file=r["file"], load_id=r["load_id"]))
        else:
            st.success(t("data.load.done", file=r["file"], entity=upload.entity_name(r["entity"]), format=r["format"],
                         loaded=fmt.number(r["rows_loaded"], L), rejected=fmt.number(r["rows_rejected"], L),
                         duplicate=fmt.number(r["rows_duplicate"], L), skipped=fmt.number(r["rows_skipped"], L),
                         warned=fmt.number(r.get("cells_warned", 0), L)))
            for line in upload.note_lines(r, L):     # how the file was read: said, not only kept in the loads table
                st.caption(line)
    trail.warn(st.session_state.get("last_audit"))   # the load stands; its entry waits, or is lost
    if swept := st.session_state.get("last_swept"):
        st.caption(t("data.load.swept", files=", ".join(r["path"].rsplit("/", 1)[-1] for r in swept),
                     size=fmt.number(sum(r["bytes"] for r in swept) / 1e6, L, 1)))
    if st.session_state.get("map_saved"):
        st.caption(t("map.saved", path=st.session_state["map_saved"]))
    for name, data in st.session_state.get("to_map", [])[:1]:
        mapping_step(name, data)
