"""`python -m etl demo`: writes the demo company's export files, then loads them like any others."""
from __future__ import annotations

import datetime as dt
import shutil

from etl.demo import generate
from etl.errors import LoadError
from etl.load import load_files, manifest_path, read_manifest
from etl.paths import db_path, demo_dir, raw_dir

# Load order: campaigns before spend (spend takes platform/channel from them), the rest any order.
ORDER = ["campaigns.csv", "ad_spend.csv", "crm_leads.csv", "crm_deals.csv", "touchpoints.csv",
         "plan.csv", "activities.csv", "1c_sales.csv", "metrica_traffic.csv"]


def run_demo(seed: int = 42, deals: int = 50_000, end: str | None = None, replace: bool = False) -> dict:
    """A fresh warehouse holding only the demo company (the old demo warehouse and raw store go)."""
    own = [e["file_name"] for e in read_manifest() if e["file_name"] not in ORDER]
    if own and not replace:
        raise LoadError(f"{db_path()} holds {len(own)} files of your own (e.g. {own[0]}); the demo would "
                        f"replace them: set PARITY_DB to another path, or pass --replace", "demo_would_replace",
                        path=str(db_path()), files=len(own), example=own[0])
    out = demo_dir()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    end_day = dt.date.fromisoformat(end) if end else None
    truth = generate(out, seed=seed, deals=deals, end=end_day)
    # a demo replaces whatever was loaded: the raw store and manifest describe one company
    for path in (db_path(), manifest_path()):
        path.unlink(missing_ok=True)
    if raw_dir().exists():
        shutil.rmtree(raw_dir())
    files = [out / name for name in ORDER if (out / name).exists()]
    # the demo's own files: no upload size limit (at 1M deals its leads file is 505 MB)
    result = load_files(files, progress=True, size_limit=False)
    result["truth"] = str(out / "truth.json")
    result["period"] = [truth.get("start"), truth.get("end")]
    return result
