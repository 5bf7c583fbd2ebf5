"""The command line as a user runs it: exit codes, stdout and stderr apart."""

from __future__ import annotations

import csv
import io
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


def test_oversight_command_json_names_boards_by_label(runner: CliRunner) -> None:
    result = runner.invoke(main, ["oversight", "send4", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {(r["ref"], r["label"], r["via"]) for r in rows} == {
        ("SEND 4", "Performance Board", "report"),
        ("SEND 4", "SEND Joint Commissioning Meetings", "plan"),
    }


def test_trace_says_when_a_code_is_undefined(runner: CliRunner) -> None:
    result = runner.invoke(main, ["trace", "CWD 8", "-f", "csv"])
    assert result.exit_code == 0
    assert result.stderr == "CWD 8 is cited but never defined in these papers.\n"
    assert result.stdout.splitlines() == [
        "ref,code,defined,relation",
        "PR 9,CWD 8,no,references",
        "PR 15,CWD 8,no,references",
    ]


def test_trace_of_an_unanswered_finding_says_so(runner: CliRunner) -> None:
    result = runner.invoke(main, ["trace", "PC 5.5"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "Nothing answers PC 5.5: no action was identified for it.\n"


def test_unknown_reference_is_one_sentence(runner: CliRunner) -> None:
    result = runner.invoke(main, ["xref", "SEND 44"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: 'SEND 44' is not a reference in this graph. Closest: SEND 4, SEND 9, SEND 8, SEND 7, SEND 6.\n"
    )


def test_owner_with_two_people_exits_1_and_names_both(runner: CliRunner) -> None:
    result = runner.invoke(main, ["owner", "paula williams"])
    assert result.exit_code == 1
    assert "names 2 people" in result.stderr and "Traceback" not in result.output


def test_query_formats(runner: CliRunner) -> None:
    select = "SELECT ?ref WHERE { ?a sg:owner/foaf:name 'Dawn Brewer' ; skos:notation ?ref }"
    as_json = json.loads(runner.invoke(main, ["query", select, "-f", "json"]).stdout)
    assert as_json == {
        "head": {"vars": ["ref"]},
        "results": {"bindings": [{"ref": {"type": "literal", "value": "PR 9"}}]},
    }
    assert runner.invoke(main, ["query", select, "-f", "csv"]).stdout == "ref\nPR 9\n"
    assert runner.invoke(main, ["query", select, "-f", "tsv"]).stdout == '?ref\n"PR 9"\n'
    construct = "CONSTRUCT { ?a sg:owner ?p } WHERE { ?a sg:owner ?p ; skos:notation 'PR 9' }"
    assert (
        len(
            Graph().parse(
                data=runner.invoke(main, ["query", construct, "-f", "nt"]).stdout, format="nt"
            )
        )
        == 1
    )
    wrong = runner.invoke(main, ["query", construct, "-f", "csv"])
    assert wrong.exit_code == 2 and "use -f ttl, nt, jsonld" in wrong.stderr


def test_query_by_name_and_from_a_file(runner: CliRunner, tmp_path: Path) -> None:
    by_name = runner.invoke(main, ["query", "reporting-lines", "-f", "csv"])
    assert by_name.exit_code == 0 and len(by_name.stdout.splitlines()) == 6
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?a skos:notation 'PC 7.3' }", encoding="utf-8")
    assert (
        runner.invoke(main, ["query", str(path), "-f", "json"])
        .stdout.strip()
        .endswith('"boolean": true\n}'.strip())
    )


def test_query_refusals_and_limits_are_sentences(runner: CliRunner) -> None:
    refused = runner.invoke(
        main, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"]
    )
    assert (refused.exit_code, refused.stderr) == (
        2,
        "Error: SERVICE clauses are refused: sendgraph queries never reach the network.\n",
    )
    cut = runner.invoke(
        main, ["query", "SELECT * WHERE { ?s ?p ?o }", "--max-rows", "3", "-f", "csv"]
    )
    assert (
        cut.exit_code == 0 and len(list(csv.reader(io.StringIO(cut.stdout)))) == 4
    )  # header + 3 rows
    assert cut.stderr == "The answer was cut at 3 rows (--max-rows); there are more.\n"
    slow = runner.invoke(
        main,
        [
            "query",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g",
            "--timeout",
            "0.5",
        ],
    )
    assert slow.exit_code == 1 and "was stopped" in slow.stderr and "Traceback" not in slow.output


def test_queries_lists_every_bundled_query(runner: CliRunner) -> None:
    lines = runner.invoke(main, ["queries"]).stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "action-details", "answers", "areas", "citations", "findings", "governance-statements",
        "oversight", "people",
        "progress", "projection", "provenance", "recurring", "reporting-lines",
        "responsibilities", "sources", "status-dates", "status-history", "success-measures",
        "target-dates", "theme-actions", "theme-removals", "theme-tags",
    ]  # fmt: skip


def test_gaps_json_and_fail_on(runner: CliRunner) -> None:
    result = runner.invoke(main, ["gaps", "-f", "json"])
    assert result.exit_code == 0
    gaps = json.loads(result.stdout)
    assert len(gaps) == 125
    assert result.stderr == "0 errors, 70 warnings, 55 infos from 14 rules\n"
    assert runner.invoke(main, ["gaps", "--fail-on", "warning"]).exit_code == 1
    assert runner.invoke(main, ["gaps", "--fail-on", "error"]).exit_code == 0
    assert runner.invoke(main, ["gaps", "--only", "nope"]).exit_code == 2


def test_slippage_and_overdue_commands(runner: CliRunner) -> None:
    slipped = runner.invoke(main, ["slippage", "-f", "csv"]).stdout.splitlines()
    assert slipped[0] == "ref,revisions,first,last,months,targets"
    assert slipped[1] == "JCP 2.1,1,Sept 15,Jan 18,28,Sept 15; Jan 18"
    overdue = json.loads(
        runner.invoke(main, ["overdue", "--as-of", "2017-07-01", "-f", "json"]).stdout
    )
    assert [r["ref"] for r in overdue] == [
        "JCP 9.1",
        "JCP 10.2",
        "PR 4",
        "PR 11",
        "PR 19",
        "SEND 3",
    ]


def test_analyse_command(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyse", "-f", "json", "--top", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["central"][0] == {
        "name": "Paula Williams (I)",
        "kind": "person",
        "betweenness": 0.0226,
    }
    assert report["central"][1]["label"] == "SEND Strategic Board"
    # Every action sits in an overseen plan or answers an overseen review: no islands, and
    # no person stands alone between an action and every board.
    assert report["single_points"] == [] and report["islands"] == []


def test_build_to_a_device_writes_through_it(runner: CliRunner, tmp_path: Path) -> None:
    device = Path("/dev/null")
    before = device.stat().st_mode
    result = runner.invoke(main, ["build", "--no-validate", "-o", str(device)])
    assert result.exit_code == 0
    assert device.stat().st_mode == before and not device.is_file()


def test_oversight_marks_inferred_lines_only_on_request(runner: CliRunner) -> None:
    stated = runner.invoke(main, ["oversight", "PC 1.3", "-f", "json"])
    assert stated.exit_code == 0
    assert [(r["label"], r["modality"]) for r in json.loads(stated.stdout)] == [
        ("SEND Strategic Board", "stated")
    ]
    inferred = runner.invoke(main, ["oversight", "PC 1.3", "--inferred", "-f", "csv"])
    assert inferred.exit_code == 0
    assert inferred.stdout.count("reports to Children's Partnership [inferred]") == 3
