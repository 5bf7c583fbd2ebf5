"""Where the bundled ontology, shapes and Rotherham data are."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def _bundled(name: str) -> Traversable:
    return resources.files("sendgraph").joinpath("resources", name)


def ontology_file() -> Traversable:
    """Return the OWL ontology (``ontology/sendgraph.ttl``)."""
    return _bundled("ontology").joinpath("sendgraph.ttl")


def framework_file() -> Traversable:
    """Return the inspection framework and theme scheme (``ontology/framework.ttl``)."""
    return _bundled("ontology").joinpath("framework.ttl")


def theme_rules_file() -> Traversable:
    """Return the bundled theme tagging rules (``sendgraph/tagging/theme-rules.csv``)."""
    return resources.files("sendgraph").joinpath("tagging", "theme-rules.csv")


def shapes_file() -> Traversable:
    """Return the SHACL shapes (``ontology/shapes.ttl``)."""
    return _bundled("ontology").joinpath("shapes.ttl")


def bundled_data() -> Traversable:
    """Return the folder of bundled Rotherham data files."""
    return _bundled("data")


def owner_words_file() -> Traversable:
    """Return the title and sector words owner cells are read by (``sendgraph/tagging/owner-words.csv``)."""
    return resources.files("sendgraph").joinpath("tagging", "owner-words.csv")
