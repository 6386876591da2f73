"""The deck from the warehouse file, outside Streamlit: a read-only connection, the pages' views, files."""
from __future__ import annotations

import datetime as dt

from model.access import narrow
from model.filters import Filters
from model.users import User
from report import deck as deck_mod
from report import pdf, pptx, render
from report.slides import Deck

FORMATS = {"pptx": pptx.write, "pdf": pdf.write}
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf"}


def files(deck: Deck, kinds=("pptx", "pdf")) -> dict[str, bytes]:
    """The deck written in each format, its charts rendered once for all of them."""
    if deck.images is None:     # the page's two download buttons share one rendering
        deck.images = render.slide_images(deck)
    images = deck.images
    return {k: FORMATS[k](deck, images) for k in kinds}


def make(start: dt.date, end: dt.date, regions=(), products=(), lang: str = "ru", sections=deck_mod.SECTIONS,
         kinds=("pptx", "pdf"), user: User | None = None):
    """(deck, {kind: bytes}) for the period on the warehouse at $PARITY_DB (read-only), with `user`'s access
    (model/access.py: a regional user's deck holds only their regions; no user, nothing runs)."""
    from etl.paths import db_path
    from model.runner import connect, runner

    path = db_path()
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `python -m etl demo` or `python -m etl load FILE...`")
    con = connect(path)
    try:
        run = runner(con, user)
        offered = run("filter_options", {})
        for kind, names in (("region", regions), ("product", products)):   # what the sidebar offers
            known = offered[offered.kind == kind].value.tolist()
            if unknown := [n for n in names if n not in known]:
                raise LookupError(f"--{kind}s {', '.join(unknown)}: not a {kind} this deck can show; use one of: "
                                  f"{', '.join(known)}")
        f = narrow(Filters("custom", start, end, tuple(regions), tuple(products)), user)
        d = deck_mod.build(f, run, lang, sections)
    finally:
        con.close()
    return d, files(d, kinds)
