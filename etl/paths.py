"""Where the warehouse, its raw-file store and the config live; read at call time, never at import."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"


def db_path() -> Path:
    """The warehouse file: $PARITY_DB if set, else data/warehouse.duckdb."""
    env = os.environ.get("PARITY_DB")
    return Path(env).expanduser().resolve() if env else DATA_DIR / "warehouse.duckdb"


def raw_dir() -> Path:
    """The byte-for-byte store of every loaded file, beside the warehouse file."""
    return db_path().parent / "raw"


def config_dir() -> Path:
    """Reviewed config (regions, channels, agreements); $PARITY_CONFIG overrides for tests."""
    env = os.environ.get("PARITY_CONFIG")
    return Path(env).resolve() if env else DATA_DIR


def demo_dir() -> Path:
    """Where `python -m etl demo` writes the demo company's export files."""
    return db_path().parent / "demo"
