"""The shapes check themselves: names, labels, severities, messages, and what they may use."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.term import Node

from cams_graph.namespaces import CAMS, RDF, RDFS, SH
from cams_graph.ontology import ontology_graph
from cams_graph.shacl import SHAPES, SUPPORTED_COMPONENTS, Validator

SHAPES_ONTOLOGY = URIRef("https://w3id.org/cams-graph/shapes")

# The parameter that gives each supported constraint component away.
COMPONENT_OF = {
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.datatype: "Datatype",
    SH["class"]: "Class",
    SH.nodeKind: "NodeKind",
    SH["in"]: "In",
    SH.pattern: "Pattern",
    SH.minLength: "MinLength",
    SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals",
    SH.disjoint: "Disjoint",
    SH.hasValue: "HasValue",
    SH["not"]: "Not",
    SH["or"]: "Or",
    SH.sparql: "SPARQL",
}
# sh: predicates of a shape that are no constraint parameter.
STRUCTURE = {
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.path,
    SH.flags,
    SH.severity,
    SH.message,
}


def top_level_shapes(shapes: Graph) -> list[Node]:
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
    return sorted({s for p in targets for s in shapes.subjects(p, None)}, key=str)


def all_shapes(shapes: Graph) -> list[Node]:
    """Top-level shapes and the shapes inside sh:not and sh:or."""
    found = set(top_level_shapes(shapes))
    found |= set(shapes.objects(None, SH["not"]))
    for head in shapes.objects(None, SH["or"]):
        found |= set(shapes.items(head))
    return sorted(found, key=str)


def literals(shapes: Graph, node: Node, predicate: URIRef) -> dict[str | None, list[str]]:
    by_language: dict[str | None, list[str]] = {}
    for value in shapes.objects(node, predicate):
        by_language.setdefault(getattr(value, "language", None), []).append(str(value))
    return by_language


def sparql_texts(shapes: Graph) -> list[str]:
    return [str(text) for text in shapes.objects(None, SH.select)]


def test_there_are_shapes(shapes: Graph) -> None:
    assert len(top_level_shapes(shapes)) >= 40


def test_every_shape_is_named_labelled_and_typed(shapes: Graph) -> None:
    for shape in top_level_shapes(shapes):
        assert isinstance(shape, URIRef) and shape.startswith(str(SHAPES)), shape
        labels = literals(shapes, shape, RDFS.label)
        assert len(labels.get("en", [])) == 1 and len(labels.get("zh", [])) == 1, shape
        kind = SH.PropertyShape if (shape, SH.path, None) in shapes else SH.NodeShape
        assert (shape, RDF.type, kind) in shapes, f"{shape} should be typed {kind}"


def test_every_shape_has_a_severity(shapes: Graph) -> None:
    for shape in top_level_shapes(shapes):
        severities = list(shapes.objects(shape, SH.severity))
        assert severities in ([SH.Violation], [SH.Warning]), shape


def test_every_shape_has_one_message_in_english_and_chinese(shapes: Graph) -> None:
    for shape in top_level_shapes(shapes):
        messages = literals(shapes, shape, SH.message)
        assert sorted(messages) == ["en", "zh"], f"{shape}: {messages}"
        (english,), (chinese,) = messages["en"], messages["zh"]
        assert english.endswith(".") and english.count(". ") == 0, f"{shape}: one sentence"
        assert chinese.endswith("。") and chinese.count("。") == 1, f"{shape}: one sentence"
        assert "{" not in english + chinese, f"{shape}: no message templates"


def test_every_shape_says_where_its_rule_comes_from(shapes: Graph) -> None:
    for shape in top_level_shapes(shapes):
        comments = literals(shapes, shape, RDFS.comment).get("en", [])
        assert len(comments) == 1, shape
        if shapes.value(shape, SH.severity) == SH.Violation:
            assert re.search(r"ledger\.md|rdf-form\.md", comments[0]), shape
        else:
            assert comments[0].startswith("Register management"), shape


def test_only_supported_constraint_components_are_used(shapes: Graph) -> None:
    used = set()
    for shape in all_shapes(shapes):
        for predicate in set(shapes.predicates(shape, None)):
            if not predicate.startswith(str(SH)) or predicate in STRUCTURE:
                continue
            assert predicate in COMPONENT_OF, f"{shape} uses {predicate}"
            used.add(str(SH[COMPONENT_OF[predicate] + "ConstraintComponent"]))
    assert used <= SUPPORTED_COMPONENTS
    compiled = {constraint for _, constraint, _ in Validator(shapes).queries}
    assert compiled <= used  # shapes inside sh:not and sh:or compile into their parent


def test_paths_are_single_properties(shapes: Graph) -> None:
    for shape, path in shapes.subject_objects(SH.path):
        assert isinstance(path, URIRef), f"{shape}: sh:path must be one property"


def test_nested_shapes_are_blank_and_simple(shapes: Graph) -> None:
    nested = set(all_shapes(shapes)) - set(top_level_shapes(shapes))
    for shape in nested:
        for predicate in shapes.predicates(shape, None):
            assert predicate in COMPONENT_OF and predicate not in (SH.sparql, SH.minCount), shape


def test_sparql_constraints_declare_their_prefixes(shapes: Graph) -> None:
    declared = {
        str(shapes.value(d, SH.prefix)) for d in shapes.objects(SHAPES_ONTOLOGY, SH.declare)
    }
    for constraint in shapes.objects(None, SH.sparql):
        assert list(shapes.objects(constraint, SH.prefixes)) == [SHAPES_ONTOLOGY]
        text = str(shapes.value(constraint, SH.select))
        assert "$this" in text
        used = set(re.findall(r"\b([a-z]+):\w", text))
        assert used <= declared, f"undeclared prefixes {used - declared}"


def test_only_declared_cams_terms_are_used(shapes: Graph) -> None:
    namespace = str(CAMS._NS)
    used = {
        str(t)[len(namespace) :]
        for triple in shapes
        for t in triple
        if isinstance(t, URIRef) and t.startswith(namespace)
    }
    for text in sparql_texts(shapes):
        used |= set(re.findall(r"\bcams:(\w+)", text))
    assert used, "the shapes name no cams: term at all"
    assert sorted(local for local in used if local not in CAMS) == []


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/cams-graph/territory/WORLD",
        "https://w3id.org/cams-graph/asset-class/core",
    ],
)
def test_vocabulary_terms_named_by_shapes_exist(iri: str) -> None:
    assert (URIRef(iri), RDF.type, None) in ontology_graph()
