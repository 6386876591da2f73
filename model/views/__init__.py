"""What each page reads, as functions of the filters: pages draw, views query.

`load(page, filters, run)` returns the page's frames; `run(name, params)` is ui.db.query in the app
and a timed, uncached runner in `python -m bench pages`, so the benchmark measures exactly the
queries a page issues. A view sends its independent queries together through `fetch`.
"""
from __future__ import annotations

import collections
import importlib
import os
import threading
from collections.abc import Callable

import pandas as pd

from model.filters import Filters
from model.runner import Runner

# Called in the caller's thread with each helper thread before it starts: ui/db.py registers one that
# attaches Streamlit's script context, so st.cache_data behaves in helpers as in the script thread.
prepare_thread: Callable[[threading.Thread], None] | None = None
# A page's queries read small marts, so each costs mostly DuckDB planning it, which runs on one core:
# on 2 cores two at a time take ~0.6 of the serial time (python -m bench pages); more only queue.
WORKERS = max(2, os.cpu_count() or 2)


def fetch(run: Runner, jobs: dict[str, tuple[str, dict]],
          then: dict[str, Callable[[pd.DataFrame], dict[str, tuple[str, dict]]]] | None = None
          ) -> dict[str, pd.DataFrame]:
    """{key: run(name, params)} for jobs {key: (name, params)}, run concurrently by WORKERS threads
    (the caller's among them). Jobs start in the order given: views list their slowest query first,
    so the others fill the other thread meanwhile.

    `then` maps a job's key to a function of its result that returns more jobs: they join the queue as
    soon as that job is done, so a query that needs another's answer (the Regions drill-down needs the
    region it opens on) runs while the rest of the first jobs still do, not after all of them. The
    result holds every job's frame, the added ones after the first ones.

    Each helper thread goes through `prepare_thread` before it starts (the app attaches its script
    context there).
    All jobs finish before this returns; the first failed job's error (in the jobs' order) is raised
    here.
    """
    then = then or {}
    every = dict(jobs)
    todo: collections.deque = collections.deque(jobs)
    done: dict[str, pd.DataFrame] = {}
    failed: dict[str, BaseException] = {}
    cond = threading.Condition()
    adding = 0      # running jobs whose `then` may still add jobs: an idle thread waits for them

    def work() -> None:
        nonlocal adding
        while True:
            with cond:
                while not todo and adding:
                    cond.wait()
                if not todo:
                    return
                key = todo.popleft()
                follows = key in then
                adding += follows
            more: dict[str, tuple[str, dict]] = {}
            try:
                done[key] = run(*every[key])
                if follows:
                    more = then[key](done[key])
            except BaseException as e:  # noqa: BLE001 - a boundary: any error is re-raised in the caller's thread
                failed[key] = e
            with cond:
                for k, job in more.items():
                    if k in every:
                        failed[key] = ValueError(f"fetch: job {k!r} added twice")
                        continue
                    every[k] = job
                    todo.append(k)
                adding -= follows
                cond.notify_all()

    helpers = [threading.Thread(target=work, name=f"parity-query-{i}", daemon=True)
               for i in range(min(WORKERS, len(jobs) + len(then)) - 1)]
    for thread in helpers:
        if prepare_thread is not None:
            prepare_thread(thread)
        thread.start()
    work()
    for thread in helpers:
        thread.join()
    if failed:
        raise next(failed[key] for key in every if key in failed)
    return {key: done[key] for key in every}


def load(page: str, f: Filters, run: Runner, **extra) -> dict[str, pd.DataFrame]:
    return importlib.import_module(f"model.views.{page}").load(f, run, **extra)


def latest_frame(fresh: pd.DataFrame) -> pd.DataFrame:
    """One row, `latest`: the last day with any deal, lead or spend, from the freshness rows."""
    value = fresh.activity_latest.iloc[0] if not fresh.empty else None
    return pd.DataFrame({"latest": [value]})
