"""Standard SPARQL clients work unchanged: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from tests.api.live import ADMIN_TOKEN, LiveServer

TITLES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX cams: <https://w3id.org/cams-graph/ontology#>
SELECT ?key ?title WHERE { ?w a cams:Work ; dcterms:identifier ?key ; dcterms:title ?title }
ORDER BY ?key"""


def test_sparqlwrapper(live: LiveServer) -> None:
    sparql = SPARQLWrapper(live.url + "/sparql")
    sparql.setQuery(TITLES)
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    assert [r["key"]["value"] for r in rows][:2] == ["W-FILM", "W-NOVEL"]
    sparql.setReturnFormat(XML)
    assert len(sparql.query().convert().getElementsByTagName("result")) == 8  # type: ignore[union-attr]
    sparql.setReturnFormat(CSV)
    assert sparql.query().convert().decode().count("\n") == 9  # type: ignore[union-attr]
    sparql.setMethod("POST")
    sparql.setReturnFormat(JSON)
    sparql.setQuery("ASK { ?w a <https://w3id.org/cams-graph/ontology#Work> }")
    assert sparql.query().convert()["boolean"] is True  # type: ignore[index,call-overload]
    sparql.setQuery("CONSTRUCT { ?w ?p ?o } WHERE { ?w a cams:Work ; ?p ?o } LIMIT 5")
    sparql.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=sparql.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 5


def test_sparqlwrapper_errors(live: LiveServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sparql = SPARQLWrapper(live.url + "/sparql")
    sparql.setQuery("SELECT * WHERE { ?s ?p }")
    try:
        sparql.query()
    except QueryBadFormed as err:
        assert "expected" in str(err)
    else:  # pragma: no cover
        raise AssertionError("a bad query was accepted")


def test_rdflib_sparqlstore(live: LiveServer) -> None:
    store = SPARQLStore(live.url + "/sparql")
    graph = rdflib.ConjunctiveGraph(store)
    rows = list(graph.query(TITLES))
    assert str(rows[0][0]) == "W-FILM" and len(rows) == 8
    work = rdflib.URIRef("https://w3id.org/cams-graph/id/work/W-SONG")
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    assert str(graph.value(work, title)) == "Harbour Lights"
    ask = graph.query("ASK { ?s ?p ?o }")
    assert ask.askAnswer is True


def test_rdflib_update_store_with_the_admin_token(live: LiveServer) -> None:
    store = SPARQLUpdateStore(
        live.url + "/sparql",
        live.url + "/sparql",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    graph = rdflib.Graph(store, identifier=rdflib.URIRef("urn:test:client-graph"))
    graph.add((rdflib.URIRef("urn:s"), rdflib.URIRef("urn:p"), rdflib.Literal("via rdflib")))
    found = list(
        SPARQLStore(live.url + "/sparql").query(
            "SELECT ?o WHERE { GRAPH <urn:test:client-graph> { <urn:s> <urn:p> ?o } }"
        )
    )
    assert [str(r[0]) for r in found] == ["via rdflib"]
