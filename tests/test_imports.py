"""The package's import rules (docs/DESIGN: parts and import rules), read from
the source with :mod:`ast`, so that a lazy import inside a function counts as
much as one at the top of a module:

- ``skactive.plotting`` never imports ``skactive.loop`` (Displays import the
  computation, ``skactive.metrics``; the loop's results call the plots);
- ``skactive.strategies`` never imports ``skactive.loop`` or ``skactive.deep``;
- nothing outside ``skactive.deep`` imports torch or skorch;
- ``skactive.cli`` imports no private (``_``-prefixed) module of another
  subpackage, only their public ``__init__`` exports;
- the subpackages (and top-level modules) of skactive import each other
  without a cycle; the top-level ``skactive/__init__.py``, which re-exports
  them all, is left out, and ``from skactive import Name`` counts as an import
  of the part that defines ``Name``.

And, by running Python: ``import skactive`` (and its public subpackages but
``deep``) works with torch and skorch unavailable, and loads neither them nor
matplotlib (nor pytest).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skactive"


def module_name(path: Path) -> str:
    """``skactive/loop/_session.py`` -> ``skactive.loop._session``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package, by name."""
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "conftest.py"
    }


def _is_package(name: str) -> bool:
    return name in modules() and modules()[name].name == "__init__.py"


def _resolve(name: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module a (possibly relative) ``from ... import`` names."""
    if not node.level:
        return node.module
    parts = name.split(".") if is_package else name.split(".")[:-1]
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def imports(name: str) -> tuple[tuple[str, int], ...]:
    """``(module, line)`` of every import of a module of skactive."""
    source = modules()[name].read_text(encoding="utf-8")
    return tuple(imports_in(source, name, _is_package(name)))


def imports_in(source: str, name: str, is_package: bool = False):
    """``(module, line)`` of every import in the source of module ``name``.

    Imports at any depth count (inside functions, ``if TYPE_CHECKING``...),
    relative ones resolved to absolute names. ``from package import name``
    counts as an import of ``package`` and, when ``package.name`` is a module
    of skactive, of that module too. A call ``importlib.import_module("x")``
    or ``__import__("x")`` with a literal name counts as an import of ``x``.
    """
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, node, is_package)
            found.append((target, node.lineno))
            for alias in node.names:
                if f"{target}.{alias.name}" in modules():
                    found.append((f"{target}.{alias.name}", node.lineno))
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr == "import_module"
                )
            )
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _violations(sources: str, forbidden) -> list[str]:
    return [
        f"{modules()[name].relative_to(ROOT)}:{line} imports {target}"
        for name in modules()
        if _within(name, sources)
        for target, line in imports(name)
        if any(_within(target, f) for f in forbidden)
    ]


def test_module_resolution():
    # relative imports resolve against the module's package
    assert ("skactive.metrics", 7) in imports("skactive.plotting._learning_curve")
    assert ("skactive.plotting._learning_curve", 3) in imports("skactive.plotting")
    assert "skactive.loop" in modules() and "skactive.conftest" not in modules()


def test_plotting_never_imports_the_loop():
    assert _violations("skactive.plotting", ["skactive.loop"]) == []


def test_strategies_never_import_the_loop_or_deep():
    assert _violations("skactive.strategies", ["skactive.loop", "skactive.deep"]) == []


def test_torch_and_skorch_only_inside_deep():
    found = [
        f"{modules()[name].relative_to(ROOT)}:{line} imports {target}"
        for name in modules()
        if not _within(name, "skactive.deep")
        for target, line in imports(name)
        if target.split(".")[0] in ("torch", "skorch")
    ]
    assert found == []


def _private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split(".")[1:])


def test_cli_imports_only_public_modules_of_other_parts():
    found = [
        f"{modules()[name].relative_to(ROOT)}:{line} imports {target}"
        for name in modules()
        if _within(name, "skactive.cli")
        for target, line in imports(name)
        if _within(target, "skactive")
        and not _within(target, "skactive.cli")
        and _private(target)
    ]
    assert found == []


def part(module: str) -> str:
    """The part of skactive a module belongs to: ``skactive.loop._core`` ->
    ``loop``, ``skactive.measures`` -> ``measures``."""
    return module.split(".")[1]


@cache
def reexports() -> dict[str, str]:
    """Name -> part, for the names ``skactive/__init__.py`` re-exports."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = node.module.split(".")[0]
    return found


def part_graph() -> dict[str, set[str]]:
    """Part -> the other parts it imports (any import, at any depth)."""
    graph: dict[str, set[str]] = {}
    for name in modules():
        if name == "skactive":
            continue  # the top-level re-exports
        source = part(name)
        edges = graph.setdefault(source, set())
        tree = None
        for target, line in imports(name):
            if target == "skactive":
                # ``from skactive import Name``: the part that defines Name;
                # a bare ``import skactive`` (the whole package) is left out.
                tree = tree or ast.parse(modules()[name].read_text(encoding="utf-8"))
                for node in ast.walk(tree):
                    if (
                        isinstance(node, ast.ImportFrom)
                        and node.lineno == line
                        and _resolve(name, node, _is_package(name)) == "skactive"
                    ):
                        edges.update(
                            reexports()[alias.name]
                            for alias in node.names
                            if alias.name in reexports()
                        )
            elif _within(target, "skactive"):
                edges.add(part(target))
        edges.discard(source)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of a directed graph, as a path that returns to its start."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_find_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_between_parts():
    graph = part_graph()
    assert {"base", "loop", "metrics", "plotting", "strategies"} <= set(graph)
    assert "metrics" in graph["plotting"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle between parts: " + " -> ".join(cycle)


_BLOCKED_IMPORT = textwrap.dedent(
    """
    import importlib.abc
    import sys

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "skorch"):
                raise ImportError(f"{name} is blocked by the test")
            return None

    sys.meta_path.insert(0, Blocker())

    import skactive
    import skactive.cli
    import skactive.metrics
    import skactive.plotting
    import skactive.utils.estimator_checks

    loaded = sorted(
        {name.split(".")[0] for name in sys.modules}
        & {"torch", "skorch", "matplotlib", "pytest"}
    )
    assert not loaded, f"import skactive loaded {loaded}"
    try:
        import skactive.deep
    except ImportError as exc:
        assert "skactive[deep]" in str(exc), exc
    else:
        raise AssertionError("skactive.deep imported without torch")
    print("ok")
    """
)


def test_import_without_torch_and_without_matplotlib():
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED_IMPORT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_imports_in_sees_lazy_relative_and_dynamic_imports():
    source = textwrap.dedent(
        """
        import numpy as np
        from . import _core
        from ..metrics import area_under_learning_curve

        def f():
            from ...loop._session import ActiveLearner
            import importlib
            return importlib.import_module("torch")
        """
    )
    found = imports_in(source, "skactive.plotting.sub._probe")
    assert [target for target, _ in found] == [
        "numpy",
        "skactive.plotting.sub",
        "skactive.plotting.metrics",
        "skactive.loop._session",
        "importlib",
        "torch",
    ]
    # an __init__ is its own package; a name that is a module counts as one
    found = imports_in("from . import _core\n", "skactive.loop", is_package=True)
    assert found == [("skactive.loop", 1), ("skactive.loop._core", 1)]
