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
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class TripleSet:
    """A set of RDF triples (rdflib terms), and lookups by subject and property, or property and object.

    ``base`` is a set shared read-only beneath this one (the ontology, under every area's
    build): lookups, ``len`` and iteration see both, a triple ``base`` holds is never
    added again, and `own` is what was added here. The lookup indexes are made on the
    first lookup, since the writer that fills a set seldom looks anything up.
    """

    def __init__(self, triples: Iterable[Triple] = (), *, base: TripleSet | None = None) -> None:
        self.base = base
        self._triples: set[Triple] = set()
        self._indexed = False
        # Dictionaries used as ordered sets, so lookups answer in the order triples came.
        self._values: dict[tuple[Node, Node], dict[Node, None]] = {}
        self._subjects: dict[tuple[Node, Node], dict[Node, None]] = {}
        self._by_property: dict[Node, dict[tuple[Node, Node], None]] = {}
        self.update(triples)

    # -- adding ------------------------------------------------------------------------

    def add(self, triple: Triple) -> None:
        """Add one triple (one already held, here or in ``base``, is nothing new)."""
        if triple in self._triples or (self.base is not None and triple in self.base):
            return
        self._triples.add(triple)
        if self._indexed:
            self._index(triple)

    def _index(self, triple: Triple) -> None:
        s, p, o = triple
        self._values.setdefault((s, p), {})[o] = None
        self._subjects.setdefault((p, o), {})[s] = None
        self._by_property.setdefault(p, {})[(s, o)] = None

    def _ready(self) -> None:
        if not self._indexed:
            self._indexed = True
            for triple in self._triples:
                self._index(triple)

    def update(self, triples: Iterable[Triple]) -> None:
        """Add every triple of ``triples``."""
        add = self.add
        for triple in triples:
            add(triple)

    # -- asking ------------------------------------------------------------------------

    def own(self) -> Iterator[Triple]:
        """The triples added to this set, not those of its ``base``."""
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples) + (len(self.base) if self.base is not None else 0)

    def __iter__(self) -> Iterator[Triple]:
        if self.base is not None:
            yield from self.base
        yield from self._triples

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples or (self.base is not None and triple in self.base)

    def _found(self, index: str, key: object) -> list[Any]:
        self._ready()
        found = list(getattr(self, index).get(key, ()))
        if self.base is not None:
            found = self.base._found(index, key) + found
        return found

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Each value of ``subject``'s ``predicate``."""
        return iter(self._found("_values", (subject, predicate)))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One value of ``subject``'s ``predicate`` (the first added), or None."""
        return next(self.objects(subject, predicate), None)

    def subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        """Each subject with ``predicate`` ``obj``."""
        return iter(self._found("_subjects", (predicate, obj)))

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        """Each (subject, object) pair joined by ``predicate``."""
        return iter(self._found("_by_property", predicate))

    # -- leaving -----------------------------------------------------------------------

    def ntriples(self, *, own: bool = False) -> bytes:
        """Return the triples (only those added here, with ``own``) as N-Triples, UTF-8, as rdflib writes them."""
        text: dict[Node, str] = {}

        def term(node: Node) -> str:
            written = text.get(node)
            if written is None:
                written = text[node] = _nt_term(node)
            return written

        triples = self.own() if own else iter(self)
        return "".join([f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples]).encode()

    def to_graph(self, prefixes: Mapping[str, object] | None = None) -> Graph:
        """Return an rdflib Graph of the triples, with ``prefixes`` bound (for users of rdflib)."""
        graph = Graph()
        for prefix, namespace in (prefixes or {}).items():
            graph.bind(prefix, str(namespace))
        graph.addN((s, p, o, graph) for s, p, o in self)
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
