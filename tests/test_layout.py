"""The house style that a reader relies on: data flows one way, and public names are documented."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import sendgraph

# sources -> records -> graph -> questions -> views -> cli: a module may import only from
# its own stage or the ones before it.
STAGES = {
    "problems": 0,
    "files": 0,
    "guard": 1,
    "resources": 0,
    "sources": 1,
    "synth": 1,
    "spreadsheets": 1,
    "rdfinput": 1,
    "dates": 2,
    "codes": 2,
    "owners": 2,
    "gazetteer": 2,
    "statuses": 2,
    "records": 2,
    "mappings": 2,
    "importer": 2,
    "template": 2,
    "vocab": 3,
    "graph": 3,
    "validation": 3,
    "build": 3,
    "framework": 3,
    "themes": 3,
    "querytext": 4,
    "netbarrier": 4,
    "sparql": 4,
    "references": 4,
    "questions": 4,
    "gaps": 4,
    "analysis": 4,
    "tables": 5,
    "exports": 5,
    "view": 5,
    "charts": 5,
    "report": 5,
    "querypage": 5,
    "server": 5,
    "push": 5,
    "cli": 9,
}
PACKAGE = Path(sendgraph.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_every_module_has_a_stage() -> None:
    assert set(MODULES) == set(STAGES)


@pytest.mark.parametrize("module", MODULES)
def test_imports_flow_one_way(module: str) -> None:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    imported = {
        node.module.split(".")[1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sendgraph.")
    }
    later = {name for name in imported if STAGES[name] > STAGES[module]}
    assert later == set(), f"{module} imports from a later stage"


@pytest.mark.parametrize("module", [m.name for m in pkgutil.iter_modules([str(PACKAGE)])])
def test_public_functions_and_classes_have_docstrings(module: str) -> None:
    loaded = importlib.import_module(f"sendgraph.{module}")
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
