"""Column headings and target dates as councils write them: month columns, precisions, overdue and slippage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from sendgraph.ask.gaps import find_gaps, load_rules
from sendgraph.ask.questions import Questions
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.problems import Severity
from sendgraph.graph.build import Build, build_graph
from sendgraph.graph.vocab import SG, Minter
from sendgraph.records.dates import read_target
from sendgraph.records.monthcolumns import read_heading
from tests.helpers import IMPORT_FIXTURES

EASTVALE_FOLDER = IMPORT_FIXTURES / "wsoa-rag-months"
EASTVALE = Minter("eastvale")
MONTH_COLUMNS = [
    "RAG May 20",
    "RAG August 20",
    "RAG Nov 20",
    "RAG February 21",
    "RAG May 21",
    "RAG August 21",
    "RAG Nov 21",
    "RAG Feb 22",
    "RAG May 22",
    "RAG August 22",
]
MONTHS = [
    "2020-05",
    "2020-08",
    "2020-11",
    "2021-02",
    "2021-05",
    "2021-08",
    "2021-11",
    "2022-02",
    "2022-05",
    "2022-08",
]


@pytest.fixture(scope="module")
def eastvale() -> Build:
    return build_graph(EASTVALE_FOLDER)


def series(graph: Graph, ref: str) -> list[tuple[str, str, str]]:
    action = EASTVALE("action", ref)
    return sorted(
        (
            str(graph.value(o, SG.observedIn)),
            str(graph.value(o, SG.sourceColumn)),
            str(graph.value(o, SG.statusText)),
        )
        for o in graph.subjects(SG.statusOf, action)
    )


# ---------------------------------------------------------------- month headings


@pytest.mark.parametrize(
    ("heading", "month"),
    [
        ("RAG May 20", "2020-05"),
        ("RAG August 22", "2022-08"),
        ("Status Sep-23", "2023-09"),
        ("Sept 2023 update", "2023-09"),
        ("Q2 2024/25 RAG", "2024-09"),  # a quarter's status is dated by its last month
        ("Sep 2023", "2023-09"),
        ("RAG May '20", "2020-05"),
        ("20 May 2020 RAG", "2020-05"),
        ("2023-09", "2023-09"),
    ],
)
def test_month_headings_are_read(heading: str, month: str) -> None:
    read = read_heading(heading, dt.date(2022, 9, 1))
    assert read is not None
    assert (read.month, read.problem) == (month, "")


@pytest.mark.parametrize(
    ("heading", "problem"),
    [
        (
            "RAG Mar 2-21",
            "names a month but no year sendgraph can read ('Mar 2-21' is not a month and year)",
        ),
        ("RAG May", "names a month but no year sendgraph can read ('May' is not a month and year)"),
        (
            "Q2 RAG",
            "names a quarter but no year sendgraph can read ('Q2 RAG' is not a quarter and year)",
        ),
        (
            "RAG May/June 21",
            "holds more than one date (it reads 'June 21', and more besides), so which month it is cannot be told",
        ),
        (
            "May 20 2021",
            "holds more than one date (it reads 'May 20', and more besides), so which month it is cannot be told",
        ),
    ],
)
def test_headings_that_look_like_months_but_cannot_be_read(heading: str, problem: str) -> None:
    read = read_heading(heading, dt.date(2022, 9, 1))
    assert read is not None
    assert (read.month, read.problem) == (None, problem)


@pytest.mark.parametrize(
    "heading", ["Lead officer", "Actions that may help", "Target date", "RAG", "Marketing"]
)
def test_headings_that_name_no_month(heading: str) -> None:
    assert read_heading(heading, dt.date(2022, 9, 1)) is None


# ---------------------------------------------------------------- the Eastvale WSoA


def test_the_wsoa_with_rag_may_20_columns_imports_untouched(eastvale: Build) -> None:
    """`status_columns: months` takes "RAG May 20" ... "RAG August 22" as they are headed."""
    assert not [p for p in eastvale.problems if p.severity is Severity.ERROR]
    assert series(eastvale.graph, "wsoa-1-1") == [
        (month, column, text)
        for month, column, text in zip(
            MONTHS,
            MONTH_COLUMNS,
            ["Red", "Red", "Amber", "Amber", "Green", "Green", "Green", "Green", "Green", "Green"],
            strict=True,
        )
    ]
    # Blank cells are no observation: WSoA 1.3 was first rated in February 2022.
    assert series(eastvale.graph, "wsoa-1-3") == [
        ("2022-02", "RAG Feb 22", "Amber"),
        ("2022-05", "RAG May 22", "Amber"),
        ("2022-08", "RAG August 22", "Amber"),
    ]
    statuses = {
        ref: str(eastvale.graph.value(EASTVALE("action", ref), SG.status)).rsplit("-", 1)[1]
        for ref in (
            "wsoa-1-1",
            "wsoa-1-2",
            "wsoa-1-3",
            "wsoa-2-1",
            "wsoa-2-2",
            "wsoa-2-3",
            "wsoa-3-1",
            "wsoa-3-2",
            "wsoa-3-3",
        )
    }
    assert statuses == {
        "wsoa-1-1": "green",
        "wsoa-1-2": "amber",
        "wsoa-1-3": "amber",
        "wsoa-2-1": "red",
        "wsoa-2-2": "green",
        "wsoa-2-3": "amber",
        "wsoa-3-1": "amber",
        "wsoa-3-2": "green",
        "wsoa-3-3": "green",
    }
    observations = set(eastvale.graph.subjects(SG.statusOf, None))
    assert len(observations) == 80


def targets(graph: Graph, ref: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """Each target of an action in revision order: its words, precision, first and last day."""
    action = EASTVALE("action", ref)
    found = []
    for node in graph.objects(action, SG.targetDate):
        assert isinstance(node, URIRef)
        precision = graph.value(node, SG.precision)
        start, end = graph.value(node, SG.periodStart), graph.value(node, SG.periodEnd)
        found.append(
            (
                int(graph.value(node, SG.revision)),  # type: ignore[arg-type]
                str(graph.value(node, SG.rawText)),
                str(precision).rsplit("precision-", 1)[1] if precision else None,
                str(start) if start else None,
                str(end) if end else None,
            )
        )
    return [row[1:] for row in sorted(found)]


def test_every_target_is_kept_with_its_precision_and_period(eastvale: Build) -> None:
    graph = eastvale.graph
    assert {ref: targets(graph, ref) for ref in ("wsoa-1-1", "wsoa-1-2", "wsoa-1-3")} == {
        "wsoa-1-1": [("31 July 2021", "day", "2021-07-31", "2021-07-31")],
        "wsoa-1-2": [
            ("End of March 2021", "month", "2021-03-01", "2021-03-31"),
            ("Spring term 2022", "term", "2022-01-01", "2022-04-30"),
        ],
        "wsoa-1-3": [("Spring term 2023", "term", "2023-01-01", "2023-04-30")],
    }
    assert {ref: targets(graph, ref) for ref in ("wsoa-2-1", "wsoa-2-2", "wsoa-2-3")} == {
        "wsoa-2-1": [("2021/22", "year", "2021-04-01", "2022-03-31")],
        "wsoa-2-2": [
            ("w/c 7 June 2021", "week", "2021-06-07", "2021-06-13"),
            ("w/c 6 September 2021", "week", "2021-09-06", "2021-09-12"),
        ],
        "wsoa-2-3": [("Q3 2021/22", "quarter", "2021-10-01", "2021-12-31")],
    }
    assert {ref: targets(graph, ref) for ref in ("wsoa-3-1", "wsoa-3-2", "wsoa-3-3")} == {
        "wsoa-3-1": [("March 2-21", None, None, None)],
        "wsoa-3-2": [
            ("Summer term 2021", "term", "2021-04-01", "2021-07-31"),
            ("Q3 2021/22", "quarter", "2021-10-01", "2021-12-31"),
            ("31 March 2022", "day", "2022-03-31", "2022-03-31"),
        ],
        "wsoa-3-3": [("Ongoing", None, None, None)],
    }
    # The month a target falls due is the month its period ends.
    spring = graph.value(EASTVALE("action", "wsoa-1-2"), SG.currentTargetDate)
    assert str(graph.value(spring, SG.month)) == "2022-04"


def test_a_typo_is_kept_as_written_and_reported(eastvale: Build) -> None:
    found = {(p.source, p.row, p.field, p.severity, p.message) for p in eastvale.problems}
    assert found == {
        (
            "wsoa-rag-months/wsoa.csv",
            8,
            "Target date",
            Severity.WARNING,
            "'March 2-21' is not a date sendgraph reads (such as '31 July 2024', 'End of March 2025', "
            "'Spring term 2025', 'Q3 2024/25', '2024/25', 'w/c 3 June 2024', 'Ongoing' or 'TBC'); "
            "it is kept as written, not guessed, and has no date.",
        ),
        (
            "wsoa-rag-months/wsoa.csv",
            10,
            "Target date",
            Severity.WARNING,
            "'Ongoing' is not a date: it is kept as written, marked ongoing, with no month.",
        ),
    }


def test_overdue_as_at_the_plans_status_date(eastvale: Build) -> None:
    rows = Questions(eastvale.graph).overdue()
    assert [(r["ref"], r["target"], r["as_of"]) for r in rows] == [
        ("WSoA 1.2", "Spring term 2022", "2022-08-31"),
        ("WSoA 2.1", "2021/22", "2022-08-31"),
        ("WSoA 2.3", "Q3 2021/22", "2022-08-31"),
    ]
    # The gap rule says the same.
    hits = {
        str(g["ref"])
        for g in find_gaps(QueryStore(eastvale.graph), load_rules())
        if g["rule"] == "overdue"
    }
    assert hits == {"WSoA 1.2", "WSoA 2.1", "WSoA 2.3"}


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [
        # "Spring term 2023" is late only once the term can have ended, on 30 April.
        (dt.date(2023, 4, 30), ["WSoA 1.2", "WSoA 2.1", "WSoA 2.3"]),
        (dt.date(2023, 5, 1), ["WSoA 1.2", "WSoA 1.3", "WSoA 2.1", "WSoA 2.3"]),
        # "2021/22" ends with March 2022; "Spring term 2022" with April.
        (dt.date(2022, 3, 31), ["WSoA 2.3"]),
        (dt.date(2022, 4, 1), ["WSoA 2.1", "WSoA 2.3"]),
        (dt.date(2022, 5, 1), ["WSoA 1.2", "WSoA 2.1", "WSoA 2.3"]),
        # "Q3 2021/22" ends on 31 December 2021.
        (dt.date(2021, 12, 31), []),
        (dt.date(2022, 1, 1), ["WSoA 2.3"]),
    ],
)
def test_overdue_counts_from_the_end_of_the_targets_period(
    eastvale: Build, as_of: dt.date, overdue: list[str]
) -> None:
    assert [r["ref"] for r in Questions(eastvale.graph).overdue(as_of)] == overdue


def test_slippage_is_counted_between_the_periods_ends(eastvale: Build) -> None:
    rows = Questions(eastvale.graph).slippage()
    assert [(r["ref"], r["revisions"], r["months"], r["first"], r["last"]) for r in rows] == [
        # March 2021 (a month) to the spring term 2022, which ends in April 2022.
        ("WSoA 1.2", 1, 13, "End of March 2021", "Spring term 2022"),
        # The summer term 2021 ends in July; 31 March 2022 is 8 months on.
        ("WSoA 3.2", 2, 8, "Summer term 2021", "31 March 2022"),
        # Week to week: 13 June to 12 September 2021.
        ("WSoA 2.2", 1, 3, "w/c 7 June 2021", "w/c 6 September 2021"),
    ]


# ---------------------------------------------------------------- target words


@pytest.mark.parametrize(
    ("written", "precision", "start", "end"),
    [
        ("31 July 2024", "day", "2024-07-31", "2024-07-31"),
        ("31/07/2024", "day", "2024-07-31", "2024-07-31"),
        ("By 31 July 2024", "day", "2024-07-31", "2024-07-31"),
        ("End of March 2025", "month", "2025-03-01", "2025-03-31"),
        ("by the end of March 2025", "month", "2025-03-01", "2025-03-31"),
        ("March 2025", "month", "2025-03-01", "2025-03-31"),
        ("Mar 25", "month", "2025-03-01", "2025-03-31"),
        ("Spring term 2025", "term", "2025-01-01", "2025-04-30"),
        ("Summer term 2025", "term", "2025-04-01", "2025-07-31"),
        ("Autumn term 2024", "term", "2024-09-01", "2024-12-31"),
        ("Autumn term 2024/25", "term", "2024-09-01", "2024-12-31"),
        ("Spring term 2024/25", "term", "2025-01-01", "2025-04-30"),
        ("End of the summer term 2025", "term", "2025-04-01", "2025-07-31"),
        ("2024/25", "year", "2024-04-01", "2025-03-31"),
        ("2024-25", "year", "2024-04-01", "2025-03-31"),
        ("FY 2024/25", "year", "2024-04-01", "2025-03-31"),
        ("2025", "year", "2025-01-01", "2025-12-31"),
        ("w/c 3 June 2024", "week", "2024-06-03", "2024-06-09"),
        ("week commencing 03/06/2024", "week", "2024-06-03", "2024-06-09"),
        ("Q3 2024/25", "quarter", "2024-10-01", "2024-12-31"),
        ("Q1 2024/25", "quarter", "2024-04-01", "2024-06-30"),
        ("Q1 2025", "quarter", "2025-01-01", "2025-03-31"),
    ],
)
def test_target_periods(written: str, precision: str, start: str, end: str) -> None:
    target = read_target(1, written, dt.date(2024, 6, 1))
    assert (target.precision, str(target.start), str(target.end), target.month) == (
        precision,
        start,
        end,
        end[:7],
    )


@pytest.mark.parametrize(
    "written",
    [
        "March 2-21",
        "Spring 2025",
        "2024/26",
        "Summer term 2024/26",
        "w/c 31 June 2024",
        "July 17 and ongoing",
        "End",
        "Paul?",
    ],
)
def test_words_that_are_not_dates_are_kept_and_never_guessed(written: str) -> None:
    target = read_target(1, written, dt.date(2024, 6, 1))
    assert (target.raw, target.month, target.precision, target.start, target.end) == (
        written,
        None,
        "",
        None,
        None,
    )


# ---------------------------------------------------------------- the mapping


def _write_area(folder: Path, header: list[str], row: list[str], status_columns: str) -> Path:
    folder.mkdir()
    (folder / "plan.csv").write_text(
        ",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8"
    )
    (folder / "plan.mapping.yaml").write_text(
        f"""file: plan.csv
area: Testshire
document:
  title: Testshire plan
  publisher: Testshire Council
  date: 2024-10-01
plans:
  - id: plan
    title: Testshire plan
    status_date: 2024-09-30
statuses:
  Red: red
  Amber: amber
  Green: green
columns:
  action: Action
  target_date: Target
{status_columns}
""",
        encoding="utf-8",
    )
    return folder


def test_a_mapping_gives_a_column_its_month(tmp_path: Path) -> None:
    header = ["Action", "Target", "Status Sep-23", "Q2 2024/25 RAG", "RAG (latest)"]
    area = _write_area(
        tmp_path / "area",
        header,
        ["Do it", "Spring term 2025", "Red", "Amber", "Green"],
        '  status_columns:\n    - months\n    - "RAG (latest)": 2024-10\n',
    )
    build = build_graph(area)
    assert not build.problems
    action = Minter("testshire")("action", "action-do-it")
    observed = sorted(
        (str(build.graph.value(o, SG.observedIn)), str(build.graph.value(o, SG.sourceColumn)))
        for o in build.graph.subjects(SG.statusOf, action)
    )
    assert observed == [
        ("2023-09", "Status Sep-23"),
        ("2024-09", "Q2 2024/25 RAG"),
        ("2024-10", "RAG (latest)"),
    ]
    assert build.graph.value(action, SG.status) == SG["status-green"]


def test_listed_columns_may_be_headed_as_councils_head_them(tmp_path: Path) -> None:
    area = _write_area(
        tmp_path / "area",
        ["Action", "Target", "RAG May 20", "RAG August 20"],
        ["Do it", "2024/25", "Red", "Amber"],
        "  status_columns: [RAG May 20, RAG August 20]\n",
    )
    build = build_graph(area)
    assert not build.problems
    action = Minter("testshire")("action", "action-do-it")
    assert sorted(
        str(build.graph.value(o, SG.observedIn)) for o in build.graph.subjects(SG.statusOf, action)
    ) == ["2020-05", "2020-08"]


def test_mistakes_in_column_months_name_the_mapping_and_key(tmp_path: Path) -> None:
    area = _write_area(
        tmp_path / "area",
        ["Action", "Target", "RAG (latest)", "RAG Mar 2-21"],
        ["Do it", "2024/25", "Red", "Amber"],
        '  status_columns:\n    "RAG (latest)": Augst 2022\n    "RAG (old)": 2022-13\n',
    )
    build = build_graph(area)
    assert {(p.source, p.row, p.field, p.severity, p.message) for p in build.problems} == {
        (
            "area/plan.mapping.yaml",
            19,
            "columns.status_columns.RAG (latest)",
            Severity.ERROR,
            "column 'RAG (latest)' is given the month 'Augst 2022'; write it as YYYY-MM (2022-08) "
            "or a month and year (Aug 2022).",
        ),
        (
            "area/plan.mapping.yaml",
            20,
            "columns.status_columns.RAG (old)",
            Severity.ERROR,
            "column 'RAG (old)' is given the month '2022-13'; write it as YYYY-MM (2022-08) "
            "or a month and year (Aug 2022).",
        ),
    }


def test_unreadable_and_ambiguous_headings_are_reported_never_guessed(tmp_path: Path) -> None:
    area = _write_area(
        tmp_path / "area",
        ["Action", "Target", "RAG Mar 2-21", "RAG May 21", "Progress May 21", "RAG Aug 21"],
        ["Do it", "2024/25", "Red", "Amber", "Going well", "Green"],
        "  status_columns: months\n",
    )
    build = build_graph(area)
    assert {(p.row, p.field, p.severity, p.message) for p in build.problems} == {
        (
            1,
            "RAG Mar 2-21",
            Severity.WARNING,
            "heading 'RAG Mar 2-21' names a month but no year sendgraph can read ('Mar 2-21' is not "
            "a month and year); the column is not read as a status. Give its month under "
            "columns.status_columns if it is one.",
        ),
        *(
            (
                1,
                column,
                Severity.ERROR,
                "'RAG May 21', 'Progress May 21' of area/plan.csv all name 2021-05, so which holds the "
                "status cannot be told; list the status columns under columns.status_columns, each "
                "with its month.",
            )
            for column in ("RAG May 21", "Progress May 21")
        ),
    }


def test_a_listed_column_that_names_no_month_says_how_to_give_one(tmp_path: Path) -> None:
    area = _write_area(
        tmp_path / "area",
        ["Action", "Target", "RAG (latest)"],
        ["Do it", "2024/25", "Red"],
        "  status_columns: [RAG (latest)]\n",
    )
    build = build_graph(area)
    assert [(p.field, p.message) for p in build.problems] == [
        (
            "columns.status_columns",
            "column 'RAG (latest)' names no month, so it cannot date a status; give its month: "
            "status_columns: {'RAG (latest)': YYYY-MM}.",
        )
    ]


def test_a_target_within_a_month_is_late_from_the_day_after_it(tmp_path: Path) -> None:
    """A week ending 15 September is overdue at 30 September, though September has not ended."""
    folder = tmp_path / "area"
    _write_area(
        folder,
        ["Action", "Target", "Status"],
        ["Do it", "w/c 9 September 2024", "Red"],
        "  status: Status\n",
    )
    with (folder / "plan.csv").open("a", encoding="utf-8") as rows:
        rows.write("Do that,30 September 2024,Red\nAnd this,Autumn term 2024,Red\n")
    build = build_graph(folder)
    assert not build.problems
    questions = Questions(build.graph)
    assert [(r["ref"], r["target"], r["as_of"]) for r in questions.overdue()] == [
        ("Action 1", "w/c 9 September 2024", "2024-09-30")
    ]
    rule = [g for g in find_gaps(QueryStore(build.graph), load_rules()) if g["rule"] == "overdue"]
    assert [(g["ref"], g["message"]) for g in rule] == [
        (
            "Action 1",
            "Action 1's target w/c 9 September 2024 had passed by 2024-09-30 and it is not complete.",
        )
    ]
