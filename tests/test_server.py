"""`sendgraph serve` as SPARQL clients use it: SPARQLWrapper, curl, content negotiation, limits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from tests.server import executable, free_port, listening_addresses, running

DAWN = "SELECT ?ref WHERE { ?a sg:owner/foaf:name 'Dawn Brewer' ; skos:notation ?ref }"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [
        executable("sendgraph"),
        "serve",
        "--port",
        str(port),
        "--timeout",
        "2",
        "--max-rows",
        "50",
        "--max-answer",
        "1",
    ]
    with running(command, base) as process:
        yield base, process


def fetch(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def test_sparqlwrapper_gets_the_right_rows(server: tuple[str, Any]) -> None:
    client = SPARQLWrapper(server[0] + "sparql")
    client.setQuery("PREFIX sg: <https://w3id.org/sendgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                    "SELECT ?ref WHERE { ?pr dcterms:references ?m ; skos:notation ?ref . ?m skos:notation 'SEND 4' }")  # fmt: skip
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert sorted(r["ref"]["value"] for r in rows) == sorted(
        ["PR 1", "PR 2", "PR 3", "PR 4", "PR 14", "PR 20", "PR 23"]
    )
    client.setMethod("POST")
    client.setReturnFormat(XML)
    client.setQuery("ASK { ?a <https://w3id.org/sendgraph/ontology#owner> ?p }")
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    client.setQuery("PREFIX sg: <https://w3id.org/sendgraph/ontology#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
                    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " + DAWN)  # fmt: skip
    assert client.queryAndConvert() == b"ref\nPR 9\n"


def test_curl_with_content_negotiation(server: tuple[str, Any]) -> None:
    def curl(*args: str) -> str:
        return subprocess.run(
            ["curl", "-sS", *args], check=True, capture_output=True, text=True
        ).stdout

    url = server[0] + "sparql"
    assert (
        curl("-H", "Accept: text/tab-separated-values", "--data-urlencode", f"query={DAWN}", url)
        == '?ref\n"PR 9"\n'
    )
    as_json = json.loads(curl("-G", "--data-urlencode", f"query={DAWN}", url))
    assert as_json["results"]["bindings"] == [{"ref": {"type": "literal", "value": "PR 9"}}]
    turtle = curl("-H", "Accept: text/turtle", "--data-urlencode",
                  "query=CONSTRUCT { ?a sg:owner ?p } WHERE { ?a sg:owner ?p ; skos:notation 'PR 9' }", url)  # fmt: skip
    assert "dawn-brewer" in turtle
    nt = curl("-H", "Accept: application/n-triples", "-H", "Content-Type: application/sparql-query",
              "--data-binary", "CONSTRUCT { ?a sg:owner ?p } WHERE { ?a sg:owner ?p ; skos:notation 'PR 9' }", url)  # fmt: skip
    assert nt.count(" .\n") == 1


def test_updates_are_refused_with_a_reason(server: tuple[str, Any]) -> None:
    url = server[0] + "sparql"
    status, _, body = fetch(
        url, b"INSERT DATA { <x:a> <x:b> <x:c> }", {"Content-Type": "application/sparql-update"}
    )
    assert (status, body) == (403, "This endpoint is read-only: updates and uploads are refused.\n")
    status, _, _ = fetch(
        url, b"<x:a> <x:b> <x:c> .", {"Content-Type": "application/n-triples"}, method="PUT"
    )
    assert status == 403
    status, _, body = fetch(
        url,
        b"query=" + b"DELETE WHERE { ?s ?p ?o }",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403 and "updates are refused" in body


def test_service_and_load_are_refused(server: tuple[str, Any]) -> None:
    status, _, body = fetch(
        server[0] + "sparql",
        b"SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        {"Content-Type": "application/sparql-query"},
    )
    assert (status, body) == (
        403,
        "SERVICE clauses are refused: sendgraph queries never reach the network.\n",
    )


def test_a_cut_answer_says_so(server: tuple[str, Any]) -> None:
    status, headers, body = fetch(
        server[0] + "sparql",
        b"SELECT * WHERE { ?s ?p ?o }",
        {"Content-Type": "application/sparql-query"},
    )
    assert status == 200
    assert headers["X-Sendgraph-Truncated"] == "true; rows=50"
    document = json.loads(body)
    assert len(document["results"]["bindings"]) == 50 and document["sendgraph"] == {
        "truncated": True,
        "rowCap": 50,
    }


# Rows of a 65,536-character string: 16 of them make the 1 MB of --max-answer, and
# more as JSON, XML, CSV, TSV or N-Triples, each of which escapes '<' or '"'.
LONG = (
    "SELECT ?s ?big WHERE { ?s ?p ?o BIND('" + '<"' * 32 + "' AS ?v0) "
    + " ".join(f"BIND(CONCAT(?v{n - 1}, ?v{n - 1}) AS ?v{n})" for n in range(1, 11))
    + " BIND(?v10 AS ?big) }"
)  # fmt: skip


def test_an_answer_cut_at_its_size_says_so(server: tuple[str, Any]) -> None:
    url = server[0] + "sparql"
    status, headers, body = fetch(url, LONG.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and "bytes=1048576" in headers["X-Sendgraph-Truncated"]
    assert len(body.encode()) <= 1 << 20
    document = json.loads(body)
    assert document["sendgraph"]["byteCap"] == 1 << 20
    rows = document["results"]["bindings"]
    assert 0 < len(rows) < 16 and all(len(r["big"]["value"]) == 1 << 16 for r in rows)
    construct = LONG.replace("SELECT ?s ?big WHERE", "CONSTRUCT { ?s <x:p> ?big } WHERE")
    for media, fmt in (("application/n-triples", "nt"), ("text/turtle", "turtle")):
        status, headers, body = fetch(
            url, construct.encode(), {"Content-Type": "application/sparql-query", "Accept": media}
        )
        assert status == 200 and "bytes=1048576" in headers["X-Sendgraph-Truncated"]
        assert len(body.encode()) <= 1 << 20
        assert 0 < len(Graph().parse(data=body, format=fmt)) < 16
    for accept in ("text/csv", "text/tab-separated-values", "application/sparql-results+xml"):
        status, headers, body = fetch(
            url, LONG.encode(), {"Content-Type": "application/sparql-query", "Accept": accept}
        )
        assert status == 200 and "bytes=1048576" in headers["X-Sendgraph-Truncated"]
        assert 0 < len(body.encode()) <= 1 << 20
    assert body.endswith("</results>\n</sparql>\n") and body.count("<result>") in range(1, 16)


def test_slow_query_gets_a_timeout_answer(server: tuple[str, Any]) -> None:
    # Counting a cross join streams: it takes time, not memory (sorting one hits the memory cap).
    slow = b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, _, body = fetch(
        server[0] + "sparql", slow, {"Content-Type": "application/sparql-query"}
    )
    assert status == 503 and "more than 2 s and was stopped" in body
    assert fetch(server[0] + "sparql?query=ASK%7B%7D")[0] == 200  # and it still answers


def test_bad_requests_are_4xx_sentences(server: tuple[str, Any]) -> None:
    base = server[0]
    status, _, body = fetch(base + "sparql?query=SELECT%20%3Fx%20WHERE%20%7B")
    assert status == 400 and body.startswith("The query has a syntax error at line 1, column ")
    assert (
        fetch(base + "sparql", b"x" * (1 << 20 + 1), {"Content-Type": "application/sparql-query"})[
            0
        ]
        == 413
    )
    assert fetch(base + "sparql", b"{}", {"Content-Type": "application/json"})[0] == 415
    assert fetch(base + "nowhere")[0] == 404
    status, _, _ = fetch(base + "sparql?query=ASK%7B%7D", headers={"Accept": "image/png"})
    assert status == 406


def test_named_questions_as_json(server: tuple[str, Any]) -> None:
    status, _, body = fetch(server[0] + "questions/xref?code=send4")
    assert status == 200 and [r["ref"] for r in json.loads(body)] == [
        "PR 1",
        "PR 2",
        "PR 3",
        "PR 4",
        "PR 14",
        "PR 20",
        "PR 23",
    ]
    status, _, body = fetch(server[0] + "questions/overdue")
    assert [r["ref"] for r in json.loads(body)] == [
        "JCP 9.1",
        "JCP 10.2",
        "PR 4",
        "PR 7",
        "PR 11",
        "PR 19",
        "SEND 3",
        "SEND 5",
    ]
    status, _, body = fetch(server[0] + "questions/oversight?ref=PR%2099")
    assert status == 404 and json.loads(body)["error"].startswith(
        "'PR 99' is not a reference in this graph."
    )
    assert fetch(server[0] + "questions/oversight")[0] == 400
    status, _, body = fetch(server[0] + "questions/oversight?ref=PC+1.3")
    assert [(r["label"], r["modality"]) for r in json.loads(body)] == [
        ("SEND Strategic Board", "stated")
    ]
    status, _, body = fetch(server[0] + "questions/oversight?ref=PC+1.3&include=inferred")
    assert sorted((r["label"], r["modality"]) for r in json.loads(body)) == [
        ("Children's Partnership", "inferred"),
        ("Health and Well Being Board", "inferred"),
        ("Rotherham Place Board", "inferred"),
        ("SEND Strategic Board", "stated"),
    ]
    status, _, body = fetch(server[0] + "questions/oversight?ref=PC+1.3&include=recommended")
    assert status == 404 and "recommended" in json.loads(body)["error"]


class _Links(HTMLParser):
    """Collects every attribute of the page's markup that could make a browser load something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [f"{tag} {k}={v}" for k, v in attrs if k in ("src", "href", "data", "action")]


def test_query_page_is_offline(server: tuple[str, Any]) -> None:
    status, headers, body = fetch(server[0])
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    # YASGUI's bundle names namespaces and its own defaults as text; the markup itself
    # links nothing, and tests/test_query_page_browser.py checks what a browser asks for.
    links = _Links()
    links.feed(body)
    assert links.found == []


def test_sigterm_stops_it_cleanly() -> None:
    port = free_port()
    with running(
        [executable("sendgraph"), "serve", "--port", str(port)], f"http://127.0.0.1:{port}/"
    ) as process:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None and process.stderr.read().decode().endswith("Stopped.\n")


def test_it_binds_to_loopback_only() -> None:
    port = free_port()
    with running(
        [executable("sendgraph"), "serve", "--port", str(port)], f"http://127.0.0.1:{port}/"
    ) as process:
        assert listening_addresses(port) == {"127.0.0.1"}
        assert process.poll() is None


def test_areas_and_the_ontology_are_named_graphs(server: tuple[str, Any]) -> None:
    """Analysts can tell areas apart with GRAPH; plain patterns still see everything."""
    client = SPARQLWrapper(server[0] + "sparql")
    client.setReturnFormat(JSON)
    client.setQuery(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a <https://w3id.org/sendgraph/ontology#Action> } } GROUP BY ?g"
    )
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [(r["g"]["value"], r["n"]["value"]) for r in rows] == [
        ("https://w3id.org/sendgraph/graph/rotherham", "85")
    ]
    client.setQuery(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/sendgraph/graph/ontology> { ?c a <http://www.w3.org/2002/07/owl#Class> } }"
    )
    ontology_classes = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> }")
    assert (
        int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
        == ontology_classes
        > 20
    )  # type: ignore[index]


def test_xml_results_of_control_characters_are_well_formed(server: tuple[str, Any]) -> None:
    from urllib.parse import quote

    from defusedxml.ElementTree import fromstring

    query = 'SELECT ?text WHERE { BIND("a\\u000Bb\\r\\nc <&> \\"d\\"" AS ?text) }'
    status, _, body = fetch(
        server[0] + "sparql?query=" + quote(query),
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert status == 200
    literal = fromstring(body).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal is not None
    # XML 1.0 cannot hold U+000B at all; CR, LF, quotes and markup come back as written.
    assert literal.text == 'a\ufffdb\r\nc <&> "d"'
