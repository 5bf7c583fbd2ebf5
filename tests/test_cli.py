"""The command line as a user runs it: exit codes, stdout and stderr apart."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from sendgraph.cli import iter_commands, main
from sendgraph.graph.build import Build, default_data_folder
from tests.helpers import edit


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
    assert re.search(r"^  recommendations +23$", result.stdout, re.MULTILINE)
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


def test_trace_of_an_unanswered_finding_gives_its_words(runner: CliRunner) -> None:
    result = runner.invoke(main, ["trace", "PC 5.5"], env={"COLUMNS": "100"})
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines() == [
        "Nothing answers PC 5.5: no action was identified for it.",
        "PC 5.5, SEND Peer Challenge (rotherham-send-peer-challenge-2020, Education, Health & Care Plans):",
        "  Strength: The EHCP team have a strong relationship with schools and there are good relationships",
        "    between mainstream schools and special schools",
        "  Area for consideration: Consider the accessibility and personalisation of EHCPs (particularly use",
        "    of professional language)",
    ]


def test_trace_of_an_action_says_what_it_answers_or_cites(runner: CliRunner) -> None:
    measure = runner.invoke(main, ["trace", "SEND 4"], env={"COLUMNS": "100"})
    assert measure.exit_code == 0
    assert measure.stdout.splitlines() == [
        "ref    relation                 action",
        "-----  -----------------------  ------",
        *(f"{ref:<5}  references this measure  SEND 4" for ref in
          ("PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23")),
    ]  # fmt: skip
    alone = runner.invoke(main, ["trace", "JCP 2.1"], env={"COLUMNS": "100"})
    assert (alone.exit_code, alone.stdout) == (0, "")
    assert alone.stderr.splitlines() == [
        "JCP 2.1, an action of JCP 2 Review and re-model services that provide support for children and young",
        "  people with challenging behaviour, answers no finding, cites no code, and nothing cites it.",
    ]
    assert "no action was identified" not in alone.stderr


def test_unknown_reference_is_one_sentence(runner: CliRunner) -> None:
    result = runner.invoke(main, ["xref", "SEND 44"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: 'SEND 44' is not a reference in this graph. Closest: SEND 4, SEND 9, SEND 8, SEND 7, SEND 6.\n"
    )


def test_owner_matches_names_as_the_view_search_does(runner: CliRunner) -> None:
    wanted = runner.invoke(main, ["owner", "Jackie Parkin", "-f", "csv"]).stdout
    assert wanted.count("Jackie Parkin,") == 8
    for typed in ("jackie-parkin", "JACKIE  PARKIN", "Parkin"):
        assert runner.invoke(main, ["owner", typed, "-f", "csv"]).stdout == wanted
    initials = runner.invoke(main, ["owner", "pw(ey)", "-f", "csv"])
    assert initials.stdout.splitlines()[1:] == ["Paula Williams (EY),PR 18,owner,Amber,On track"]


def test_owner_suggests_close_names(runner: CliRunner) -> None:
    result = runner.invoke(main, ["owner", "Jakie Parkin"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: no owner matches 'Jakie Parkin'; did you mean Jackie Parkin?\n"
    part = runner.invoke(main, ["owner", "Williams"])
    assert (part.exit_code, part.stderr) == (
        1,
        "Error: 'Williams' is part of 2 names: Paula Williams (EY), Paula Williams (I); give the whole name.\n",
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
        "action-details", "answers", "areas", "board-details", "board-members", "citations",
        "findings", "governance-statements",
        "oversight", "people", "plan-versions",
        "progress", "projection", "provenance", "recurring", "reporting-lines",
        "responsibilities", "sources", "status-dates", "status-history", "success-measures",
        "target-dates", "theme-actions", "theme-removals", "theme-tags", "version-dates",
    ]  # fmt: skip


def test_gaps_json_and_fail_on(runner: CliRunner) -> None:
    result = runner.invoke(main, ["gaps", "-f", "json"])
    assert result.exit_code == 0
    gaps = json.loads(result.stdout)
    assert len(gaps) == 125
    assert result.stderr == "0 errors, 70 warnings, 55 infos from 17 rules\n"
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


# ---------------------------------------------------------------- one data convention


def test_build_takes_data_by_option_or_argument(runner: CliRunner, tmp_path: Path) -> None:
    data = str(default_data_folder())
    written = []
    for args in (["--data", data], [data], [data, "--data", data]):
        out = tmp_path / f"graph-{len(written)}.nt"
        result = runner.invoke(main, ["build", *args, "-f", "nt", "--no-validate", "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        written.append(out.read_bytes())
    assert written[0] == written[1] == written[2]
    twice = runner.invoke(main, ["build", "--data", data, str(tmp_path)])
    assert twice.exit_code == 2
    assert f"the data is given twice, as {data} and as {tmp_path}; give it once." in twice.stderr


def test_every_command_reading_data_takes_it_with_the_data_option() -> None:
    readers = {
        name
        for name, command in iter_commands(main)
        if any(p.name == "encoding" for p in command.params)
    }
    assert readers == {
        "build", "validate", "oversight", "trace", "xref", "owner", "board", "slippage", "overdue",
        "exceptions", "about", "history",
        "areas", "query", "gaps", "analyse", "view", "export", "serve", "push", "report",
        "import", "recurring", "themes", "template", "changes",
    }  # fmt: skip
    # import reads one spreadsheet through a mapping; template --from one file, to draft
    # one; changes two versions, each its argument
    for name in readers - {"import", "template", "changes"}:
        [command] = [c for n, c in iter_commands(main) if n == name]
        assert "--data" in {o for p in command.params for o in p.opts}, name


# ---------------------------------------------------------------- tables that fit


def _cell_words(csv_text: str, columns: list[str] | None = None) -> Counter[str]:
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    return Counter(
        word for row in rows for name, cell in row.items() if not columns or name in columns
        for word in cell.split()
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "columns"),
    [
        (["trace", "PR 2"], None),
        (["trace", "JCP 2"], None),
        (["trace", "SEND 4"], None),
        (["gaps"], None),
        (["recurring"], ["theme", "role", "ref", "kind", "review", "year", "matched", "status", "status_date", "section"]),
    ],
)  # fmt: skip
def test_tables_fit_a_100_column_terminal_and_lose_no_word(
    runner: CliRunner, args: list[str], columns: list[str] | None
) -> None:
    table = runner.invoke(main, args, env={"COLUMNS": "100"})
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert len(lines) > 2
    assert max(len(line) for line in lines) <= 100
    cells = _cell_words(runner.invoke(main, [*args, "-f", "csv", "--lossless"]).stdout, columns)
    assert cells and not cells - Counter(table.stdout.split())


def test_trace_at_100_columns_is_one_block_per_action(runner: CliRunner) -> None:
    lines = runner.invoke(main, ["trace", "PR 2"], env={"COLUMNS": "100"}).stdout.splitlines()
    assert lines[:5] == [
        "finding              PR 2",
        "ref                  PR 2",
        "text                 The Inclusion Service should publish a detailed Transition Plan that reflects",
        "                     all transfers from Statements to EHC Plans already completed in the first 2",
        "                     years of implementation and clearly states which pupils will have their",
    ]
    assert lines[10:14] == [
        "plan                 Peer Review measures",
        "owners               Jackie Parkin",
        "accountable_leads",
        "supporting_partners",
    ]


def test_wide_tables_are_one_line_per_row(runner: CliRunner) -> None:
    wide = runner.invoke(main, ["trace", "PR 2", "--wide"], env={"COLUMNS": "100"})
    lines = wide.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["finding", "-------", "PR"]
    assert len(lines[2]) > 1000 and "outstanding." in lines[2]


def test_help_shows_each_example_on_its_own_line(runner: CliRunner) -> None:
    for name, command in iter_commands(main):
        shown = runner.invoke(main, [*name.split(), "--help"], env={"COLUMNS": "100"}).stdout
        written = (command.help or "").split("Example:", 1)[1]
        examples = [line.strip() for line in written.splitlines() if line.strip() not in ("", "\b")]
        assert examples, name
        assert set(examples) <= {line.strip() for line in shown.splitlines()}, name


def test_oversight_marks_inferred_lines_only_on_request(runner: CliRunner) -> None:
    stated = runner.invoke(main, ["oversight", "PC 1.3", "-f", "json"])
    assert stated.exit_code == 0
    assert [(r["label"], r["modality"]) for r in json.loads(stated.stdout)] == [
        ("SEND Strategic Board", "stated")
    ]
    inferred = runner.invoke(main, ["oversight", "PC 1.3", "--inferred", "-f", "csv"])
    assert inferred.exit_code == 0
    assert inferred.stdout.count("reports to Children's Partnership [inferred]") == 3
