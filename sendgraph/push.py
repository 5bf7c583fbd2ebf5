"""Push the graph to a triple store over the SPARQL 1.1 Graph Store Protocol, all or nothing.

The graph is uploaded to a temporary named graph first, counted back, and only then moved
over the target graph with one SPARQL Update (MOVE), which stores apply atomically. A push
that fails at any step leaves the target graph as it was and removes the temporary one.
"""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Graph

from sendgraph.problems import SendgraphError


class PushError(SendgraphError):
    """A push that did not complete; the target graph is unchanged."""

    exit_code = 1


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
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        detail = " ".join(error.read().decode("utf-8", errors="replace").split())[:300]
        raise PushError(
            f"{method} {url} was answered {error.code} {error.reason}: {detail or 'no detail'}"
        ) from None
    except urllib.error.URLError as error:
        raise PushError(f"cannot reach {url}: {error.reason}.") from None
    except TimeoutError:
        raise PushError(f"{url} did not answer within {timeout:g} s.") from None


def update_endpoint_for(store_endpoint: str) -> str:
    """Guess the SPARQL Update endpoint beside a Graph Store endpoint (Oxigraph: /store -> /update)."""
    if store_endpoint.rstrip("/").endswith("/store"):
        return store_endpoint.rstrip("/")[: -len("store")] + "update"
    raise PushError(
        f"cannot tell the update endpoint of {store_endpoint}; give it with --update-endpoint."
    )


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
    """
    updates = update_endpoint or update_endpoint_for(endpoint)
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
            f"MOVE SILENT GRAPH <{temporary}> TO GRAPH <{target}>".encode(),
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
