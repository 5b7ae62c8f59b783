"""The shape of ``studio/``: no import circle, a core that knows no feature or engine,
libraries that know no feature, features listed once, and no module-level state.

Every import statement counts — at module level, inside functions and under
``if TYPE_CHECKING:`` alike: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "studio"
MUTATING = {"append", "extend", "update", "clear", "add", "setdefault", "pop", "popitem", "remove",
            "insert", "discard", "sort", "reverse", "__setitem__"}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """Every ``studio`` module (and outside top-level package) ``module`` imports, anywhere."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_pkg else module.split(".")[:-1]
                up = here[: len(here) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            if t == "studio" or t.startswith("studio."):
                r = resolve(t)
                if r and r != module and not (MODULES[r].name == "__init__.py" and module.startswith(r + ".")):
                    found.add(r)
            elif t:
                found.add("outside:" + t.split(".")[0])
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def circles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w.startswith("outside:"):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    found = circles()
    assert not found, "import circles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_walk_sees_lazy_and_type_checking_imports():
    # the counting itself: a function-level import and a TYPE_CHECKING import are edges
    assert "studio.core.pipeline" in GRAPH["studio.engine.mkdocs.plugin"]
    assert "studio.core.project" in GRAPH["studio.features.calendars.model"]  # under TYPE_CHECKING


def layer_violations(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for m, deps in GRAPH.items():
        if m == prefix or m.startswith(prefix + "."):
            bad += [f"{m} imports {d}" for d in deps if any(d == f or d.startswith(f + ".") for f in forbidden)]
    return bad


ENGINES = ("outside:mkdocs", "outside:material", "outside:properdocs", "outside:zensical")


def test_core_imports_no_feature_and_no_engine():
    assert layer_violations("studio.core", ("studio.features", "studio.engine", "studio.export", "studio.cli",
                                            "studio.checking", "studio.scaffold", *ENGINES)) == []


def test_data_and_guard_are_libraries():
    above = ("studio.core", "studio.features", "studio.engine", "studio.export", "studio.cli", *ENGINES)
    assert layer_violations("studio.data", (*above, "studio.guard", "studio.config")) == []
    assert layer_violations("studio.guard", above) == []


def test_features_import_no_engine():
    assert layer_violations("studio.features", ("studio.engine", "studio.export", "studio.cli",
                                                "outside:mkdocs", "outside:properdocs", "outside:zensical")) == []


def test_every_feature_folder_is_listed_once():
    from studio.features.builtin import FEATURES

    folders = sorted(p.name for p in (PACKAGE / "features").iterdir() if (p / "__init__.py").is_file())
    names = [f.name for f in FEATURES]
    assert len(names) == len(set(names))
    assert sorted(names) == folders
    for name in folders:
        assert (PACKAGE / "features" / name / "feature.py").is_file(), f"features/{name}/feature.py missing"


def test_features_depend_on_each_other_without_circles_and_downwards_only():
    """A feature may use another listed before it (reports read calendars), never one after."""
    from studio.features.builtin import FEATURES

    order = [f.name for f in FEATURES]
    bad = []
    for m, deps in GRAPH.items():
        if not m.startswith("studio.features.") or m == "studio.features.builtin":
            continue
        mine = m.split(".")[2]
        for d in deps:
            if d.startswith("studio.features.") and d != "studio.features.builtin":
                theirs = d.split(".")[2]
                if theirs != mine and order.index(theirs) > order.index(mine):
                    bad.append(f"{m} imports {d}, a feature listed after it")
    assert bad == []


def module_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    names.add(n.id)
    return names


def local_names(fn: ast.AST) -> set[str]:
    names = {a.arg for a in ast.walk(fn) if isinstance(a, ast.arg)}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
    return names


def test_no_module_level_mutable_state():
    """No function writes to a module's globals: registries, rules and options live on objects
    that belong to one project. (``lru_cache`` memos of packaged data files are pure.)"""
    bad = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        glob = module_names(tree)
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
            local = local_names(fn)
            for node in ast.walk(fn):
                if isinstance(node, ast.Global):
                    bad.append(f"{module}: 'global {', '.join(node.names)}'")
                target = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING:
                    target = node.func.value
                elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                    for t in (node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]):
                        if isinstance(t, ast.Subscript):
                            target = t.value
                if isinstance(target, ast.Name) and target.id in glob and target.id not in local:
                    bad.append(f"{module}:{node.lineno}: changes the module-level '{target.id}'")
    assert bad == [], "\n".join(bad)


def test_no_private_name_is_imported_across_packages():
    bad = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("studio") and not node.level:
                source_package = node.module.rsplit(".", 1)[0]
                for a in node.names:
                    if a.name.startswith("_") and source_package != package:
                        bad.append(f"{module} imports {node.module}.{a.name}")
    assert bad == []
