"""Shared fixtures: the graph built once from the bundled Rotherham data, scratch copies of it,
the browser and a running endpoint."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from rdflib import Graph, URIRef

from sendgraph.graph.build import Build, build_graph, default_data_folder
from sendgraph.graph.cache import CACHE_ENV
from sendgraph.graph.vocab import Minter
from tests.browser import launched
from tests.server import executable, free_port, running

MINT = Minter("rotherham")

# Every command the tests run, in this process or in another, keeps its store in a cache
# folder of this run's own: never the user's, never one an earlier run left.
CACHE = Path(tempfile.mkdtemp(prefix="sendgraph-test-cache-"))
os.environ[CACHE_ENV] = str(CACHE)


def pytest_sessionfinish() -> None:
    """Remove this run's cache folder."""
    shutil.rmtree(CACHE, ignore_errors=True)


# Property tests run the same examples on every machine, so that a failure in CI is a
# failure on a laptop too. "ci" does not shrink: a data folder is built per example, and
# shrinking one failure takes minutes; the printed blob (@reproduce_failure) replays it,
# and `--hypothesis-profile=deep` searches much further and shrinks what it finds.
# No example database, so that test runs leave no .hypothesis folder behind.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=50,
    print_blob=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile("deep", deadline=None, max_examples=2000, print_blob=True, database=None)
settings.load_profile("ci")

SOURCES = default_data_folder() / "sources"


@pytest.fixture(scope="session")
def rotherham() -> Build:
    """The build of the bundled data, shared by every test that only reads it."""
    return build_graph()


@pytest.fixture(scope="session")
def graph(rotherham: Build) -> Graph:
    """The Rotherham graph."""
    return rotherham.graph


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled data folder, named ``data`` like the original."""
    target = tmp_path / "data"
    shutil.copytree(default_data_folder(), target)
    return target


@pytest.fixture(scope="session")
def iri() -> Callable[..., URIRef]:
    """Mint Rotherham IRIs the way the graph does: ``iri("action", "pr-14")``."""
    return MINT


def select(graph: Graph, query: str, **bindings: object) -> list[tuple[object, ...]]:
    """Run a SELECT with the sendgraph prefixes and return its rows as tuples of Python values."""
    prefixes = """
        PREFIX sg: <https://w3id.org/sendgraph/ontology#>
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    """
    result = graph.query(prefixes + query, initBindings=bindings)  # type: ignore[arg-type]
    return [tuple(term.toPython() if term is not None else None for term in row) for row in result]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, launched once for a module's browser tests (see `tests.browser`)."""
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """`sendgraph serve` of the bundled data on a free loopback port, stopped by its PID after the module; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with running([executable("sendgraph"), "serve", "--port", str(port)], base):
        yield base


# The inner loop: `pytest -m "not slow"` leaves out these modules, which start servers and
# browsers, kill processes or generate many examples; CI and the README's command run all.
SLOW_MODULES = {
    "test_faults", "test_fuzz", "test_properties", "test_serve_faults", "test_query_network",
    "test_linear_readers", "test_view_browser", "test_report_browser", "test_query_page_browser",
    "test_serve_browser", "test_csp", "test_push", "test_push_virtuoso", "test_serve_access",
    "test_cache_faults", "test_serve_iris", "test_serve_iris_browser",
}  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a slow module `slow`."""
    for item in items:
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
