"""The README and docs/ cannot drift: the command reference, links, commands and length."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import click
import pytest
from rdflib import RDFS, Literal

import sendgraph
from sendgraph.cli import main as cli
from sendgraph.graph.build import Build
from sendgraph.graph.ontology import load_ontology
from sendgraph.graph.vocab import SG

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
TABLE_COMMAND = re.compile(r"^\|[^|]+\| `(sendgraph [^`]+)` \|$", re.MULTILINE)


def load_generator(name: str = "cli_reference") -> ModuleType:
    """A script of scripts/ (cli_reference.py by default), which is not part of the package."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outside_code(text: str) -> str:
    """The text with its fenced code blocks removed, where links and headings are not."""
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def anchors(page: Path) -> set[str]:
    """The anchors a Markdown viewer makes from a page's headings."""
    headings = re.findall(r"^#+ (.+)$", outside_code(page.read_text(encoding="utf-8")), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_cli_reference_is_what_the_commands_say() -> None:
    generator = load_generator()
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == generator.render(), f"docs/cli.md is out of date: run {generator.COMMAND}"


def test_ontology_documentation_is_what_the_ontology_says() -> None:
    generator = load_generator("ontology_docs")
    written = (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    assert written == generator.render(), (
        f"docs/ontology.md is out of date: run {generator.COMMAND}"
    )


def test_ontology_documentation_lists_every_term_once() -> None:
    written = (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    entries = re.findall(r"^### (\S+) \(", written, re.MULTILINE)
    terms = {
        str(s).partition("#")[2]
        for s in load_ontology().subjects()
        if str(s).startswith("https://w3id.org/sendgraph/ontology#")
    }
    assert len(entries) == len(set(entries)) == len(terms)
    assert set(entries) == terms


def test_ontology_documentation_follows_a_change_to_the_ontology(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generator = load_generator("ontology_docs")
    before = generator.render()
    changed = load_ontology()
    changed.set((SG.Action, RDFS.comment, Literal("A thing to do, said differently.")))
    monkeypatch.setattr(generator, "load_ontology", lambda: changed)
    after = generator.render()
    assert "A thing to do, said differently." in after and after != before


def test_cli_reference_has_every_command() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## sendgraph (\S+)$", written, re.MULTILINE))
    assert headings == set(cli.commands)


def test_cli_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    generator = load_generator()
    monkeypatch.setenv("COLUMNS", "200")
    wide = generator.render()
    monkeypatch.setenv("COLUMNS", "40")
    assert generator.render() == wide


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_points_at_what_exists(page: Path) -> None:
    broken = []
    for target in LINK.findall(outside_code(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        unknown_anchor = anchor and linked.suffix == ".md" and anchor not in anchors(linked)
        if not linked.exists() or unknown_anchor:
            broken.append(target)
    assert broken == []


def test_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 220


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if line.endswith("-m pytest"))
    assert f"```sh\n{command}\n```" in README.read_text(encoding="utf-8")


def test_readme_questions_name_real_commands_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    commands = TABLE_COMMAND.findall(README.read_text(encoding="utf-8"))
    assert len(commands) >= 15
    for line in commands:
        _, name, *args = shlex.split(line)
        command = cli.commands[name]
        parent = click.Context(cli, info_name="sendgraph")
        # Parsing checks every option and argument without running the command.
        command.make_context(name, args, parent=parent)


def test_readme_library_example_runs(
    rotherham: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = README.read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert example
    # The session's build is the one the example's build_graph() makes, without its cost.
    monkeypatch.setattr(sendgraph, "build_graph", lambda *args, **kwargs: rotherham)
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}
    exec(example.group(1), names)
    claimed = re.search(r'counts\(\)\["recommendations"\] +# (\d+)', example.group(1))
    assert claimed
    assert rotherham.counts()["recommendations"] == int(claimed.group(1))
    assert (tmp_path / "graph.ttl").stat().st_size > 0
