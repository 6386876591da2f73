"""Parity ETL: export files in, a DuckDB warehouse out (python -m etl ...)."""
