"""The house rules, checked: layers import downward only (DESIGN.md section 3), and every
user-facing sentence lives in the catalog (core/texts.py, core/words.py)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "models", "handlers", "schedules", "bot")
# What each package must not load, directly or through anything it imports.
FORBIDDEN = {
    "core": {"flask", "bot", "handlers", "schedules", "models"},
    "models": {"flask", "bot", "handlers", "schedules"},
    "handlers": {"flask", "bot", "schedules"},
    "schedules": {"flask", "bot", "handlers"},
}


def loaded_by(package: str) -> set[str]:
    """Top-level modules in sys.modules after importing every module of `package`,
    in a fresh interpreter (so nothing this test process loaded counts)."""
    submodules = sorted(f"{package}.{path.stem}" for path in (ROOT / package).glob("*.py")
                        if path.stem != "__init__")
    modules = [package, *submodules]
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_downward_only(package):
    leaked = loaded_by(package) & FORBIDDEN[package]
    assert not leaked, f"importing {package}/ loads {sorted(leaked)}"


def imported_packages(path: Path) -> set[str]:
    """The project packages a module's import statements name (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def test_no_module_below_bot_names_an_upper_layer_even_lazily():
    """A function-level import would escape the sys.modules check above."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(bad)}"
        for package, forbidden in FORBIDDEN.items()
        for path in (ROOT / package).rglob("*.py")
        if (bad := imported_packages(path) & forbidden)
    ]
    assert offenders == []


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
CATALOG = {ROOT / "core" / "texts.py", ROOT / "core" / "words.py"}
# Demo data is data, not something partybot says.
EXEMPT = {ROOT / "bot" / "demo.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, nodes) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _command_words(tree: ast.AST) -> set[int]:
    """`@router.command("签到", …, usage="签到 <签到码>")`: the command word and its usage
    are the chat's contract (DESIGN.md section 4), written where the handler is."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "command":
            found.update(id(arg) for arg in node.args[:1])
            found.update(id(kw.value) for kw in node.keywords if kw.arg == "usage")
    return found


def test_every_sentence_lives_in_the_catalog():
    """A handler's docstring is its 帮助 line (STYLE.md); anything else in Chinese
    belongs in core/texts.py (sentences) or core/words.py (words)."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in CATALOG or path in EXEMPT:
                continue
            tree = ast.parse(path.read_text())
            allowed = _docstrings(tree) | _command_words(tree)
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:30]!r}"
                      for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and id(node) not in allowed and CJK.search(node.value)]
    assert found == []


def test_every_domain_error_names_a_catalog_entry():
    from core import texts

    keys = set()
    for package in ("models", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id.endswith("Error") and node.args \
                        and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str) \
                        and node.args[0].value.isupper():
                    keys.add(node.args[0].value)
    assert keys, "no domain errors found: the scan is broken"
    assert sorted(k for k in keys if not isinstance(getattr(texts, k, None), str)) == []
