"""`sendgraph serve` answers the graph's own IRIs: a real server on 127.0.0.1, asked as curl would ask.

Each resource's Turtle and JSON-LD are its exact triples in the Rotherham graph; its
page names its label, kinds, quotes, sources and links in and out, each linked to its
own page on the server; the ontology answers at /ontology; an unknown IRI is a 404
sentence; and the pages obey the server's access rules.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from sendgraph.graph.build import Build
from sendgraph.graph.vocab import SG
from tests.htmltree import parse
from tests.server import exchange

SEND_3 = "https://w3id.org/sendgraph/id/rotherham/action/send-3"
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "connect-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'"
)


def get(url: str, accept: str | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=({"Accept": accept} if accept else {}) | headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def own_triples(graph: Graph, iri: str) -> set[tuple[object, object, object]]:
    node = URIRef(iri)
    return set(graph.triples((node, None, None))) | set(graph.triples((None, None, node)))


def test_turtle_is_the_actions_triples_exactly(endpoint: str, rotherham: Build) -> None:
    status, headers, body = get(endpoint + "id/rotherham/action/send-3", "text/turtle")
    assert status == 200
    assert headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert headers["Vary"] == "Accept"
    answer = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert set(answer) == own_triples(rotherham.graph, SEND_3)
    node = URIRef(SEND_3)
    # 27 triples about SEND 3, and 5 naming it: PR 13 and PR 22 cite it, two board
    # mentions in its progress text and one theme tag are about it.
    assert len(set(answer.triples((node, None, None)))) == 27
    assert {(s, p) for s, p, _ in answer.triples((None, None, node))} == {
        (URIRef("https://w3id.org/sendgraph/id/rotherham/action/pr-13"), DCTERMS.references),
        (URIRef("https://w3id.org/sendgraph/id/rotherham/action/pr-22"), DCTERMS.references),
        (URIRef(SEND_3 + "/mention/progress/cabinet"), RDF.subject),
        (URIRef(SEND_3 + "/mention/progress/dlt"), RDF.subject),
        (URIRef(SEND_3 + "/theme/personal-budgets/personal-budgets/text"), RDF.subject),
    }
    assert (node, SG.ownerText, Literal("Mark Chambers")) in answer
    assert (node, RDFS.label, Literal("SEND 3")) in answer
    assert set(answer.objects(node, RDF.type)) == {SG.Action, SG.Measure, SG.Code}


def test_json_ld_is_the_same_triples(endpoint: str) -> None:
    status, headers, body = get(endpoint + "id/rotherham/action/send-3", "application/ld+json")
    assert status == 200
    assert headers["Content-Type"] == "application/ld+json; charset=utf-8"
    as_json_ld = Graph().parse(data=body.decode("utf-8"), format="json-ld")
    _, _, turtle = get(endpoint + "id/rotherham/action/send-3", "text/turtle")
    assert set(as_json_ld) == set(Graph().parse(data=turtle.decode("utf-8"), format="turtle"))
    assert len(as_json_ld) == 32


def test_n_triples_are_the_same_triples_and_other_formats_are_refused(endpoint: str) -> None:
    _, _, turtle = get(endpoint + "id/rotherham/board/dlt", "text/turtle")
    status, _, body = get(endpoint + "id/rotherham/board/dlt", "application/n-triples")
    assert status == 200
    as_nt = Graph().parse(data=body.decode("utf-8"), format="nt")
    assert set(as_nt) == set(Graph().parse(data=turtle.decode("utf-8"), format="turtle"))
    status, _, body = get(endpoint + "id/rotherham/board/dlt", "application/pdf")
    assert (status, body) == (
        406,
        b"A resource comes as text/html, text/turtle, application/ld+json or application/n-triples.\n",
    )


def test_the_page_names_label_kinds_quotes_sources_and_links(endpoint: str) -> None:
    status, headers, body = get(endpoint + "id/rotherham/action/send-3", "text/html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == PAGE_POLICY
    page = parse(body.decode("utf-8"))
    (meta,) = page.find_all("meta", http_equiv="Content-Security-Policy")
    assert meta.attrs["content"] == PAGE_POLICY
    assert [h.text() for h in page.find_all("h1")] == ["SEND 3"]
    assert SEND_3 in [p.text() for p in page.find_all("p", "iri")]
    links = {a.attrs["href"]: a.text() for a in page.find_all("a")}
    # Kinds link to their place on the ontology's page.
    assert {links[f"/ontology#{k}"] for k in ("Action", "Measure", "Code")} == {
        "action", "measure", "reference code",
    }  # fmt: skip
    # Links out and in, each to the page of the node at the other end, by its label.
    assert links["/id/rotherham/person/mark-chambers"] == "Mark Chambers"
    assert links["/id/rotherham/board/dlt"] == "DLT"
    assert links["/id/rotherham/board/cabinet"] == "Cabinet"
    assert links["/id/rotherham/action/pr-13"] == "PR 13"
    assert links["/id/rotherham/action/pr-22"] == "PR 22"
    assert links["/id/rotherham/plan/cyps-improvement-plan-measures"] == (
        "CYPS Improvement Plan measures"
    )
    # The paper it comes from, its section, data file and row.
    assert links["/id/rotherham/document/rotherham-ccg-send-update-2017"] == (
        "Special Educational Needs and Disabilities (SEND) Update"
    )
    cells = [td.text() for td in page.find_all("td")]
    assert {"Appendix 2, CYPS Improvement Plan Measures, SEND 3", "data/actions.csv", "4"} <= set(
        cells
    )
    # The words of the paper behind each mention of a board.
    quotes = [q.text() for q in page.find_all("blockquote")]
    assert quotes.count("RAS report going to DLT 3 April and then Cabinet for approval") == 2
    heads = [h.text() for h in page.find_all("h2")]
    assert heads == ["Where it comes from", "What it says", "Links out (11)", "Links in (5)"]


def test_a_statements_page_quotes_the_paper(endpoint: str) -> None:
    _, _, body = get(
        endpoint
        + "id/rotherham/statement/send-strategic-board/oversees/neuro-developmental-pathway-action-plan",
        "text/html",
    )
    page = parse(body.decode("utf-8"))
    assert page.find_all("h2")[0].text() == "What the paper says"
    (quote,) = page.find_all("blockquote")
    assert quote.text().startswith("The SEND Strategic Board will keep progress under")


def test_an_unknown_iri_is_a_404_sentence(endpoint: str) -> None:
    status, headers, body = get(endpoint + "id/rotherham/action/send-99", "text/turtle")
    assert (status, headers["Content-Type"]) == (404, "text/plain; charset=utf-8")
    assert body == (
        b"The graph says nothing about https://w3id.org/sendgraph/id/rotherham/action/send-99: "
        b"no triple has it as subject or object.\n"
    )


@pytest.mark.parametrize(
    "path", ["/id/a>b", '/id/a"b', "/id/a{b}", "/id/a\\b", "/id/\x7fb", "/id/"]
)
def test_a_path_no_iri_can_have_is_a_404_and_runs_nothing(endpoint: str, path: str) -> None:
    port = int(endpoint.rstrip("/").rpartition(":")[2])
    reply = exchange(
        port,
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"),
    )
    assert reply.status == 404
    assert reply.body.endswith(b"; try / or /sparql.\n")


def test_the_ontology_answers_at_its_own_iri(endpoint: str, rotherham: Build) -> None:
    status, _, body = get(endpoint + "ontology", "text/turtle")
    assert status == 200
    answer = Graph().parse(data=body.decode("utf-8"), format="turtle")
    ontology = "https://w3id.org/sendgraph/ontology"
    expected = {
        t for t in rotherham.graph if str(t[0]) == ontology or str(t[0]).startswith(ontology + "#")
    }
    assert set(answer) == expected
    assert (SG.Action, RDFS.label, Literal("action", lang="en")) in answer
    status, _, body = get(endpoint + "ontology")
    page = parse(body.decode("utf-8"))
    (action,) = page.find_all("section", id="Action")
    assert action.find_all("h3")[0].text() == "action sg:Action"
    # A standard class is named, not linked: this server has no page for it. The one
    # link is to the ontology that defines the term (rdfs:isDefinedBy).
    assert [a.attrs["href"] for a in action.find_all("a")] == ["/ontology"]
    assert [td.text() for td in action.find_all("td")] == [
        "owl:Class",
        "sendgraph ontology (owl:Ontology)",
        "prov:Plan",
        "Source: the kinds of row and node of the SEND governance papers (docs/model.md); "
        "a sendgraph class only where PROV-O, W3C ORG or SKOS has just the general class it "
        "specialises.",
    ]
    (measure,) = page.find_all("section", id="Measure")
    assert {a.attrs["href"] for a in measure.find_all("a")} == {
        "/ontology", "/ontology#Action", "/ontology#Code",
    }  # fmt: skip


def test_a_link_on_another_site_opens_a_page_but_nothing_else_it_sends_is_answered(
    endpoint: str,
) -> None:
    url = endpoint + "id/rotherham/action/send-3"
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert get(url, **cross, **{"Sec-Fetch-Mode": "navigate"})[0] == 200
    assert get(endpoint + "ontology", **cross, **{"Sec-Fetch-Mode": "navigate"})[0] == 200
    # An image, a script or a fetch of another site's page is refused before any query.
    assert get(url, **cross, **{"Sec-Fetch-Mode": "no-cors"})[0] == 403
    assert get(url, **cross, **{"Sec-Fetch-Mode": "cors"})[0] == 403
    # And a name rebound to 127.0.0.1 gets nothing, page or not.
    status, _, body = get(url, Host="attacker.example", **{"Sec-Fetch-Mode": "navigate"})
    assert status == 403 and b"does not answer to the Host" in body
