"""The triples a build writes: a plain set with the few lookups the build needs.

rdflib's in-memory store keeps three indexes per context and costs 50-80 µs an
``add``; at England scale that was most of a build (13.6 s of 19 s for 20 areas). The
build only ever adds triples and asks for a node's values, or a property's subjects,
so a set with two dictionaries does it in a few microseconds. What leaves the build
goes out as N-Triples text (`TripleSet.ntriples`) straight into pyoxigraph or a file;
an rdflib ``Graph`` is made only when a caller asks for one (`TripleSet.to_graph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class TripleSet:
    """A set of RDF triples (rdflib terms) indexed by subject and property, and by property and object."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._triples: set[Triple] = set()
        # Dictionaries used as ordered sets, so lookups answer in the order triples came.
        self._values: dict[tuple[Node, Node], dict[Node, None]] = {}
        self._subjects: dict[tuple[Node, Node], dict[Node, None]] = {}
        self._by_property: dict[Node, dict[tuple[Node, Node], None]] = {}
        self.update(triples)

    # -- adding ------------------------------------------------------------------------

    def add(self, triple: Triple) -> None:
        """Add one triple (a second copy of one already held is nothing new)."""
        if triple in self._triples:
            return
        self._triples.add(triple)
        s, p, o = triple
        self._values.setdefault((s, p), {})[o] = None
        self._subjects.setdefault((p, o), {})[s] = None
        self._by_property.setdefault(p, {})[(s, o)] = None

    def update(self, triples: Iterable[Triple]) -> None:
        """Add every triple of ``triples``."""
        add = self.add
        for triple in triples:
            add(triple)

    def __iadd__(self, triples: Iterable[Triple]) -> TripleSet:
        self.update(triples)
        return self

    def copy(self) -> TripleSet:
        """Return a new set holding the same triples."""
        return TripleSet(self._triples)

    # -- asking ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._triples)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples

    def __sub__(self, other: TripleSet | Iterable[Triple]) -> TripleSet:
        held = other._triples if isinstance(other, TripleSet) else set(other)
        return TripleSet(t for t in self._triples if t not in held)

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Each value of ``subject``'s ``predicate``."""
        return iter(list(self._values.get((subject, predicate), ())))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One value of ``subject``'s ``predicate`` (the first added), or None."""
        for found in self._values.get((subject, predicate), ()):
            return found
        return None

    def subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        """Each subject with ``predicate`` ``obj``."""
        return iter(list(self._subjects.get((predicate, obj), ())))

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        """Each (subject, object) pair joined by ``predicate``."""
        return iter(list(self._by_property.get(predicate, ())))

    # -- leaving -----------------------------------------------------------------------

    def ntriples(self) -> bytes:
        """Return the triples as N-Triples, UTF-8 (as rdflib's serializer writes them)."""
        text: dict[Node, str] = {}

        def term(node: Node) -> str:
            written = text.get(node)
            if written is None:
                written = text[node] = _nt_term(node)
            return written

        lines = [f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in self._triples]
        return "".join(lines).encode("utf-8")

    def to_graph(self, prefixes: Mapping[str, object] | None = None) -> Graph:
        """Return an rdflib Graph of the triples, with ``prefixes`` bound (for users of rdflib)."""
        graph = Graph()
        for prefix, namespace in (prefixes or {}).items():
            graph.bind(prefix, str(namespace))
        graph.addN((s, p, o, graph) for s, p, o in self._triples)
        return graph


def _nt_term(node: Node) -> str:
    """One term in N-Triples: rdflib's own rules (``rdflib.plugins.serializers.nt``)."""
    if isinstance(node, Literal):
        quoted = '"{}"'.format(
            node.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
        )
        if node.language:
            return f"{quoted}@{node.language}"
        if node.datatype:
            return f"{quoted}^^<{node.datatype}>"
        return quoted
    if isinstance(node, URIRef):
        return f"<{node}>"
    return node.n3()
