"""No chat router imports another (issue 24): each handlers/ module stands on
handlers.router and the shared argument parsing in handlers.args, and on the layers
below; only handlers/__init__.py, which includes every router in order, names them all."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ROOT / "handlers"
SHARED = {"handlers", "handlers.router", "handlers.args"}


def handlers_modules_named(path: Path) -> set[str]:
    """The handlers.* modules a module's import statements name (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names
                         if alias.name.split(".")[0] == "handlers")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "handlers":
            if node.module == "handlers":  # from handlers import meetings: modules by name
                found.update(f"handlers.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:  # from . import x
            base = f"handlers.{node.module}" if node.module else "handlers"
            found.update({base} if node.module else
                         {f"handlers.{alias.name}" for alias in node.names})
    return found


def test_no_router_imports_another():
    offenders = {
        path.name: sorted(bad)
        for path in sorted(HANDLERS.glob("*.py"))
        if path.name != "__init__.py"
        and (bad := handlers_modules_named(path) - SHARED - {f"handlers.{path.stem}"})
    }
    assert offenders == {}


def test_the_check_sees_an_import_of_another_router(tmp_path):
    """The test above would pass on an empty folder; make sure it would catch one."""
    module = tmp_path / "sample.py"
    module.write_text("from handlers.meetings import x\nfrom handlers import study\n"
                      "from handlers.args import item_number\nimport handlers.posting\n")
    assert handlers_modules_named(module) - SHARED == {
        "handlers.meetings", "handlers.study", "handlers.posting"}


def test_every_refusal_a_route_names_is_a_catalog_sentence():
    """Role refusals come from the decorator: a route's own refusal is a catalog key."""
    from core import texts
    from handlers import routers

    named = [(route.handler.__name__, route.refusal) for router in routers()
             for route in router.routes if route.refusal]
    assert named, "no route names its own refusal"
    assert [(name, key) for name, key in named
            if not isinstance(getattr(texts, key, None), str)] == []


def test_handlers_ask_who_is_writing_one_way():
    """`ctx.caller` (open handlers: None when unbound) and `ctx.me` (bound ones) are the
    same `Sender`; the old accessors are gone."""
    from handlers.router import Context

    for gone in ("bound_caller", "bound_member", "member", "actor"):
        assert not hasattr(Context, gone), gone
