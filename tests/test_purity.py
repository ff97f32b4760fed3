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
