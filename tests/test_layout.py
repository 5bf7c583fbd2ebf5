"""The house style that a reader relies on: data flows one way, and public names are documented."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import sendgraph

# files -> read -> records -> graph -> ask -> show -> serve -> cli: a module may import only
# from its own stage package or the ones before it. base holds what every stage shares.
STAGES = ["base", "read", "records", "graph", "ask", "show", "serve", "cli"]
TOP_LEVEL = {"__init__", "cli"}
PACKAGE = Path(sendgraph.__file__).parent
PACKAGES = {
    module.name
    for module in pkgutil.walk_packages([str(PACKAGE)], prefix="sendgraph.")
    if module.ispkg
}
MODULES = sorted(
    module.name
    for module in pkgutil.walk_packages([str(PACKAGE)], prefix="sendgraph.")
    if not module.ispkg
)


def _stage(module: str) -> str:
    """Return the stage package of a dotted module name: sendgraph.ask.sparql -> ask."""
    return module.split(".")[1]


def _source(module: str) -> Path:
    path = PACKAGE.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if module in PACKAGES else path.with_suffix(".py")


def test_every_module_lives_in_a_stage_package() -> None:
    flat = {p.stem for p in PACKAGE.glob("*.py")}
    assert flat == TOP_LEVEL
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(STAGES) - TOP_LEVEL
    assert {_stage(module) for module in MODULES} == set(STAGES)


@pytest.mark.parametrize("module", [*MODULES, *sorted(PACKAGES)])
def test_imports_flow_one_way(module: str) -> None:
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sendgraph.")
    }
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("sendgraph.")
    }
    own = STAGES.index(_stage(module))
    later = {name for name in imported if STAGES.index(_stage(name)) > own}
    assert later == set(), f"{module} imports from a later stage"


@pytest.mark.parametrize(
    "module",
    ["sendgraph", *(m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="sendgraph."))],
)
def test_public_functions_and_classes_have_docstrings(module: str) -> None:
    loaded = importlib.import_module(module)
    assert loaded.__doc__
    undocumented = [
        name
        for name, member in vars(loaded).items()
        if not name.startswith("_")
        and (inspect.isfunction(member) or inspect.isclass(member))
        and member.__module__ == loaded.__name__
        and not inspect.getdoc(member)
    ]
    assert undocumented == []
