"""Parity's model: what every surface reads, with no Streamlit in it.

- `model.filters`: the filter set (period, regions, products) and the period arithmetic;
- `model.runner`: the one door to the warehouse (named SQL files, $parameters, read-only connections),
  every query run as a user;
- `model.access`: row-level security the runner applies: each query's declared rule (model/catalog.py
  ACCESS), a regional user's regions, default deny;
- `model.metrics`: the metric registry: every business number defined once, with its basis;
- `model.views`: what each page reads, as functions of the filters and a query runner;
- `model.pages`: the registry of pages.

`ui/` adds caching, widgets and formatting on top; `report/`, `bench/` and CLIs import this package.
"""
