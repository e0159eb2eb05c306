"""An RDF batch states facts about parties, works and agreements, nothing more: it cannot
declare vocabulary that the value checks trust, nor forge the title engine's results."""

from __future__ import annotations

from pathlib import Path

import pytest

from cams_graph import importer
from cams_graph.store import Store

PREFIXES = """@prefix cams: <https://w3id.org/cams-graph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
"""

FORGERIES = {
    "home-made category": "ex:novel a cams:WorkCategory ; cams:code 'novel' .",
    "forged conflict": "ex:c a cams:Conflict ; cams:message 'all is well'@en .",
    "forged holding": "ex:h cams:holder ex:me .",
    "ontology axiom": "ex:Thing rdfs:subClassOf cams:Work .",
    "concept redefined": "<https://w3id.org/cams-graph/right/reproduction> cams:code 'x' .",
}


@pytest.mark.parametrize("turtle", FORGERIES.values(), ids=FORGERIES.keys())
def test_reserved_terms_are_refused(store: Store, tmp_path: Path, turtle: str) -> None:
    path = tmp_path / "forged.ttl"
    path.write_text(PREFIXES + turtle + "\n", encoding="utf-8")
    before = store.graph_sizes()
    report = importer.import_paths(store, [path])
    assert any(p.rule == "reserved-term" for p in report.problems), report.problems
    assert report.batch_id is None
    assert store.graph_sizes() == before
