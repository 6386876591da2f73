"""Where a load spends its time and memory: named phases, each with its seconds and peak RSS.

Always on and cheap: a phase is two clock reads and two os.times() calls (CPU seconds of all the
process's threads: on a shared machine they move less than wall time); a daemon thread reads
/proc/self/statm every 20 ms while a load runs, so each phase knows the highest resident set seen
inside it. The load
returns the record (load_files' "phases"); `python -m bench etl` prints it against the bare
read_csv, so the next regression names its phase.

Phases nest: "derived/deal_facts" is inside "derived". Top-level phases tile the load; a phase
entered twice (two files) adds up under one name.
"""
from __future__ import annotations

import contextvars
import os
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

INTERVAL = 0.02
_PAGE_MB = resource.getpagesize() / 2**20


def rss_mb() -> float:
    """The process's resident set now, in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds() -> float:
    """User plus system CPU time of the whole process so far (every DuckDB thread included)."""
    t = os.times()
    return t.user + t.system


def max_rss_mb() -> float:
    """The process's peak resident set so far (getrusage), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Phase name -> seconds and peak RSS; `open` phases get the sampler's readings."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}
        self._open: list[list] = []        # [name, start, peak_mb, cpu_start]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = time.perf_counter()

    def start(self) -> Recorder:
        self._thread = threading.Thread(target=self._sample, name="parity-rss", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _sample(self) -> None:
        while not self._stop.wait(INTERVAL):
            now = rss_mb()
            for frame in list(self._open):
                if now > frame[2]:
                    frame[2] = now

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        path = "/".join([f[0] for f in self._open] + [name])
        frame = [path, time.perf_counter(), rss_mb(), cpu_seconds()]
        self._open.append(frame)
        try:
            yield
        finally:
            self._open.remove(frame)
            peak = max(frame[2], rss_mb())
            row = self.rows.setdefault(path, {"phase": path, "seconds": 0.0, "cpu_seconds": 0.0,
                                              "peak_rss_mb": 0.0})
            row["seconds"] += time.perf_counter() - frame[1]
            row["cpu_seconds"] += cpu_seconds() - frame[3]
            row["peak_rss_mb"] = max(row["peak_rss_mb"], peak)
            for outer in self._open:  # a phase's peak is its inner phases' too
                outer[2] = max(outer[2], peak)

    def report(self) -> list[dict]:
        """Phases in the order they first ended, nested ones after their parent."""
        rows = [dict(r, seconds=round(r["seconds"], 3), cpu_seconds=round(r["cpu_seconds"], 3),
                     peak_rss_mb=round(r["peak_rss_mb"]))
                for r in self.rows.values()]
        order = {r["phase"]: i for i, r in enumerate(rows)}

        def key(r: dict) -> tuple:
            parts = r["phase"].split("/")
            return tuple(order.get("/".join(parts[: i + 1]), 0) for i in range(len(parts)))
        return sorted(rows, key=key)


# per thread of control: two loads in one process (two app sessions) keep apart records
_current: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("parity_phases", default=None)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Records the phases of one load; nested calls share the outer recorder."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    rec = Recorder().start()
    token = _current.set(rec)
    try:
        yield rec
    finally:
        rec.stop()
        _current.reset(token)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Times the block as `name` inside the running recording; a no-op outside one."""
    rec = _current.get()
    if rec is None:
        yield
        return
    with rec.phase(name):
        yield
