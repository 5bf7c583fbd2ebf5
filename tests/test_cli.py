"""The command line as a user runs it: exit codes, stdout and stderr apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from sendgraph.build import Build
from sendgraph.cli import main
from tests.test_records import edit


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize(
    ("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_build_writes_a_graph_that_parses_back(
    runner: CliRunner, tmp_path: Path, rotherham: Build, fmt: str, parser: str
) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(main, ["build", "-o", str(out), "-f", fmt])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out} (" in result.stdout
    assert "  recommendations                   23" in result.stdout
    assert "0 errors, 5 warnings" in result.stderr
    assert (
        "data/actions.csv:55:target_date: warning: 'Paul?' is not a month and year" in result.stderr
    )
    parsed = Graph().parse(out, format=parser)
    assert isomorphic(parsed, rotherham.graph)


def test_build_to_stdout_keeps_the_summary_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "-o", "-", "-f", "nt", "--no-validate"])
    assert result.exit_code == 0
    summary_line = re.compile(r"^  triples +\d+$", re.MULTILINE)
    assert not summary_line.search(result.stdout)
    assert len(Graph().parse(data=result.stdout, format="nt")) > 6000
    assert summary_line.search(result.stderr)


def test_build_default_output_lands_in_build(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "--no-validate"])
    assert result.exit_code == 0
    assert (tmp_path / "build" / "sendgraph.ttl").stat().st_size > 100_000


def test_build_with_errors_writes_nothing_and_exits_1(
    runner: CliRunner, data_copy: Path, tmp_path: Path
) -> None:
    row = edit(data_copy, "actions", "ref", "PR 3", owner="Nobody Known")
    out = tmp_path / "graph.ttl"
    result = runner.invoke(main, ["build", str(data_copy), "-o", str(out)])
    assert result.exit_code == 1
    assert (
        f"data/actions.csv:{row}:owner: error: 'Nobody Known' is not a name or alias in people.csv."
        in result.stderr
    )
    assert "The graph was not written" in result.stderr
    assert not out.exists()
    assert "Traceback" not in result.output


def test_validate_prints_problems_on_stdout(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "data/actions.csv:18:codes: warning: 'Action Plan' is not a reference code; it is kept as written but cites nothing."
    )
    assert len(result.stdout.splitlines()) == 5
    assert result.stderr.strip().startswith("0 errors, 5 warnings")


def test_validate_fail_on_warning(runner: CliRunner) -> None:
    assert runner.invoke(main, ["validate", "--fail-on", "warning"]).exit_code == 1


def test_missing_folder_is_a_sentence_and_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", str(tmp_path / "nowhere")])
    assert result.exit_code == 3
    assert (
        result.stderr == f"Error: {tmp_path / 'nowhere'} is not a folder of sendgraph data files.\n"
    )


def test_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "-f", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr


def test_cp1252_file_reads_with_encoding_option(
    runner: CliRunner, data_copy: Path, tmp_path: Path
) -> None:
    for path in data_copy.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8-sig").encode("cp1252", errors="strict"))
    failed = runner.invoke(main, ["validate", str(data_copy)])
    assert failed.exit_code == 1
    assert "data/actions.csv:" in failed.stdout and "--encoding cp1252" in failed.stdout
    passed = runner.invoke(main, ["validate", str(data_copy), "--encoding", "cp1252"])
    assert passed.exit_code == 0, passed.stdout


def test_jsonld_output_is_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "-o", "-", "-f", "jsonld", "--no-validate"])
    assert isinstance(json.loads(result.stdout), list)
