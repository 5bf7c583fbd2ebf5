"""Network analysis with networkx: who sits on oversight paths, single points of failure, islands.

The projection keeps literals (labels, kinds, statuses) as node attributes, never as
nodes: a status projected as a node would become the best-connected "hub" and drown
everything real.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from sendgraph.ask.questions import Questions, natural_key, query_text


def project(questions: Questions) -> nx.Graph:
    """Return an undirected networkx graph of actions, findings, plans, reviews, boards, people and organisations."""
    graph = nx.Graph()
    for row in questions.store.select(query_text("projection")):
        for end in ("source", "target"):
            graph.add_node(str(row[end]), kind=row[f"{end}_kind"], label=row[f"{end}_label"])
        graph.add_edge(str(row["source"]), str(row["target"]), relation=row["relation"])
    return graph


def _kind_nodes(graph: nx.Graph, kind: str) -> list[str]:
    return [n for n, data in graph.nodes(data=True) if data["kind"] == kind]


def _reaches_a_board(graph: nx.Graph) -> set[str]:
    boards = _kind_nodes(graph, "board")
    reached: set[str] = set()
    for component in nx.connected_components(graph):
        if any(b in component for b in boards):
            reached |= component
    return reached


def analyse(questions: Questions, top: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Return the boards and people on the most paths, the single points of failure, and the islands.

    * ``central``: boards and people ranked by how many action-to-board paths run through them
      (betweenness centrality over those paths);
    * ``single_points``: people whose removal leaves some action with no path to any board;
    * ``islands``: actions with no path to any board at all.
    """
    graph = project(questions)
    # Oversight runs from actions up to boards; an organisation is membership, not a path.
    oversight = graph.subgraph(n for n in graph if graph.nodes[n]["kind"] != "organisation")
    betweenness = nx.betweenness_centrality_subset(
        oversight,
        sources=_kind_nodes(graph, "action"),
        targets=_kind_nodes(graph, "board"),
        normalized=True,
    )
    central = sorted(
        (
            n
            for n in oversight
            if graph.nodes[n]["kind"] in ("board", "person") and betweenness[n] > 0
        ),
        key=lambda n: (-betweenness[n], graph.nodes[n]["label"]),
    )[:top]
    connected = _reaches_a_board(graph)
    actions = _kind_nodes(graph, "action")
    single_points = []
    for person in _kind_nodes(graph, "person"):
        without = graph.copy()
        without.remove_node(person)
        cut = [a for a in actions if a in connected and a not in _reaches_a_board(without)]
        if cut:
            single_points.append(
                {
                    "name": graph.nodes[person]["label"],
                    "cuts_off": sorted((graph.nodes[a]["label"] for a in cut), key=natural_key),
                }
            )
    islands = sorted(
        (graph.nodes[a]["label"] for a in actions if a not in connected), key=natural_key
    )
    return {
        "central": [
            {
                "label" if graph.nodes[n]["kind"] == "board" else "name": graph.nodes[n]["label"],
                "kind": graph.nodes[n]["kind"],
                "betweenness": round(betweenness[n], 4),
            }
            for n in central
        ],
        "single_points": single_points,
        "islands": [{"ref": ref} for ref in islands],
    }
