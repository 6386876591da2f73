"""The core's shape: `model/` runs without Streamlit, report/ and bench/ use nothing private from ui/,
and the project's modules import each other without cycles."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "ui", "report", "bench", "analysis", "etl", "pages")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    out["app"] = ROOT / "app.py"
    return out


def _imports(path: Path, name: str, known: dict[str, Path]) -> list[tuple[str, str | None]]:
    """(module, imported name or None) for every import in the file, functions' bodies included."""
    out = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.append((sub, None) if sub in known else (base, a.name))
    return out


def test_core_imports_without_streamlit():
    """Every module of model/ imports with Streamlit blocked, and none of them pulls in ui/ or report/."""
    mods = sorted(m for m in _modules() if m == "model" or m.startswith("model."))
    assert "model.metrics" in mods and "model.views.overview" in mods
    code = f"""
import importlib, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "streamlit" or name.startswith("streamlit."):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
for m in {mods!r}:
    importlib.import_module(m)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("streamlit", "ui", "report", "pages"))
assert not bad, bad
print("ok", len({mods!r}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)  # on failure the assert below shows the child's stderr
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok")


def test_blocker_catches_streamlit():
    """The check above can fail: a module that imports Streamlit is refused under the same blocker."""
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "streamlit" or name.startswith("streamlit."):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
import ui.db
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)  # this child is meant to fail
    assert done.returncode != 0 and "blocked: streamlit" in done.stderr


def test_report_and_bench_use_nothing_private_from_ui():
    known = _modules()
    bad = []
    for name, path in known.items():
        if name.split(".")[0] not in ("report", "bench", "model", "analysis", "etl"):
            continue
        for mod, attr in _imports(path, name, known):
            if not mod.startswith("ui"):
                continue
            if name.startswith(("model", "analysis", "etl")):
                bad.append(f"{name} imports {mod}")          # the core and below import no UI at all
            elif (attr and attr.startswith("_")) or any(p.startswith("_") for p in mod.split(".")[1:]):
                bad.append(f"{name} imports {mod}.{attr}")
    assert not bad, bad


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def _graph() -> dict[str, set[str]]:
    known = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        deps = set()
        for mod, _ in _imports(path, name, known):
            while mod and mod not in known:
                mod = mod.rpartition(".")[0]
            # a module importing its own package's __init__ (model.views.x -> model.views) is Python's
            # normal order, not a cycle: the package is initialised first
            if mod and mod != name and not name.startswith(mod + "."):
                deps.add(mod)
        graph[name] = deps
    return graph


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
