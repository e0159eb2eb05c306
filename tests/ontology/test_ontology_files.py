"""Ontology files parse alike in rdflib and Oxigraph; shapes and queries use declared terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Graph, Literal, URIRef

from cams_graph.namespaces import CAMS, OWL, RDF, SH
from cams_graph.resources import data_dir, ontology_files, shape_files

CAMS_NS = str(CAMS._NS)
ONTOLOGY_FILES = ontology_files()
USER_FILES = shape_files() + sorted(data_dir("queries").glob("*.rq"))
SPARQL_IN_SHAPES = (SH.select, SH.ask, SH.construct, SH.update)


def file_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_ontology_files_found() -> None:
    names = {p.name for p in ONTOLOGY_FILES}
    assert {"cams.ttl", "rights.ttl", "vocabularies.ttl", "territories.ttl"} <= names


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=file_id)
def test_parses_with_rdflib_and_pyoxigraph_alike(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    triples = [quad.triple for quad in parse(path=path, format=RdfFormat.TURTLE)]
    assert len(triples) == len(graph) > 0
    ground_rdflib = {
        (str(s), str(p), str(o))
        for s, p, o in graph
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    }
    ground_oxigraph = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in triples
        if isinstance(t.subject, NamedNode) and isinstance(t.object, NamedNode)
    }
    assert ground_rdflib == ground_oxigraph


# -- other people's files: shapes and queries use only what the ontology declares ----------


def declared_terms(onto: Graph) -> set[str]:
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
    )
    return {
        str(s)[len(CAMS_NS) :]
        for kind in kinds
        for s in onto.subjects(RDF.type, kind)
        if str(s).startswith(CAMS_NS)
    }


_IRI = re.compile(r"<([^<>\s]*)>")
_PREFIXED = re.compile(r"(?<![\w:.-])cams:([A-Za-z_][\w-]*(?:\.[\w-]+)*)")


def sparql_cams_terms(text: str) -> set[str]:
    """The cams: local names a SPARQL text uses, as full IRIs or with the cams: prefix."""
    names = {m[len(CAMS_NS) :] for m in _IRI.findall(text) if m.startswith(CAMS_NS)} - {""}
    without_iris = _IRI.sub(" ", text)
    without_comments = "\n".join(re.sub(r"#.*", "", line) for line in without_iris.splitlines())
    return names | set(_PREFIXED.findall(without_comments))


def test_sparql_scanner() -> None:
    text = (
        "PREFIX cams: <https://w3id.org/cams-graph/ontology#>\n"
        "# cams:Commented is ignored\n"
        "SELECT * { ?w a cams:Work ; <https://w3id.org/cams-graph/ontology#category> ?c . }"
    )
    assert sparql_cams_terms(text) == {"Work", "category"}


def used_cams_terms(path: Path) -> set[str]:
    if path.suffix == ".rq":
        return sparql_cams_terms(path.read_text(encoding="utf-8"))
    graph = Graph().parse(path, format="turtle")
    names = {
        str(node)[len(CAMS_NS) :]
        for triple in graph
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(CAMS_NS)
    }
    for predicate in SPARQL_IN_SHAPES:
        for text in graph.objects(None, predicate):
            if isinstance(text, Literal):
                names |= sparql_cams_terms(str(text))
    return names


def test_shapes_or_queries_found() -> None:
    assert USER_FILES, "no shapes/*.ttl nor queries/*.rq found"


@pytest.mark.parametrize("path", USER_FILES, ids=file_id)
def test_uses_only_declared_cams_terms(onto: Graph, path: Path) -> None:
    undeclared = sorted(used_cams_terms(path) - declared_terms(onto))
    assert undeclared == [], f"{file_id(path)} uses cams: terms the ontology lacks: {undeclared}"
