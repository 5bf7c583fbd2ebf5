"""Push the graph to a triple store over the SPARQL 1.1 Graph Store Protocol, all or nothing.

The graph is uploaded to a temporary named graph first, counted back, and only then moved
over the target graph with one SPARQL Update (MOVE), which stores apply atomically. A push
that fails at any step leaves the target graph as it was and removes the temporary one.

A push whose own process was killed cannot remove its temporary graph; the next push to
the same target does (every ``<target>-upload-...`` graph). The MOVE is not SILENT: a
store answers MOVE SILENT from a graph that no longer exists by emptying the target, and
a temporary graph removed under a push (by such a clean-up) must fail it instead.
"""

from __future__ import annotations

import contextlib
import http.client
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Graph

from sendgraph.base.errors import PushError


@dataclass(frozen=True)
class Pushed:
    """What a successful push did."""

    graph: str
    triples: int


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
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        detail = " ".join(error.read().decode("utf-8", errors="replace").split())[:300]
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


def update_endpoint_for(store_endpoint: str) -> str:
    """Guess the SPARQL Update endpoint beside a Graph Store endpoint (Oxigraph: /store -> /update)."""
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


def stale_uploads(target: str, query_endpoint: str, timeout: float = 60.0) -> list[str]:
    """Return the temporary graphs of earlier pushes to ``target`` that are still in the store."""
    prefix = f"{target.rstrip('/')}-upload-"
    query = (
        'SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), "'
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
    target: str, updates: str, query_endpoint: str | None, timeout: float = 60.0
) -> list[str]:
    """Drop the temporary graphs that killed pushes to ``target`` left; return their names.

    With a query endpoint each is dropped by name; without one, their triples are deleted
    by one update that matches their names (the store may then list them, empty).
    """
    prefix = f"{target.rstrip('/')}-upload-"
    if query_endpoint is None:
        literal = prefix.replace("\\", "\\\\").replace('"', '\\"')
        update = (
            "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { } "
            f'FILTER(STRSTARTS(STR(?g), "{literal}")) GRAPH ?g {{ ?s ?p ?o }} }}'
        )
        _request("POST", updates, update.encode(), "application/sparql-update", timeout=timeout)
        return []
    stale = [name for name in stale_uploads(target, query_endpoint, timeout) if not set(name) & _NOT_IN_IRI]  # fmt: skip
    if stale:
        update = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in stale)
        _request("POST", updates, update.encode(), "application/sparql-update", timeout=timeout)
    return stale


def query_endpoint_for(store_endpoint: str) -> str | None:
    """Guess the SPARQL query endpoint beside a Graph Store endpoint (Oxigraph: /store -> /query)."""
    if store_endpoint.rstrip("/").endswith("/store"):
        return store_endpoint.rstrip("/")[: -len("store")] + "query"
    return None


def push(
    graph: Graph,
    endpoint: str,
    target: str,
    update_endpoint: str | None = None,
    timeout: float = 60.0,
    payload: bytes | None = None,
) -> Pushed:
    """Replace the named graph ``target`` in the store at ``endpoint`` with ``graph``, or change nothing.

    ``payload`` overrides the N-Triples sent (tests use it to simulate a broken upload).
    Temporary graphs that earlier, killed pushes to ``target`` left are dropped first.
    """
    check_graph_iri(target)
    updates = update_endpoint or update_endpoint_for(endpoint)
    queries = query_endpoint_for(endpoint) if update_endpoint is None else None
    remove_stale_uploads(target, updates, queries, timeout)
    temporary = f"{target.rstrip('/')}-upload-{uuid.uuid4().hex}"
    separator = "&" if "?" in endpoint else "?"
    temporary_url = f"{endpoint}{separator}graph={quote(temporary, safe='')}"
    body = payload if payload is not None else graph.serialize(format="nt", encoding="utf-8")
    try:
        _request("PUT", temporary_url, body, "application/n-triples", timeout=timeout)
        echoed = Graph().parse(
            data=_request(
                "GET", temporary_url, accept="application/n-triples", timeout=timeout
            ).decode("utf-8"),
            format="nt",
        )
        if len(echoed) != len(graph):
            raise PushError(
                f"the store holds {len(echoed)} of the {len(graph)} triples sent; the target graph was not touched."
            )
        _request(
            "POST",
            updates,
            f"MOVE GRAPH <{temporary}> TO GRAPH <{target}>".encode(),
            "application/sparql-update",
            timeout=timeout,
        )
    except PushError:
        # The temporary graph may never have been made, or the store may be gone; the
        # target is untouched either way, so a failed clean-up is not a second error.
        with contextlib.suppress(PushError):
            _request("DELETE", temporary_url, timeout=timeout)
        raise
    return Pushed(target, len(graph))
