"""Fixtures of the ontology self-checks: the shipped ontology, parsed once per session."""

from __future__ import annotations

import pytest
from rdflib import Graph

from cams_graph.ontology import ontology_graph


@pytest.fixture(scope="session")
def onto() -> Graph:
    """Every ``ontology/*.ttl`` as one rdflib graph (read-only: do not modify it)."""
    return ontology_graph()
