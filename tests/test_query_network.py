"""No user query reaches the network: the reader refuses it, and the kernel would stop it.

Every disguised SERVICE, FROM or LOAD below is aimed at a listener on 127.0.0.1 that
this module opens, and is sent by the command line, by each way the endpoint takes a
query, and as a user's gap rule; each must be refused with a sentence, and the listener
must see no connection. Then the reader is left out, and the kernel's barrier alone
must keep a SERVICE from connecting.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from sendgraph.ask import netbarrier, querytext, sparql
from sendgraph.ask.sparql import QueryStore
from sendgraph.base.errors import QueryError
from sendgraph.cli import main
from tests.server import executable, free_port, running

SERVICE = "SERVICE clauses are refused: sendgraph queries never reach the network."
FROM = (
    "FROM and FROM NAMED are refused: a query runs on the graph it is given and loads nothing else."
)
LOAD = "LOAD is refused: sendgraph queries never read files or the network."
UNREADABLE = "The query was refused: at line "
UPDATE = "is an update, and updates are refused: sendgraph's graph is read-only."

# (name, query with {url} for the listener's address, the sentence that refuses it)
DISGUISES = [
    ("plain", "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", SERVICE),
    ("odd-case", "select * where { sErViCe <{url}> { ?s ?p ?o } }", SERVICE),
    ("u-escape", r"SELECT * WHERE { \u0053ERVICE <{url}> { ?s ?p ?o } }", SERVICE),
    ("U-escape", r"SELECT * WHERE { \U00000053ERVICE <{url}> { ?s ?p ?o } }", SERVICE),
    ("u-escape-lower", r"SELECT * WHERE { \u0073ervice <{url}> { ?s ?p ?o } }", SERVICE),
    (
        "escaped-hash-in-a-name",
        "PREFIX e: <http://example.org/> SELECT * WHERE { BIND(e:a\\#b AS ?x) SERVICE <{url}> { ?s ?p ?o } }",
        SERVICE,
    ),
    (
        "u-escape-inside-an-iri",
        r"SELECT * WHERE { BIND(<http://example.org/caf\u00e9#b> AS ?x) SERVICE <{url}> { ?s ?p ?o } }",
        SERVICE,
    ),
    (
        "u-escape-opening-a-string",
        r"SELECT * WHERE { BIND(\u0022a\u0022 AS ?x) SERVICE <{url}> { ?s ?p ?o } }",
        SERVICE,
    ),
    (
        "u-escape-a-quote-pyoxigraph-reads-inside-the-string",
        r"SELECT * WHERE { BIND('x\u0027 a ' AS ?y) SERVICE SILENT <{url}> { ?s ?p ?o } BIND(' a \u0027x' AS ?z) }",
        SERVICE,
    ),
    ("glued-to-an-empty-prefix", "PREFIX : <{url}> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }", SERVICE),
    ("glued-to-a-prefixed-name", "PREFIX e: <{url}> SELECT * WHERE { SERVICEe:x { ?s ?p ?o } }", SERVICE),
    ("glued-to-silent", "SELECT * WHERE { SERVICESILENT<{url}> { ?s ?p ?o } }", SERVICE),
    (
        "comments-around",
        "SELECT * WHERE { # SERVICE <http://example.org/>\n SERVICE # <here>\n <{url}> { ?s ?p ?o } } # end",
        SERVICE,
    ),
    ("hash-in-a-string", 'SELECT * WHERE { BIND("#" AS ?x) SERVICE <{url}> { ?s ?p ?o } }', SERVICE),
    (
        "long-strings-holding-quotes",
        "SELECT * WHERE { BIND(\"\"\"a \"quoted\" \"\"word\"\" \"\"\" AS ?x) BIND('''it's''' AS ?y) SERVICE <{url}> { ?s ?p ?o } }",
        SERVICE,
    ),
    ("in-optional", "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?s ?p ?o } } }", SERVICE),
    ("in-union", "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?s ?p ?o } } }", SERVICE),
    ("in-minus", "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?s ?p ?o } } }", SERVICE),
    (
        "in-a-subquery",
        "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } } LIMIT 1 } }",
        SERVICE,
    ),
    ("in-construct", "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }", SERVICE),
    ("in-filter-exists", "ASK { FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }", SERVICE),
    (
        "in-filter-not-exists",
        "SELECT * WHERE { BIND(1 AS ?x) FILTER NOT EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
        SERVICE,
    ),
    ("silent", "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }", SERVICE),
    (
        "a-variable-bound-by-values",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } } VALUES ?endpoint { <{url}> }",
        SERVICE,
    ),
    ("newlines-and-tabs", "SELECT * WHERE {\n\tSERVICE\r\n\t<{url}>\n{ ?s ?p ?o } }", SERVICE),
    ("form-feed", "SELECT * WHERE {\fSERVICE <{url}> { ?s ?p ?o } }", UNREADABLE),
    ("no-break-space", "SELECT * WHERE {\u00a0SERVICE <{url}> { ?s ?p ?o } }", UNREADABLE),
    (
        "a-quote-in-an-iri-where-less-than-compares",
        "SELECT * WHERE { BIND(1 AS ?a) BIND(?a<'>' AS ?b) SERVICE SILENT <{url}> { ?s ?p ?o } BIND(?a != '''')''' AS ?c) }",
        UNREADABLE,
    ),
    (
        "a-hash-in-an-iri-where-less-than-compares",
        "SELECT * WHERE { BIND(1 AS ?a) BIND(?a<?a#>'''\nAS ?b) SERVICE SILENT <{url}> { ?s ?p ?o }\n# '''\n}",
        UNREADABLE,
    ),
    (
        "an-escaped-backslash-before-an-escape",
        r'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <{url}> { ?s ?p ?o } }',
        UNREADABLE,
    ),
    ("from", "SELECT * FROM <{url}> WHERE { ?s ?p ?o }", FROM),
    ("from-named", "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }", FROM),
    ("from-escaped", r"SELECT * \u0046ROM <{url}> WHERE { ?s ?p ?o }", FROM),
    ("from-glued", "PREFIX e: <{url}> SELECT * FROMe:g WHERE { ?s ?p ?o }", FROM),
    ("load", "LOAD <{url}>", LOAD),
    ("load-silent-into", "load silent <{url}> INTO GRAPH <http://example.org/g>", LOAD),
    ("an-update-around-a-service", "DELETE { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }", UPDATE),
    ("add", "ADD <{url}> TO <http://example.org/g>", UPDATE),
]  # fmt: skip
IDS = [name for name, _, _ in DISGUISES]


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    """A TCP listener on loopback that every query below is aimed at."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    yield sock
    sock.close()


def connections(listener: socket.socket) -> int:
    """Accept (and close) every connection the listener has received; return how many."""
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def aimed(query: str, listener: socket.socket) -> str:
    return query.replace("{url}", f"http://127.0.0.1:{listener.getsockname()[1]}/sparql")


def refused_with(sentence: str, text: str) -> bool:
    return sentence in text and "Traceback" not in text


@pytest.fixture(scope="module")
def tiny_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A graph file of one triple: the queries below are refused before they would read it."""
    path = tmp_path_factory.mktemp("graph") / "tiny.ttl"
    path.write_text("<http://example.org/s> <http://example.org/p> 'o' .\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "query", "sentence"), DISGUISES, ids=IDS)
def test_disguised_network_queries_are_refused_on_the_command_line(
    listener: socket.socket, tiny_graph: Path, name: str, query: str, sentence: str
) -> None:
    result = CliRunner().invoke(
        main, ["query", aimed(query, listener), "--data", str(tiny_graph), "--timeout", "10"]
    )
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and refused_with(sentence, result.stderr)
    assert connections(listener) == 0


@pytest.mark.parametrize(("name", "query", "sentence"), DISGUISES, ids=IDS)
def test_disguised_network_queries_are_refused_as_a_users_gap_rule(
    listener: socket.socket, tiny_graph: Path, tmp_path: Path, name: str, query: str, sentence: str
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    header = f"# id: {name}\n# severity: info\n# title: t\n# rationale: r\n"
    (rules / f"{name}.rq").write_text(header + aimed(query, listener) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["gaps", "--rules", str(rules), "--only", name, "--data", str(tiny_graph)]
    )
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {rules / name}.rq: ")
    assert refused_with(sentence, result.stderr)
    assert connections(listener) == 0


@pytest.fixture(scope="module")
def endpoint(tiny_graph: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [executable("sendgraph"), "serve", "--data", str(tiny_graph), "--port", str(port)]
    with running(command, base):
        yield base + "sparql"


def ask(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.mark.parametrize(("name", "query", "sentence"), DISGUISES, ids=IDS)
def test_disguised_network_queries_are_refused_by_the_endpoint(
    listener: socket.socket, endpoint: str, name: str, query: str, sentence: str
) -> None:
    text = aimed(query, listener)
    form = urllib.parse.urlencode({"query": text}).encode()
    requests = {
        "GET": urllib.request.Request(f"{endpoint}?{urllib.parse.urlencode({'query': text})}"),
        "form POST": urllib.request.Request(
            endpoint, form, {"Content-Type": "application/x-www-form-urlencoded"}
        ),
        "sparql-query POST": urllib.request.Request(
            endpoint, text.encode(), {"Content-Type": "application/sparql-query"}
        ),
    }
    for how, request in requests.items():
        status, body = ask(request)
        assert status == 403 and refused_with(sentence, body), (how, status, body)
    assert connections(listener) == 0


LEGITIMATE = [
    'SELECT ?service WHERE { BIND("SERVICE <http://example.org/> FROM LOAD INSERT" AS ?service) }',
    "SELECT ?from ?load WHERE { BIND('''a SERVICE\nFROM ''' AS ?from) BIND(?from AS ?load) }",
    "SELECT ?x WHERE { BIND(<http://example.org/service/from#load> AS ?x) }",
    "PREFIX e: <http://example.org/> SELECT ?x WHERE { BIND(e:service AS ?x) FILTER(?x != e:from) }",
    "SELECT ?x WHERE { BIND(sg:from AS ?x) } # SERVICE <http://example.org/> FROM LOAD",
    "SELECT ?SERVICE $from WHERE { BIND(1 AS ?SERVICE) BIND(2 AS $from) }",
    "PREFIX e: <http://example.org/> SELECT ?x WHERE { BIND(e:a\\#b\\.c AS ?x) }",
    r'SELECT ?x WHERE { BIND("caf\u00e9 \u0053ERVICE" AS ?x) }',
    "SELECT ?x WHERE { BIND(1 AS ?a) BIND(?a<2 AS ?x) FILTER(?a<=?a && ?a>0) }",
    "SELECT ?x WHERE { BIND(<http://example.org/a#b> AS ?x) BIND('''one\ntwo''' AS ?y) }",
    "SELECT ?x WHERE { VALUES (?x ?y) { (<http://example.org/a> 1.5e3) ('x'@en-GB -2) } }",
]


@pytest.mark.parametrize("query", LEGITIMATE)
def test_the_words_inside_strings_iris_names_and_comments_are_not_refused(query: str) -> None:
    assert querytext.refusal(query) is None
    answer = QueryStore(Graph()).run(query, timeout=None)
    assert answer.variables and answer.rows


def test_every_bundled_query_and_rule_passes_the_reader() -> None:
    package = resources.files("sendgraph")
    files = [
        entry
        for folder in ("queries", "rules")
        for entry in package.joinpath(folder).iterdir()
        if entry.name.endswith(".rq")
    ]
    assert len(files) >= 30
    refused = {e.name: querytext.refusal(e.read_text(encoding="utf-8")) for e in files}
    assert {name: reason for name, reason in refused.items() if reason} == {}


def test_the_kernel_barrier_alone_stops_a_service(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the reader left out, the query process still cannot connect: SERVICE fails in it."""
    monkeypatch.setattr(sparql, "refuse_unsafe", lambda query: None)
    store = QueryStore(Graph())
    query = aimed("SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", listener)
    with pytest.raises(QueryError) as error:
        store.run(query, timeout=20)
    assert str(error.value) == "The query could not be evaluated: Permission denied (os error 13)."
    assert connections(listener) == 0
    assert store.run("SELECT (1 + 1 AS ?two) WHERE {}", timeout=20).records() == [{"two": 2}]


def _inside_the_barrier() -> dict[str, object]:
    """Close the network in this process and try every kind of socket; return what happened."""
    netbarrier.close_network()
    seen: dict[str, object] = {}
    for family in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"):
        try:
            socket.socket(getattr(socket, family), socket.SOCK_DGRAM)
            seen[family] = "opened"
        except OSError as exc:
            seen[family] = exc.errno
    left, right = socket.socketpair(socket.AF_UNIX)
    seen["AF_UNIX pair"] = "opened"
    left.close()
    right.close()
    if platform.machine() == "x86_64":
        libc = ctypes.CDLL(None, use_errno=True)
        params = ctypes.create_string_buffer(120)
        seen["io_uring_setup"] = -1 if libc.syscall(425, 1, params) < 0 else "opened"
        seen["io_uring_setup errno"] = ctypes.get_errno()
    return seen


def test_a_query_process_can_open_only_local_sockets() -> None:
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports through the pipe and never returns into pytest
        try:
            os.write(writer, repr(_inside_the_barrier()).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        seen = pipe.read()
    assert os.waitpid(child, 0)[1] == 0
    expected: dict[str, object] = {
        "AF_INET": errno.EACCES,
        "AF_INET6": errno.EACCES,
        "AF_NETLINK": errno.EACCES,
        "AF_PACKET": errno.EACCES,
        "AF_UNIX pair": "opened",
    }
    if platform.machine() == "x86_64":
        expected |= {"io_uring_setup": -1, "io_uring_setup errno": errno.EPERM}
    assert seen == repr(expected)


def test_without_the_barrier_queries_run_and_it_is_said_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unavailable() -> None:
        raise netbarrier._Unavailable("libseccomp.so.2 is not installed (Debian: libseccomp2)")

    monkeypatch.setattr(netbarrier, "_BARRIER", netbarrier._Barrier())
    monkeypatch.setattr(netbarrier, "_build", unavailable)
    store = QueryStore(Graph())
    for _ in range(2):
        assert store.run("SELECT (1 AS ?one) WHERE {}", timeout=20).records() == [{"one": 1}]
    assert capsys.readouterr().err == (
        "sendgraph: queries run without the kernel's network barrier on this system "
        "(libseccomp.so.2 is not installed (Debian: libseccomp2)); "
        "the query reader's check still refuses SERVICE.\n"
    )


def test_the_endpoint_keeps_answering_under_the_barrier(endpoint: str) -> None:
    status, body = ask(
        urllib.request.Request(
            endpoint,
            b"SELECT ?o WHERE { <http://example.org/s> ?p ?o }",
            {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
    )
    assert (status, body) == (200, "o\no\n")


def test_the_command_line_says_nothing_of_the_barrier_where_it_is_there(tiny_graph: Path) -> None:
    result = subprocess.run(
        [executable("sendgraph"), "query", "SELECT ?o WHERE { <http://example.org/s> ?p ?o }", "--data", str(tiny_graph), "-f", "csv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "o\no\n", "")
