"""Data: upload exports into the same ETL the CLI runs, load history and rejected rows, data quality,
CRM vs accounting, and the definitions both departments signed off."""
from functools import partial
from pathlib import Path

import streamlit as st

from analysis.attribution import agreed_model
from model import agreements, metrics
from model.views import load
from model.views.data import has_accounting, recon_totals
from ui import agreement, auth, cards, db, fmt, nav, page, tables, trail, upload
from ui.attribution import describe
from ui.audit_log import audit_tab
from ui.data_cells import cell_warnings, cells_quality, dq_list, readable_lines, with_reasons
from ui.filters import current
from ui.i18n import TEXT, lang, t
from ui.load_tab import load_tab
from ui.vocab_step import vocab_step

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("data.title"))
# loading files and the vocabulary step change the warehouse: data_admin only (ui/auth.py refuses them too)
ADMIN = auth.can("load")
keys = [k for k in ("load", "history", "quality", "vocab", "recon", "terms", "metrics")
        if ADMIN or k not in ("load", "vocab")] + ["audit"] * auth.can("view_audit")
# a tab's tables are queried when it is open (ui/page.tabs); a switch of tab reruns the page
labels = {k: t(f"data.tab.{k}") for k in keys}
opened = page.open_tab("data_tab", labels)
tab = page.tabs("data_tab", labels)
if not ADMIN:
    st.caption(t("auth.readonly"))
if opened == "load":
    with tab["load"]:
        load_tab()
if opened == "audit":   # data_admin and ceo only: other roles get no tab, and audit_tab checks again
    with tab["audit"]:
        audit_tab()

if not db.has_data():
    with tab["history"]:
        page.require_data()
    st.stop()

f = current()
d = load("data", f, db.query, tab=opened, load_id=st.session_state.get("reject_load"),
         warn_load_id=st.session_state.get("warn_load"))
base = d["agreement"].base_currency.iloc[0]
N, P1 = tables.number(L), tables.percent(L, 1)
WHOLE = t("export.scope.warehouse")   # what the Excel files of the tables no filter narrows cover
WHEN = partial(fmt.timestamp, lang=L)

if opened == "history":
    with tab["history"]:
        h = d["history"].assign(entity=lambda x: [upload.entity_name(e) for e in x.entity],
                                notes=lambda x: upload.history_notes(x, L)).drop(columns=["note_keys"])
        tables.show(h,
                    {"loaded_at": WHEN, **{c: N for c in h.columns if c.startswith(("rows_", "cells_"))}}, key="loads",
                    file_name="loads", scope=WHOLE, column_config={c: t(f"data.col.{c}") for c in h.columns})
        st.subheader(t("data.rejects"))
        loads = h[h.rows_rejected > 0]
        if loads.empty:
            st.caption(t("data.rejects.none"))
        else:
            ids = loads.load_id.tolist()
            names = dict(zip(loads.load_id, loads.file_name, strict=True))
            st.selectbox(t("data.rejects.pick"), ids, placeholder=t("widget.choose"), key="reject_load",
                         format_func=lambda i: f"{i}: {names[i]}")
            rejects, picked = with_reasons(d["rejects"], L), st.session_state.get("reject_load")
            # the first rows on screen; both downloads have all of the load's (read on the click)
            every = tables.first_rows(rejects, int(loads.set_index("load_id").rows_rejected.get(picked or ids[0], 0)),
                                      "rejects_of_load", {"load_id": picked}, then=partial(with_reasons, L=L))
            named = {c: t(f"data.col.{c}") for c in ("row_number", "reason", "raw")}    # on screen and in both files
            tables.show(rejects, scope=WHOLE, key="rejects", file_name="rejects", raw=every, column_config=named)
            shown_id = picked or ids[0]     # the file's own name in the download's («rejects_14.csv» said none)
            name = f"rejects_{shown_id}_{Path(names[shown_id]).stem}.csv"
            detail = {"kind": "csv", "rows": len(rejects)}

            def rejects_csv() -> bytes:
                rows = every() if every else rejects
                detail["rows"] = len(rows)
                return rows.rename(columns=named).to_csv(index=False).encode("utf-8-sig")
            st.download_button(t("data.rejects.download"), trail.exported(rejects_csv, name, detail, L),
                               file_name=name, mime="text/csv", on_click="ignore")
            tables.show(with_reasons(d["reasons"], L), {"rows": N}, scope=WHOLE, key="reasons",
                        file_name="reject_reasons",
                        column_config={"load_id": t("data.col.load_id"), "file_name": t("data.col.file_name"),
                                       "reason": t("data.col.reason"), "rows": t("data.col.rows")})
        cell_warnings(h, d["warnings"])

if opened == "quality":
    with tab["quality"]:
        # the warehouse-wide figures are company totals, withheld from a regional user (model/access.py)
        row, u, q = cards.row(), d["unattributed"].iloc[0], None if db.company_withheld() else d["dq"].iloc[0]
        if q is not None:
            cards.card(row, t("data.dq.no_source"), fmt.percent(q.no_source_share, L), t("data.dq.whole"),
                       help_=t("data.dq.no_source.help"))
        cards.card(row, t("data.dq.unattributed"), fmt.percent(u.share, L), fmt.compact(u.unattributed, L, u.currency),
                   t("data.dq.unattributed.help", currency=u.currency, filters=page.filters_caption(f)))
        if q is None:
            st.caption(t("rls.company_only"))
        else:
            # build-time totals (mart_dq) beside the period's unattributed revenue: each says its basis
            cards.card(row, t("data.dq.unknown_region"), fmt.percent(q.revenue_unknown_region_share, L),
                       t("data.dq.whole"))
            cards.card(row, t("data.dq.rejected"), fmt.number(q.rejected_rows, L), t("data.dq.whole"))
            cells_quality(d["cells"].iloc[0], d["won_no_amount"])
            dq_list("unrecognised", d["unrecognised"], "dq_unrecognised", "dq_unrecognised",
                    lambda un: un.assign(dimension=[t(f"dq.dimension.{v}", L) for v in un.dimension],
                                         source=[t(f"source.{v}", L) for v in un.source],
                                         field=[t(f"field.{v}", L) for v in un.field]),
                    {"rows": N, "deals": N, "won_deals": N, "won_revenue": tables.money(L, base),
                     "amount": tables.money(L, base), "share": P1, "revenue_share": P1})
            dq_list("campaigns", d["campaigns"], "dq_unmapped_campaigns", "dq_campaigns",
                    lambda c: c.assign(source=[t(f"source.{v}", L) for v in c.source],
                                       missing=[t("data.dq.missing." + v.replace(", ", "_").replace(" ", "_"), L)
                                                for v in c.missing]),
                    formats={"rows": N, "won_deals": N})

if opened == "vocab":
    with tab["vocab"]:
        vocab_step()

if opened == "recon":
    with tab["recon"]:
        st.caption(t("data.recon.note"))
        if not has_accounting(d["fresh"]):   # nothing to compare: the step leaves both tables empty
            st.info(t("data.recon.no_sales"))
        else:
            for r in recon_totals(d["recon"]).itertuples():
                row = cards.row()
                cards.card(row, t("data.recon.crm", currency=r.currency), fmt.money(r.crm_won_amount, r.currency, L))
                cards.card(row, t("data.recon.acc", currency=r.currency),
                           fmt.money(r.sales_amount + r.returns_amount, r.currency, L))
                cards.card(row, t("data.recon.diff", currency=r.currency), fmt.money(r.difference, r.currency, L))
                cards.card(row, t("data.kind.crm_only"), fmt.number(r.crm_only, L))
                cards.card(row, t("data.kind.accounting_only"), fmt.number(r.accounting_only, L))
                cards.card(row, t("data.recon.returns"), fmt.number(r.returns, L))
            # months as months, amounts grouped (each row in its own currency); the grid still sorts by the values
            recon, A = d["recon"], tables.number(L, 2)
            amounts = dict.fromkeys(("crm_won_amount", "sales_amount", "returns_amount", "difference"), A)
            tables.show(recon, {"month": partial(fmt.month, lang=L), **amounts,
                                **dict.fromkeys(("crm_won_deals", "crm_only", "accounting_only", "returns"), N)},
                        kinds=dict.fromkeys(amounts, "money"), key="recon", file_name="recon_by_region_month",
                        column_config={c_: t(f"data.col.{c_}") for c_ in recon.columns})
            st.subheader(t("data.recon.lines"))
            lines = d["differences"]
            total = int(lines.lines.iloc[0]) if len(lines) else 0
            diffs = readable_lines(lines, L)
            # the largest lines on screen; the export has every line of the period, read the same way
            whole = tables.first_rows(diffs, total, "recon_differences_list", f.params(), note="data.recon.largest",
                                      then=partial(readable_lines, L=L))
            tables.show(diffs, {"date": partial(fmt.date, lang=L), "crm_amount": A, "sales_amount": A},
                        kinds={"crm_amount": "money", "sales_amount": "money"}, key="recon_lines", raw=whole,
                        file_name="recon_differences", column_config={c_: t(f"data.col.{c_}") for c_ in diffs.columns})


if opened == "terms":
    with tab["terms"]:
        agreed = agreements.agreements(db.query)    # as the numbers were built, not data/ now
        a = d["agreement"].iloc[0]
        st.subheader(t("data.terms.stages"))
        # a stage in words with its code, as the vocabulary step names it («квалифицирован (qualified)»)
        st.table({t("data.col.status"): [t(f"vocab.status.{s}") if f"vocab.status.{s}" in TEXT[L] else s
                                         for s in agreed.get("lead_stages", {})],
                  t("data.col.meaning"): list(agreed.get("lead_stages", {}).values())})
        st.subheader(t("data.terms.sla"))
        days = ", ".join(t(f"weekday.{d_}") for d_ in a.working_days)
        st.markdown(t("data.terms.sla_text", hours=fmt.number(a.first_contact_hours, L, 0), start=a.day_start,
                      end=a.day_end, days=days, qualified=fmt.percent(a.min_qualified_share, L, 0),
                      conversion=fmt.percent(a.min_lead_to_deal, L, 0)))
        st.subheader(t("data.terms.attribution"))
        agreed_attribution = agreed_model(agreements.attribution(db.query))     # as the numbers were built
        st.markdown(t("data.terms.attribution_text", description=describe(agreed_attribution, L)))
        st.subheader(t("data.terms.channels"))
        ch = d["channel_labels"]
        tables.show(ch.assign(owner=[t(f"owner.{o}") for o in ch.owner])[["channel", "label_" + L, "owner"]],
                    key="channels", file_name="channels", scope=WHOLE,
                    column_config={"channel": t("data.col.channel"), "label_" + L: t("data.col.label"),
                                   "owner": t("data.col.owner")})
        st.caption(t("data.terms.where", version=agreement.label(db.query, L),
                     signed=agreement.signed(agreed.get("signed_by", []), L)))

if opened == "metrics":
    with tab["metrics"]:
        st.caption(t("data.metrics.intro"))
        defs = metrics.definitions(L)
        tables.show(defs.drop(columns=["key"]), key="metric_definitions", file_name="metric_definitions",
                    column_config={c: t(f"data.metrics.col.{c}") for c in defs.columns if c != "key"})

page.freshness(d["fresh"])
