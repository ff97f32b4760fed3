"""Deployment checks that need no browser: Community Cloud installs only requirements.txt,
reads .streamlit/config.toml, gives no secrets and may not keep files; the chart colours
must read in both themes.

(These live beside the browser tests because they guard the same thing, the deployed
app, but they are plain unit tests: not marked ``browser``.)
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib

import pytest

from .e2e import ROOT

APP_FILES = [ROOT / "dashboard.py"] + sorted(p for d in ("core", "ui", "pages") for p in (ROOT / d).glob("*.py"))

# Import name -> the distribution in requirements.txt that provides it.
PROVIDED_BY = {"streamlit": "streamlit", "sympy": "sympy", "mpmath": "sympy", "numpy": "numpy",
               "jax": "jax", "jaxlib": "jax", "altair": "altair", "pandas": "pandas"}
LOCAL = {"core", "ui", "pages"}


def _requirements() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0].lower())
    return names


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_every_import_of_the_app_comes_from_requirements_txt():
    required = _requirements()
    stdlib = set(sys.stdlib_module_names)
    for path in APP_FILES:
        for name in _imports(path) - stdlib - LOCAL:
            assert name in PROVIDED_BY, f"{path.relative_to(ROOT)} imports {name!r}, unknown to this test"
            assert PROVIDED_BY[name] in required, f"{path.relative_to(ROOT)} needs {PROVIDED_BY[name]!r} in requirements.txt"


def _writes(path) -> list[str]:
    """Calls in ``path`` that write files: open(..., 'w'/'a'/'x'), write_text/bytes, to_csv(path), mkdir…"""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
        if name == "open":
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                found.append(f"line {node.lineno}: open(..., {mode.value!r})")
        elif name in {"write_text", "write_bytes", "mkdir", "makedirs", "savefig", "to_parquet", "to_pickle",
                      "copyfile", "rmtree", "unlink"}:
            found.append(f"line {node.lineno}: {name}()")
        elif name == "remove" and isinstance(fn, ast.Attribute) and getattr(fn.value, "id", "") == "os":
            found.append(f"line {node.lineno}: os.remove()")
        elif name in {"to_csv", "to_json", "to_excel"} and (node.args or any(k.arg in ("path_or_buf", "path") for k in node.keywords)):
            found.append(f"line {node.lineno}: {name}(<file>)")
    return found


def test_write_detector_finds_writes_and_ignores_reads(tmp_path):
    src = tmp_path / "sample.py"
    src.write_text("open('a', 'w')\nopen('b')\nopen('c', mode='ab')\nP('d').write_text('x')\n"
                   "df.to_csv('e.csv')\ndf.to_csv(index=False)\nitems.remove(1)\nos.remove('f')\n")
    assert [w.split(":")[0] for w in _writes(src)] == ["line 1", "line 3", "line 4", "line 5", "line 8"]


def test_the_app_writes_no_files():
    """Cloud containers are shared and reset; sessions must not write files (downloads are built in memory)."""
    writes = {str(p.relative_to(ROOT)): w for p in APP_FILES if (w := _writes(p))}
    assert not writes, writes


def test_nothing_needs_secrets():
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()
    for path in APP_FILES:
        assert "st.secrets" not in path.read_text(encoding="utf-8"), path


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_config_follows_the_viewers_light_or_dark_setting():
    config = _config()
    theme = config.get("theme", {})
    # A colour set in a bare [theme] table makes one custom theme and the dark setting is ignored.
    assert not [k for k, v in theme.items() if not isinstance(v, dict)], theme
    assert {"light", "dark"} <= set(theme)
    for name in ("light", "dark"):
        colours = theme[name].get("chartCategoricalColors")
        assert colours is None or len(colours) == 10, f"[theme.{name}] chartCategoricalColors needs 10 colours"
    assert config["server"]["headless"] is True
    assert config["client"]["showErrorDetails"] == "none"


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Streamlit 1.67's default backgrounds (our config keeps them).
BACKGROUNDS = {"light": "#ffffff", "dark": "#171614"}


def test_contrast_helper_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_accent_and_f_grey_read_on_both_backgrounds(theme):
    """Lines and symbols need 3:1 against the background (WCAG 1.4.11); text accents 4.5:1."""
    from ui import charts

    bg = _config()["theme"][theme].get("backgroundColor", BACKGROUNDS[theme])
    assert contrast(charts.PALETTE["f(x)"], bg) >= 3.0
    for meaning in ("symbolic", "numerical", "autodiff"):
        assert contrast(charts.PALETTE[meaning], bg) >= 3.0, meaning
    assert contrast(_config()["theme"][theme]["primaryColor"], bg) >= 4.5


def test_palette_gives_each_meaning_its_own_colour():
    from ui import charts

    methods = [charts.PALETTE[k] for k in ("f(x)", "exact", "symbolic", "numerical", "autodiff", "tangent")]
    assert len(set(methods)) == len(methods)
