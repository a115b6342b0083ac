"""The architecture of docs/architecture.md, checked: module size, no import cycles, one questions model,
nothing wired at import time. (The layers and faces are import-linter's contracts in `make lint`; the
"views never commit" rule is tests/core/test_write_discipline.py.)"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from congress import capabilities
from congress.extensions import db
from scripts.importlinter_contracts import FacesContract

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "congress"
MAX_LINES = 600


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("congress")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "translations" not in p.parts)


def test_no_module_over_600_lines():
    too_long = {p.relative_to(ROOT).as_posix(): n for p in _modules()
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert too_long == {}, f"split these along their section comments: {too_long}"


def _cycles(graph: grimp.ImportGraph, edges: set[tuple[str, str]]) -> list[tuple[str, ...]]:
    """For every direct import a → b: a chain b → … → a closes a cycle (``find_shortest_chain``)."""
    found = []
    for importer, imported in sorted(edges):
        back = graph.find_shortest_chain(importer=imported, imported=importer)
        if back is not None:
            found.append((importer, *back))
    return found


def test_no_import_cycle_between_modules(graph):
    """No module imports (directly or through others) a module that imports it back — inside a
    capability or across. Checked with grimp on every direct import a → b of the package, inline
    imports included: there must be no chain b → a. The package's own __init__ (create_app) is left
    out: it imports the wiring, and `from congress import x` names the submodule, not the package."""
    edges = {(a, b) for a in graph.modules if a != "congress"
             for b in graph.find_modules_directly_imported_by(a) if b != "congress"}
    cycles = _cycles(graph, edges)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_import_cycle_between_capability_packages(graph):
    """The same one level up: capability X importing Y while Y (any of its modules) imports X."""
    names = capabilities.names()
    imports: dict[str, set[str]] = {name: set() for name in names}
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2 or parts[1] not in imports:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            other = imported.split(".")
            if len(other) > 1 and other[1] in imports and other[1] != parts[1]:
                imports[parts[1]].add(other[1])
    both_ways = sorted({tuple(sorted((a, b))) for a in imports for b in imports[a] if a in imports[b]})
    assert both_ways == [], f"capabilities importing each other: {both_ways}"
    # and no longer loop (a → b → c → a) either
    loops = [(a, b) for a in imports for b in imports[a] if _reaches(imports, b, a)]
    assert loops == [], f"capability import loops through: {loops}"


def _reaches(imports: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(imports.get(name, ()))
    return False


def test_one_model_for_custom_questions(app):
    """Registration, the call for proposals and the evaluations share one ``Question`` model."""
    question_models = sorted(f"{m.class_.__module__}.{m.class_.__name__}" for m in db.Model.registry.mappers
                             if m.class_.__name__.endswith("Question"))
    assert len(question_models) == 1, question_models
    assert question_models[0].startswith("congress.questions.") and question_models[0].endswith(".Question")


# Calls that wire one capability to another: connecting to a signal, registering a callback.
_ALLOWED_REGISTER = {"register_blueprint", "register_namespace"}


def _wiring_call(node: ast.AST) -> str | None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in ("connect", "connect_via"):  # a call or a decorator
            return sub.attr
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name.startswith("register_") and name not in _ALLOWED_REGISTER:
                return name
    return None


def _import_time_statements(tree: ast.Module) -> list[ast.AST]:
    """What runs when the module is imported: top-level statements, but not function bodies (their
    decorators do run)."""
    out: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            out.extend(stmt.decorator_list)
        elif isinstance(stmt, ast.ClassDef):
            out.extend(stmt.decorator_list)
            out.extend(s for s in stmt.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef))
        else:
            out.append(stmt)
    return out


def test_nothing_is_wired_at_import_time():
    """Capabilities connect to each other's signals only in ``receivers.connect()``, which create_app
    calls: no module-level ``.connect(…)``, ``@signal.connect`` or ``register_…(…)``."""
    offenders = []
    for name in capabilities.names():
        for path in sorted((PACKAGE / name).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in _import_time_statements(tree):
                if (call := _wiring_call(node)) is not None:
                    offenders.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {call}")
    assert offenders == []


def test_the_wiring_check_sees_what_it_must():
    """The checker itself: a module-level connect or registration is caught, one inside a function is not."""
    source = ("sig.connect(handler)\n@sig.connect\ndef on(x): pass\nregister_thing('a', f)\n"
              "def connect():\n    sig.connect(handler)\nbp.register_blueprint(other)\n")
    found = [_wiring_call(n) for n in _import_time_statements(ast.parse(source))]
    assert [f for f in found if f] == ["connect", "connect", "register_thing"]


def _faces_check(imports: list[tuple[str, str]]) -> list[tuple[str, str]]:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        for module in (importer, imported):
            graph.add_module(module)
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    for package in {".".join(m.split(".")[:2]) for m in graph.modules if m.count(".") >= 2}:
        graph.add_module(package)
    contract = FacesContract("faces", {}, {"container": "app", "faces": ["services", "queries", "signals", "models"],
                                           "extra_faces": ["app.accounts.access"]})
    check = contract.check(graph, verbose=False)
    return sorted((b["importer"], b["imported"]) for b in check.metadata["broken"])


def test_the_faces_contract_refuses_what_is_not_a_face():
    """scripts/importlinter_contracts.py: across capabilities only services, queries, signals, models
    (and the named extra faces); inside one capability, and into the foundation, anything goes."""
    assert _faces_check([
        ("app.cfp.views", "app.programme.services"), ("app.cfp.views", "app.programme.queries"),
        ("app.cfp.receivers", "app.programme.signals"), ("app.cfp.models", "app.programme.models"),
        ("app.cfp.views", "app.accounts.access"), ("app.cfp.views", "app.cfp.forms"),
        ("app.cfp.services", "app.database"), ("app.templating", "app.accounts.models"),
    ]) == []
    assert _faces_check([
        ("app.cfp.views", "app.programme.forms"), ("app.checkin.views", "app.badges.qr"),
        ("app.templating", "app.accounts.forms"), ("app.cfp.services", "app.programme.services"),
    ]) == [("app.cfp.views", "app.programme.forms"), ("app.checkin.views", "app.badges.qr"),
           ("app.templating", "app.accounts.forms")]


def test_the_package_itself_stays_light():
    """``import congress.badges.render`` (what a badge-rendering child process loads) must not pull in
    the app factory and its extensions: it once did, through ``congress/__init__.py``, and a badge
    print run's peak memory grew from 103 to 150 MB (bench/badges_render.py)."""
    probe = (
        "import sys, congress.badges.render\n"
        "heavy = ['congress.app', 'flask_sqlalchemy', 'huey', 'alembic', 'flask_migrate', 'congress.models']\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == ""


def test_the_package_still_offers_the_app_factory():
    import congress  # noqa: PLC0415 - the lazy attribute is the subject

    assert congress.create_app.__module__ == "congress.app"
    assert issubclass(congress.ConfigurationError, SystemExit)
    with pytest.raises(AttributeError):
        _ = congress.no_such_thing
