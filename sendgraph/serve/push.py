"""Push the graph to a triple store over the SPARQL 1.1 Graph Store Protocol, all or nothing.

The graph is uploaded to a temporary named graph first, counted back, and only then moved
over the target graph with one SPARQL Update (MOVE), which stores apply atomically. A push
that fails at any step leaves the target graph as it was and removes the temporary one.

A push whose own process was killed cannot remove its temporary graph; the next push to
the same target does (every ``<target>-upload-...`` graph). The MOVE is not SILENT: a
store answers MOVE SILENT from a graph that no longer exists by emptying the target, and
a temporary graph removed under a push (by such a clean-up) must fail it instead.

Virtuoso (its Graph Store endpoints end in ``/sparql-graph-crud`` or, with a user and
password, ``/sparql-graph-crud-auth``) differs in three ways, each met here and tested
against a real Virtuoso 7.2 in tests/test_push_virtuoso.py:

- MOVE from a graph that does not exist succeeds and empties the target, SILENT or not
  (Virtuoso has no empty graphs). The move is instead one request of a DELETE guarded
  by the temporary graph holding triples, an INSERT and a DROP: Virtuoso runs a whole
  update request as one transaction, committed at its end or rolled back
  (openlink/virtuoso-opensource#608), and its answer ends "Commit -- done". The target
  is then read back and compared with what was sent, so a guard that held nothing back
  (the temporary graph gone) is a failure, not a silent success.
- ``GRAPH ?g { }`` lists no graphs, so earlier uploads are found by their triples.
- A transaction whose log grows past ``TransactionAfterImageLimit`` (50 MB unless the
  server's virtuoso.ini says more) is aborted whole (openlink/virtuoso-opensource#1043);
  ``DEFINE sql:log-enable`` would lift the limit by giving up the transaction, so it is
  never sent.

Every store's upload is compared with what was sent, triple for triple (blank nodes by
count): a store that rewrites a literal (Virtuoso writes ``"1.50"^^xsd:decimal`` back as
``"1.5"``) fails the push rather than change the graph unseen.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph

from sendgraph.base.errors import PushError


@dataclass(frozen=True)
class Pushed:
    """What a successful push did."""

    graph: str
    triples: int


@dataclass(frozen=True)
class Login:
    """A user and password for a store that asks for one (HTTP digest or basic authentication)."""

    user: str
    password: str = field(repr=False)  # never shown, not even in a traceback's locals


def _closing(fp: Any, answer_again: Any) -> Any:
    """Send a request again with a login, closing the 401 answer's connection once it is done with."""
    try:
        answer = answer_again()
    except urllib.error.HTTPError:
        fp.close()
        raise
    if answer is not None:  # None: not ours to answer, and the 401 itself is still read
        fp.close()
    return answer


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that, once challenged, signs every later request up front.

    urllib answers each 401 by sending the request again; a store (Virtuoso) answers an
    upload's 401 before reading its body and closes the connection, so an unsigned
    upload breaks. The first request of a push is a small query, which takes the challenge.
    """

    challenge: dict[str, str] | None = None

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        said = headers.get("www-authenticate", "")
        if said.lower().startswith("digest "):
            self.challenge = urllib.request.parse_keqv_list(
                [part for part in urllib.request.parse_http_list(said[7:]) if part]
            )
        return _closing(
            fp, lambda: super(_Digest, self).http_error_401(req, fp, code, msg, headers)
        )

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge and not req.has_header("Authorization"):
            signed = self.get_authorization(req, self.challenge)
            if signed:
                req.add_unredirected_header("Authorization", f"Digest {signed}")
        return req


class _Basic(urllib.request.HTTPBasicAuthHandler):
    """Basic authentication sent up front only after the store asked for it (never unasked)."""

    asked = False

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        self.asked = self.asked or "basic" in headers.get("www-authenticate", "").lower()
        return _closing(fp, lambda: super(_Basic, self).http_error_401(req, fp, code, msg, headers))

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        user, password = self.passwd.find_user_password("", req.full_url)
        if self.asked and user and not req.has_header("Authorization"):
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            req.add_unredirected_header("Authorization", f"Basic {token}")
        return req


def _opener(login: Login | None, urls: list[str]) -> urllib.request.OpenerDirector:
    """An opener that answers a 401 challenge from ``urls`` (and only those) with ``login``."""
    if login is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, urls, login.user, login.password)
    return urllib.request.build_opener(_Digest(passwords), _Basic(passwords))


_OPENER: list[urllib.request.OpenerDirector] = [urllib.request.build_opener()]


def _request(
    method: str,
    url: str,
    body: bytes | None = None,
    media: str | None = None,
    accept: str | None = None,
    timeout: float = 60.0,
) -> bytes:
    headers = {}
    if media:
        headers["Content-Type"] = media
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    shown = url.split("?")[0]  # a whole query in a sentence is unreadable
    try:
        with _OPENER[0].open(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        detail = " ".join(error.read().decode("utf-8", errors="replace").split())[:300]
        if error.code == 401:
            raise PushError(
                f"{method} {shown} was answered 401: the store wants a user and password it "
                "accepts (--user, with the password in SENDGRAPH_PUSH_PASSWORD)."
            ) from None
        raise PushError(
            f"{method} {shown} was answered {error.code} {error.reason}: {detail or 'no detail'}"
        ) from None
    except urllib.error.URLError as error:
        raise PushError(f"cannot reach {shown}: {error.reason}.") from None
    except TimeoutError:
        raise PushError(f"{shown} did not answer within {timeout:g} s.") from None
    except (OSError, http.client.HTTPException) as error:
        # A store that dies or a connection cut mid-request: urllib lets these through raw.
        reason = str(error) or type(error).__name__
        raise PushError(f"the connection to {shown} broke during the {method}: {reason}.") from None


_VIRTUOSO = ("/sparql-graph-crud-auth", "/sparql-graph-crud")


def is_virtuoso(store_endpoint: str) -> bool:
    """Whether ``store_endpoint`` is Virtuoso's Graph Store endpoint, by its path."""
    return store_endpoint.split("?")[0].rstrip("/").endswith(_VIRTUOSO)


def _virtuoso_sparql(store_endpoint: str) -> str:
    """Virtuoso's SPARQL endpoint beside its Graph Store one: -auth beside -auth."""
    path = store_endpoint.split("?")[0].rstrip("/")
    for ending in _VIRTUOSO:
        if path.endswith(ending):
            return path[: -len(ending)] + ending.replace("-graph-crud", "")
    raise AssertionError(store_endpoint)


def update_endpoint_for(store_endpoint: str) -> str:
    """Guess the SPARQL Update endpoint beside a Graph Store endpoint.

    Oxigraph: /store -> /update; Virtuoso: /sparql-graph-crud-auth -> /sparql-auth.
    """
    if is_virtuoso(store_endpoint):
        return _virtuoso_sparql(store_endpoint)
    if store_endpoint.rstrip("/").endswith("/store"):
        return store_endpoint.rstrip("/")[: -len("store")] + "update"
    raise PushError(
        f"cannot tell the update endpoint of {store_endpoint}; give it with --update-endpoint."
    )


_NOT_IN_IRI = set('<>"{}|^`\\') | {chr(c) for c in range(0x21)}


def check_graph_iri(iri: str) -> None:
    """Raise `PushError` unless ``iri`` can be written between ``<`` and ``>`` in SPARQL as it is."""
    bad = sorted(set(iri) & _NOT_IN_IRI)
    if not iri or bad or ":" not in iri:
        raise PushError(
            f"{iri!r} is not an absolute IRI a graph can be named by"
            + (f" (it holds {bad[0]!r})" if bad else "")
            + "."
        )


def stale_uploads(
    target: str, query_endpoint: str, timeout: float = 60.0, *, by_triples: bool = False
) -> list[str]:
    """Return the temporary graphs of earlier pushes to ``target`` that are still in the store.

    ``by_triples`` finds them by what they hold, for a store (Virtuoso) that lists no
    graph for ``GRAPH ?g { }``.
    """
    prefix = f"{target.rstrip('/')}-upload-"
    pattern = "?s ?p ?o" if by_triples else ""
    query = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { "
        + pattern
        + ' } FILTER(STRSTARTS(STR(?g), "'
        + prefix.replace("\\", "\\\\").replace('"', '\\"')
        + '")) }'
    )
    separator = "&" if "?" in query_endpoint else "?"
    answer = _request(
        "GET",
        f"{query_endpoint}{separator}query={quote(query, safe='')}",
        accept="text/csv",
        timeout=timeout,
    )
    return sorted(line.strip() for line in answer.decode("utf-8").splitlines()[1:] if line.strip())


def remove_stale_uploads(
    target: str,
    updates: str,
    query_endpoint: str | None,
    timeout: float = 60.0,
    *,
    by_triples: bool = False,
) -> list[str]:
    """Drop the temporary graphs that killed pushes to ``target`` left; return their names.

    With a query endpoint each is dropped by name; without one, their triples are deleted
    by one update that matches their names (the store may then list them, empty).
    """
    prefix = f"{target.rstrip('/')}-upload-"
    if query_endpoint is None:
        literal = prefix.replace("\\", "\\\\").replace('"', '\\"')
        update = (
            "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { "
            + ("?s ?p ?o" if by_triples else "")
            + " } "
            f'FILTER(STRSTARTS(STR(?g), "{literal}")) GRAPH ?g {{ ?s ?p ?o }} }}'
        )
        _request("POST", updates, update.encode(), "application/sparql-update", timeout=timeout)
        return []
    found = stale_uploads(target, query_endpoint, timeout, by_triples=by_triples)
    stale = [name for name in found if not set(name) & _NOT_IN_IRI]
    if stale:
        update = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in stale)
        _request("POST", updates, update.encode(), "application/sparql-update", timeout=timeout)
    return stale


def query_endpoint_for(store_endpoint: str) -> str | None:
    """Guess the SPARQL query endpoint beside a Graph Store endpoint (Oxigraph: /store -> /query)."""
    if is_virtuoso(store_endpoint):
        return _virtuoso_sparql(store_endpoint)
    if store_endpoint.rstrip("/").endswith("/store"):
        return store_endpoint.rstrip("/")[: -len("store")] + "query"
    return None


def _ground(graph: Graph) -> tuple[set[tuple[Any, Any, Any]], int]:
    """The triples of ``graph`` without blank nodes, and how many hold one."""
    ground = set()
    blank = 0
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            blank += 1
        else:
            ground.add(triple)
    return ground, blank


def differences(sent: Graph, stored: Graph) -> str | None:
    """Say how ``stored`` differs from ``sent`` (triples without blank nodes exactly, the rest by count), or None."""
    (want, want_blank), (got, got_blank) = _ground(sent), _ground(stored)
    if want == got and want_blank == got_blank:
        return None
    missing, extra = want - got, got - want
    said = f"the store holds {len(stored)} triples for the {len(sent)} sent"
    if missing:
        s, p, o = min(missing, key=str)
        said += (
            f"; {len(missing)} came back changed or not at all, such as {s.n3()} {p.n3()} {o.n3()}"
        )
        if extra:
            s, p, o = min(extra, key=str)
            said += f" (it holds {s.n3()} {p.n3()} {o.n3()})"
    return said


def _read(url: str, timeout: float) -> Graph:
    answer = _request("GET", url, accept="application/n-triples", timeout=timeout)
    return Graph().parse(data=answer.decode("utf-8"), format="nt")


def _move(temporary: str, target: str, updates: str, virtuoso: bool, timeout: float) -> None:
    """Replace ``target`` by ``temporary`` in one update, and drop ``temporary``."""
    if virtuoso:
        # One request is one Virtuoso transaction; the guard (one row while the temporary
        # graph holds a triple) keeps the target whole when it is gone, where Virtuoso's
        # MOVE would empty it. (FILTER EXISTS took minutes on 10,000 triples.)
        update = (
            f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ "
            f"{{ SELECT ?held WHERE {{ GRAPH <{temporary}> {{ ?held ?b ?c }} }} LIMIT 1 }} "
            f"GRAPH <{target}> {{ ?s ?p ?o }} }} ;\n"
            f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{temporary}> {{ ?s ?p ?o }} }} ;\n"
            f"DROP SILENT GRAPH <{temporary}>"
        )
    else:
        update = f"MOVE GRAPH <{temporary}> TO GRAPH <{target}>"
    _request("POST", updates, update.encode(), "application/sparql-update", timeout=timeout)


def _graph_url(endpoint: str, name: str) -> str:
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}graph={quote(name, safe='')}"


def push(
    graph: Graph,
    endpoint: str,
    target: str,
    update_endpoint: str | None = None,
    timeout: float = 60.0,
    payload: bytes | None = None,
    login: Login | None = None,
) -> Pushed:
    """Replace the named graph ``target`` in the store at ``endpoint`` with ``graph``, or change nothing.

    ``payload`` overrides the N-Triples sent (tests use it to simulate a broken upload).
    Temporary graphs that earlier, killed pushes to ``target`` left are dropped first.
    ``login`` answers a store that asks who is pushing.
    """
    check_graph_iri(target)
    virtuoso = is_virtuoso(endpoint)
    updates = update_endpoint or update_endpoint_for(endpoint)
    queries = query_endpoint_for(endpoint) if update_endpoint is None else None
    _OPENER[0] = _opener(login, [u for u in (endpoint, updates, queries) if u])
    try:
        return _push(graph, endpoint, target, updates, queries, virtuoso, timeout, payload)
    finally:
        _OPENER[0] = urllib.request.build_opener()


def _push(
    graph: Graph,
    endpoint: str,
    target: str,
    updates: str,
    queries: str | None,
    virtuoso: bool,
    timeout: float,
    payload: bytes | None,
) -> Pushed:
    remove_stale_uploads(target, updates, queries, timeout, by_triples=virtuoso)
    temporary = f"{target.rstrip('/')}-upload-{uuid.uuid4().hex}"
    temporary_url = _graph_url(endpoint, temporary)
    body = payload if payload is not None else graph.serialize(format="nt", encoding="utf-8")
    try:
        _request("PUT", temporary_url, body, "application/n-triples", timeout=timeout)
        echoed = _read(temporary_url, timeout)
        if len(echoed) != len(graph):
            raise PushError(
                f"the store holds {len(echoed)} of the {len(graph)} triples sent; the target graph was not touched."
            )
        changed = differences(graph, echoed)
        if changed:
            raise PushError(f"{changed}; the target graph was not touched.")
        _move(temporary, target, updates, virtuoso, timeout)
    except PushError:
        # The temporary graph may never have been made, or the store may be gone; the
        # target is untouched either way, so a failed clean-up is not a second error.
        with contextlib.suppress(PushError):
            _request("DELETE", temporary_url, timeout=timeout)
        raise
    if virtuoso:
        moved = differences(graph, _read(_graph_url(endpoint, target), timeout))
        if moved:
            raise PushError(
                f"after the move, <{target}> is not the graph sent ({moved}); its temporary "
                "graph was gone before the move, so another push to it may have run at the same time."
            )
    return Pushed(target, len(graph))
