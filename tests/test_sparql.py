"""User SPARQL can never reach the network or the files, and never runs unbounded."""

from __future__ import annotations

import os
import socket
import time

import pytest

from sendgraph.ask.sparql import CHUNK_BYTES, Answer, Output, QueryStore, run_work
from sendgraph.base.errors import QueryBusy, QueryError, QueryRefused, QueryTimeout
from sendgraph.graph.build import Build


@pytest.fixture(scope="module")
def store(rotherham: Build) -> QueryStore:
    return QueryStore(rotherham.graph)


def test_service_aimed_at_a_listening_socket_gets_no_connection(store: QueryStore) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    try:
        with pytest.raises(QueryRefused, match="SERVICE clauses are refused"):
            store.run(
                f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
            )
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (
            "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
            "FROM and FROM NAMED are refused",
        ),
        (
            "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
            "FROM and FROM NAMED are refused",
        ),
        ("LOAD <http://example.org/data.ttl>", "LOAD is refused"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT is an update"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE is an update"),
        ("select * where { service <http://x> { ?s ?p ?o } }", "SERVICE clauses are refused"),
    ],
)
def test_refused_clauses(store: QueryStore, query: str, words: str) -> None:
    with pytest.raises(QueryRefused, match=words):
        store.run(query)


def test_keywords_inside_strings_and_names_are_not_refused(store: QueryStore) -> None:
    answer = store.run('SELECT ?service WHERE { BIND("SERVICE FROM LOAD" AS ?service) }')
    assert [row["service"].value for row in answer.rows] == ["SERVICE FROM LOAD"]


def test_syntax_error_names_line_and_column(store: QueryStore) -> None:
    with pytest.raises(QueryError) as error:
        store.run("SELECT ?x\nWHERE { ?x sg:owner }")
    assert str(error.value) == "The query has a syntax error at line 2, column 21, near '}'."
    with pytest.raises(QueryError) as error:
        store.run("SELECT ?s WHERE {\n  ?s SELEKT ?o }")
    # The parser stops on the space after the word, where a ":" could have followed.
    assert str(error.value) == "The query has a syntax error at line 2, column 6, near 'SELEKT'."
    with pytest.raises(QueryError) as error:
        store.run("  \n")
    assert str(error.value) == "The query is empty."


def test_a_slow_query_is_stopped_at_its_time_limit(store: QueryStore) -> None:
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    with pytest.raises(QueryTimeout, match=r"more than 0.5 s and was stopped"):
        store.run(slow, timeout=0.5)


def test_a_long_answer_is_cut_and_says_so(store: QueryStore) -> None:
    answer = store.run("SELECT * WHERE { ?s ?p ?o }", row_cap=7)
    assert answer.truncated and len(answer.rows) == 7
    whole = store.run("SELECT * WHERE { ?a a sg:Measure }", row_cap=9)
    assert not whole.truncated and len(whole.rows) == 9


def test_ask_and_construct(store: QueryStore) -> None:
    assert store.run("ASK { ?a sg:owner ?p }").boolean is True
    graph = store.run(
        "CONSTRUCT { ?a sg:owner ?p } WHERE { ?a sg:owner ?p ; skos:notation 'PR 16' }"
    ).graph()
    assert len(graph) == 2


def test_no_fork_while_a_query_runs_in_another_thread() -> None:
    """A child forked mid-query would inherit pyoxigraph's held locks and hang to its time limit."""
    import threading

    from sendgraph.ask.sparql import _FORKS

    inside, release, forked = threading.Event(), threading.Event(), threading.Event()

    def query() -> None:
        with _FORKS.query():
            inside.set()
            release.wait(5)

    def fork() -> None:
        with _FORKS.fork():
            forked.set()

    runner = threading.Thread(target=query)
    runner.start()
    assert inside.wait(5)
    forker = threading.Thread(target=fork)
    forker.start()
    assert not forked.wait(0.3)  # held back while the query runs
    release.set()
    assert forked.wait(5)  # and let through as soon as it ends
    runner.join()
    forker.join()


def test_a_fork_waits_for_queries_in_this_process_at_most_its_time_limit(
    store: QueryStore,
) -> None:
    import threading

    from sendgraph.ask.sparql import _FORKS

    refusals: list[str] = []

    def attempt() -> None:
        try:
            store.run("ASK {}", timeout=0.5)
        except QueryBusy as exc:
            refusals.append(str(exc))

    with _FORKS.query():  # a query running in this process, for longer than the other's limit
        waiting = threading.Thread(target=attempt)
        waiting.start()
        waiting.join(10)
    waiting.join()
    assert refusals == [
        "Other queries kept this process busy for 0.5 s, so the query could not start; "
        "try again in a moment."
    ]
    assert store.run("ASK {}", timeout=5).boolean is True


def test_an_answer_is_rendered_in_the_query_process_under_its_limits(store: QueryStore) -> None:
    def pid_and_rows(answer: Answer) -> Output:
        return Output(head={"rows": len(answer.rows)}, body=str(os.getpid()).encode())

    with store.render("SELECT * WHERE { ?s ?p ?o }", pid_and_rows, row_cap=7) as streamed:
        assert streamed.head == {"rows": 7}
        assert int(b"".join(streamed.chunks)) != os.getpid()

    def slow(answer: Answer) -> Output:
        time.sleep(30)
        return Output(head={})

    # Stopped: had the render finished its 30 s, there would be an answer, not a timeout.
    with pytest.raises(QueryTimeout), store.render("ASK {}", slow, timeout=1):
        pass


def test_a_long_body_comes_back_in_pieces_and_whole(store: QueryStore) -> None:
    body = bytes(range(256)) * 8192  # 2 MB: more than a pipe holds, in several pieces

    with run_work(lambda: Output(head={"kind": "bytes"}, body=body), 10) as streamed:
        pieces = list(streamed.chunks)
    assert streamed.length == len(body) and b"".join(pieces) == body
    assert max(map(len, pieces)) == CHUNK_BYTES


def test_the_query_text_is_kept_under_a_byte_cap(store: QueryStore) -> None:
    payload = store.execute("SELECT * WHERE { ?s ?p ?o }", {}, 10_000, byte_cap=2000)
    assert payload["bytes_cut"] and not payload["truncated"]
    size = sum(len(t.value) for row in payload["rows"] for t in row.values())
    assert 1000 < size <= 2000


def test_a_query_that_needs_too_much_memory_is_stopped_and_says_so() -> None:
    """A sorted cross join grows by about 1 GB in 2 s; the command line caps it as serve does."""
    from click.testing import CliRunner

    from sendgraph.cli import main

    cross_join = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    result = CliRunner().invoke(
        main, ["query", cross_join, "--query-memory", "64", "--timeout", "60"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: The query's process ended without an answer: it needed more than the "
        "64 MB of memory a query may use, or it failed.\n"
    )
