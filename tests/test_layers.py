"""The house rules, checked: layers import downward only (DESIGN.md section 3), no
import cycles, nothing registered or configured by importing a module, and every
user-facing sentence lives in the catalog (core/texts/, core/words.py)."""

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
# (The migrations import the models: nothing below bot/ may import them.)
FORBIDDEN = {
    "core": {"flask", "bot", "handlers", "schedules", "models", "migrations"},
    "models": {"flask", "bot", "handlers", "schedules", "migrations"},
    "handlers": {"flask", "bot", "schedules", "migrations"},
    "schedules": {"flask", "bot", "handlers", "migrations"},
}


def module_name(path: Path) -> str:
    """The dotted name of a project module (a package's __init__ is the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(package: str) -> list[str]:
    """Every module of `package`, subpackages included (models.meetings.tables …)."""
    return sorted(module_name(path) for path in (ROOT / package).rglob("*.py")
                  if path.name != "__main__.py")


def loaded_by(package: str) -> set[str]:
    """Top-level modules in sys.modules after importing every module of `package`,
    in a fresh interpreter (so nothing this test process loaded counts)."""
    modules = modules_of(package)
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
    return found & {*PACKAGES, "migrations"}


def test_the_layer_check_sees_subpackages():
    assert {"models.meetings.tables", "models.db.inbound", "bot.cli.main",
            "bot.console.meetings"} <= {m for p in PACKAGES for m in modules_of(p)}


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
CATALOG = {*(ROOT / "core" / "texts").glob("*.py"), ROOT / "core" / "words.py"}
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
    belongs in core/texts/ (sentences) or core/words.py (words)."""
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


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The nodes under `if TYPE_CHECKING:` (never run, so never part of a cycle)."""
    return {id(inner) for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for statement in node.body for inner in ast.walk(statement)}


def import_graph() -> dict[str, set[str]]:
    """Project module → the project modules it imports, at the top or in a function.

    `from a.b import c` counts as importing `a.b.c` when that is a module, else `a.b`.
    """
    paths = {module_name(path): path for package in PACKAGES
             for path in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text())
        skipped = _type_checking_only(tree)
        edges: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in paths)
            elif isinstance(node, ast.ImportFrom) and node.module in paths and node.level == 0:
                edges.update(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}"
                             in paths else node.module for alias in node.names)
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles():
    graph = import_graph()
    assert {"handlers.router", "schedules.registry"} <= set(graph["handlers"]) | set(
        graph["schedules.scheduler"]), "the scan is broken"
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Run in a fresh interpreter: import every project module, watching for what importing
# must not do. Printed as JSON for the test below.
SIDE_EFFECTS_PROBE = '''
import atexit, gc, importlib, json, logging, signal, sys
import flask

modules = json.loads(sys.argv[1])
apps, registered = [], []
real_init, real_register = flask.Flask.__init__, flask.Blueprint.register
def counting_init(self, *args, **kwargs):
    apps.append(args[0] if args else kwargs.get("import_name"))
    real_init(self, *args, **kwargs)
def counting_register(self, app, options):
    registered.append(self.name)
    real_register(self, app, options)
flask.Flask.__init__, flask.Blueprint.register = counting_init, counting_register
exit_hooks = []  # ours: libraries (PIL, certifi, multiprocessing …) register their own
real_atexit = atexit.register
def recording_atexit(function, *args, **kwargs):
    owner = getattr(function, "__module__", None) or ""
    if owner.split(".")[0] in ("core", "models", "handlers", "schedules", "bot"):
        exit_hooks.append(f"{owner}.{getattr(function, '__qualname__', function)}")
    return real_atexit(function, *args, **kwargs)
atexit.register = recording_atexit

def loggers():
    found = {"": logging.getLogger()}
    found.update((name, logger) for name, logger in logging.root.manager.loggerDict.items()
                 if isinstance(logger, logging.Logger))
    return {name: [logger.level, len(logger.handlers), len(logger.filters), logger.propagate]
            for name, logger in found.items()}

def size(value):
    try:  # (flask's request and g are proxies that raise outside a request)
        for attribute in ("routes", "deferred_functions", "commands"):
            inner = getattr(value, attribute, None)
            if isinstance(inner, (list, dict)) and not isinstance(value, type):
                return len(inner)
        return len(value) if isinstance(value, (list, dict, set)) else None
    except RuntimeError:
        return None

def sizes(module):
    return {key: size(value) for key, value in vars(module).items()
            if size(value) is not None}

before_logging = loggers()
before_signals = {s: str(signal.getsignal(s)) for s in (signal.SIGTERM, signal.SIGINT)}
own = {}
for name in modules:
    importlib.import_module(name)
    for loaded in modules:
        if loaded in sys.modules and loaded not in own:
            own[loaded] = sizes(sys.modules[loaded])
changed = sorted(f"{name}.{key}" for name, sizes_then in own.items()
                 for key, then in sizes_then.items()
                 if sizes(sys.modules[name]).get(key) != then)
after_logging = loggers()
# Libraries may set up their own loggers (a NullHandler); ours, the root and the ones
# partybot's logging setup touches must be as Python left them.
watched = ("", "partybot", "core", "models", "handlers", "schedules", "bot", "apscheduler",
           "alembic.runtime.plugins", "werkzeug")
logging_changed = sorted(
    name for name, state in after_logging.items()
    if (name in watched or name.split(".")[0] in watched)
    and state != before_logging.get(name, [logging.NOTSET, 0, 0, True]))
import handlers, schedules.registry, schedules.scheduler
from schedules.job_spec import JobSpec
from apscheduler.schedulers.base import BaseScheduler
print(json.dumps({
    "apps": apps, "registered": registered, "changed": changed,
    "logging": logging_changed,
    "signals": {str(s): str(signal.getsignal(s)) for s in before_signals} == {
        str(s): h for s, h in before_signals.items()},
    "atexit": exit_hooks,
    "dispatchers": sum(isinstance(o, handlers.Dispatcher) for o in gc.get_objects()),
    "schedulers": sum(isinstance(o, BaseScheduler) for o in gc.get_objects()),
    "job_registries": sorted(
        f"{module.__name__}.{key}" for module in (schedules.registry, schedules.scheduler)
        for key, value in vars(module).items() if isinstance(value, (dict, list))
        and any(isinstance(item, JobSpec)
                for item in (value.values() if isinstance(value, dict) else value))),
    "constants": {name: {key: repr(value) for key, value in vars(sys.modules[name]).items()
                         if isinstance(value, (str, int, float, bool, type(None)))
                         and not key.startswith("__")} for name in modules},
}))
'''


def _import_everything(environment: dict[str, str]) -> dict:
    modules = [m for package in PACKAGES for m in modules_of(package)]
    result = subprocess.run([sys.executable, "-c", SIDE_EFFECTS_PROBE, json.dumps(modules)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env=environment)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _configuration_names() -> set[str]:
    """Every PARTYBOT_* / WECHAT_* variable the code names."""
    pattern = re.compile(r"\b(?:PARTYBOT|WECHAT)_[A-Z_]+\b")
    return {name for package in PACKAGES for path in (ROOT / package).rglob("*.py")
            for name in pattern.findall(path.read_text())}


def test_importing_every_module_registers_and_configures_nothing():
    """Registries are filled and logging set up by the factory, the scheduler and the
    CLI when they run, never because some module was imported (issue 24)."""
    import os

    plain = {k: v for k, v in os.environ.items()
             if not k.startswith(("PARTYBOT_", "WECHAT_"))}
    seen = _import_everything(plain)
    assert seen["apps"] == [] and seen["registered"] == []  # no app, no blueprint on one
    assert seen["changed"] == []  # no module's routes/blueprint/registry grown by another
    assert seen["logging"] == []  # no handler, filter or level set on any logger
    assert seen["signals"] and seen["atexit"] == []  # no signal handler, no exit hook
    assert seen["dispatchers"] == 0 and seen["schedulers"] == 0
    assert seen["job_registries"] == []  # the scheduler's job list: only when asked for
    # The environment is read by load_settings() when called: importing with every
    # setting changed leaves every module's constants as they were (those that are the
    # same in two plain runs: a random dummy hash is not configuration).
    assert len(_configuration_names()) > 20, "the scan is broken"
    again = _import_everything(plain)["constants"]
    odd = _import_everything({**plain, **dict.fromkeys(_configuration_names(), "7")})
    stable = {(module, key) for module, values in seen["constants"].items()
              for key, value in values.items() if again[module].get(key) == value}
    assert len(stable) > 500, "the scan is broken"
    assert sorted(f"{module}.{key}" for module, key in stable
                  if odd["constants"][module].get(key)
                  != seen["constants"][module][key]) == []


def test_the_job_list_is_asked_for():
    from schedules.registry import all_jobs

    jobs = all_jobs()
    assert len({job.id for job in jobs}) == len(jobs)
    assert "menu.sync_tags" in {job.id for job in jobs}
    assert all_jobs() is not jobs  # a fresh list: nobody can add to the scheduler's
