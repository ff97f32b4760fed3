"""core/ stays pure: no Streamlit, and no eval on user text anywhere."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_never_imports_streamlit():
    files = sorted((ROOT / "core").rglob("*.py"))
    assert files
    offenders = [f"{f.name}: {m}" for f in files for m in _imports(f) if m.split(".")[0] == "streamlit"]
    assert offenders == []


def test_importing_the_whole_core_loads_no_streamlit():
    code = ("import sys, core; core.autodiff; core.timing; import core.snippets; "
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_symbolic_core_does_not_load_jax():
    code = "import sys, core; core.parse_function('x^2'); core.symbolic; print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_eval_exec_sympify_or_parse_expr_calls():
    banned = {"eval", "exec", "sympify", "parse_expr", "S"}
    found = []
    for folder in ("core", "ui", "pages"):
        for f in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text())):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in banned:
                        found.append(f"{f.relative_to(ROOT)}:{node.lineno} {name}()")
    assert found == []


# --- the shape of core: no import cycle, none hidden inside a function -------------------------

def _core_module(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _core_edges() -> dict[str, set[str]]:
    """Every import of a core module by a core module, at any depth of the file (in functions too)."""
    modules = {_core_module(p): p for p in (ROOT / "core").rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets = subs or [base]  # `from . import symbolic` imports core.symbolic, not core again
            for t in targets:
                if t in modules and t != mod and not (path.name == "__init__.py" and t.startswith(mod + ".")):
                    edges[mod].add(t)
    return edges


def test_core_has_no_import_cycle():
    """A cycle fails whether its imports sit at the top of a file or inside a function:
    an import moved into a function to dodge a cycle is still the cycle. (A package's
    ``__init__`` re-exporting its own submodules is not an edge.)"""
    edges = _core_edges()
    assert len(edges) > 5
    state: dict[str, int] = {}
    cycles = []

    def visit(m, stack):
        state[m] = 1
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                cycles.append(" -> ".join(stack[stack.index(t):] + [t]) if t in stack else f"{m} -> {t}")
            elif t not in state:
                visit(t, stack + [t])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert cycles == []
