"""The ontology checks itself (Brick style): header, declarations, labels, definitions, typing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

# SDO and XSD warn on unknown attribute lookups, which pytest's doctest collection makes on
# module globals: they are used through the module.
from cams_graph import namespaces as ns
from cams_graph.namespaces import CAMS, DCTERMS, FOAF, ODRL2, OWL, PROV, RDF, RDFS, SKOS
from cams_graph.ontology import ONTOLOGY_IRI

CAMS_NS = str(CAMS._NS)
TERMS = sorted(CAMS.__annotations__)
DECLARATION_KINDS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(ns.XSD))
BUILTIN_ANNOTATIONS = {
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.versionInfo,
    OWL.deprecated,
}
# The OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps), plus the two
# datatypes the ontology uses on purpose: xsd:date (the data's dates; HermiT runs with
# --ignoreUnsupportedDatatypes) and rdf:langString (RDF 1.1's language-tagged strings).
OWL2_DATATYPES = {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    OWL.real,
    OWL.rational,
    *(
        ns.XSD[name]
        for name in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    ),
}
DELIBERATE_DATATYPES = {ns.XSD.date, RDF.langString}


def term(name: str) -> URIRef:
    return URIRef(CAMS_NS + name)


def kinds(graph: Graph, node: Node) -> set[Node]:
    return set(graph.objects(node, RDF.type)) & set(DECLARATION_KINDS)


def literals(graph: Graph, subject: Node, predicate: URIRef, language: str) -> list[str]:
    return [
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == language
    ]


def named_classes_in(graph: Graph, node: Node) -> Iterator[URIRef]:
    """The named classes a class expression mentions (through unions, intersections)."""
    if isinstance(node, URIRef):
        yield node
        return
    for connective in (OWL.unionOf, OWL.intersectionOf):
        for head in graph.objects(node, connective):
            for member in Collection(graph, head):
                yield from named_classes_in(graph, member)


# -- the header ----------------------------------------------------------------


def test_exactly_one_ontology(onto: Graph) -> None:
    assert list(onto.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_ontology_header(onto: Graph) -> None:
    version = onto.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert isinstance(version, Literal)
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    for predicate in (DCTERMS.title, DCTERMS.description):
        for language in ("en", "zh"):
            assert len(literals(onto, ONTOLOGY_IRI, predicate, language)) == 1, (
                predicate,
                language,
            )
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://www.apache.org/licenses/LICENSE-2.0"
    )
    assert onto.value(ONTOLOGY_IRI, DCTERMS.creator) == Literal("The cams-graph developers")


def test_ontology_imports_nothing(onto: Graph) -> None:
    assert list(onto.objects(None, OWL.imports)) == []


# -- every term of namespaces.CAMS, and nothing more --------------------------------


def test_namespace_lists_terms() -> None:
    assert len(TERMS) > 100
    assert "Work" in TERMS and "_NS" not in TERMS


@pytest.mark.parametrize("name", TERMS)
def test_term_is_declared_once(onto: Graph, name: str) -> None:
    declared = kinds(onto, term(name))
    assert len(declared) == 1, f"cams:{name} declared as {sorted(declared) or 'nothing'}"


def test_no_other_cams_iri_in_the_ontology(onto: Graph) -> None:
    used = {
        str(node)
        for triple in onto
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(CAMS_NS)
    }
    unknown = sorted(iri[len(CAMS_NS) :] for iri in used if iri[len(CAMS_NS) :] not in TERMS)
    assert unknown == [], f"cams: IRIs in ontology/*.ttl that namespaces.CAMS lacks: {unknown}"


@pytest.mark.parametrize("name", TERMS)
def test_term_has_labels_and_definitions(onto: Graph, name: str) -> None:
    subject = term(name)
    for predicate in (RDFS.label, SKOS.definition):
        for language in ("en", "zh"):
            found = literals(onto, subject, predicate, language)
            assert len(found) == 1, f"cams:{name} has {len(found)} {predicate} @{language}"
            assert found[0].strip(), f"cams:{name}: empty {predicate} @{language}"


@pytest.mark.parametrize("name", TERMS)
def test_term_is_defined_by_the_ontology(onto: Graph, name: str) -> None:
    assert onto.value(term(name), RDFS.isDefinedBy) == ONTOLOGY_IRI


def test_properties_have_domain_and_range(onto: Graph) -> None:
    missing = [
        f"cams:{name} lacks {'domain' if p == RDFS.domain else 'range'}"
        for name in TERMS
        if kinds(onto, term(name)) & {OWL.ObjectProperty, OWL.DatatypeProperty}
        for p in (RDFS.domain, RDFS.range)
        if onto.value(term(name), p) is None
    ]
    assert missing == []


# -- OWL 2 DL: typing ---------------------------------------------------------------


def test_property_kinds_are_disjoint(onto: Graph) -> None:
    """An IRI is at most one of object, datatype and annotation property (no punning)."""
    punned = sorted(
        str(s)
        for s in set(onto.subjects(RDF.type, None))
        if len(set(onto.objects(s, RDF.type)) & set(PROPERTY_KINDS)) > 1
    )
    assert punned == []


def test_object_properties_have_iri_values(onto: Graph) -> None:
    object_properties = set(onto.subjects(RDF.type, OWL.ObjectProperty))
    wrong = [(s, p, o) for s, p, o in onto if p in object_properties and isinstance(o, Literal)]
    assert wrong == []


def test_datatype_properties_have_literal_values(onto: Graph) -> None:
    datatype_properties = set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    wrong = [
        (s, p, o) for s, p, o in onto if p in datatype_properties and not isinstance(o, Literal)
    ]
    assert wrong == []


def test_datatype_property_ranges_are_known_datatypes(onto: Graph) -> None:
    ranges = {
        o
        for s in onto.subjects(RDF.type, OWL.DatatypeProperty)
        for o in onto.objects(s, RDFS.range)
    }
    assert ranges <= OWL2_DATATYPES | DELIBERATE_DATATYPES, ranges - OWL2_DATATYPES


def test_every_predicate_is_declared(onto: Graph) -> None:
    undeclared = sorted(
        str(p)
        for p in set(onto.predicates())
        if not str(p).startswith(BUILTIN_NAMESPACES)
        and p not in BUILTIN_ANNOTATIONS
        and not kinds(onto, p) & set(PROPERTY_KINDS)
    )
    assert undeclared == []


def test_every_class_used_is_declared(onto: Graph) -> None:
    used: set[URIRef] = set()
    for predicate in (RDFS.subClassOf, OWL.disjointWith, OWL.equivalentClass, RDFS.domain):
        for o in onto.objects(None, predicate):
            used.update(named_classes_in(onto, o))
    for s, o in onto.subject_objects(RDFS.range):
        if (s, RDF.type, OWL.ObjectProperty) in onto:
            used.update(named_classes_in(onto, o))
    for head in onto.objects(None, OWL.members):
        used.update(c for c in Collection(onto, head) if isinstance(c, URIRef))
    for restriction in onto.subjects(RDF.type, OWL.Restriction):
        for predicate in (OWL.allValuesFrom, OWL.someValuesFrom):
            for o in onto.objects(restriction, predicate):
                used.update(named_classes_in(onto, o))
    for individual in onto.subjects(RDF.type, OWL.NamedIndividual):
        used.update(c for c in onto.objects(individual, RDF.type) if isinstance(c, URIRef))
    used -= {OWL.Thing, OWL.Nothing, OWL.NamedIndividual}
    undeclared = sorted(str(c) for c in used if (c, RDF.type, OWL.Class) not in onto)
    assert undeclared == []


def test_no_anonymous_declarations(onto: Graph) -> None:
    anonymous = [
        (s, o)
        for s, o in onto.subject_objects(RDF.type)
        if isinstance(s, BNode) and o in (*PROPERTY_KINDS, OWL.NamedIndividual)
    ]
    assert anonymous == []


# -- the shape of the model -----------------------------------------------------------

SUBCLASSES = [
    (CAMS.Transfer, CAMS.Agreement),
    (CAMS.Assignment, CAMS.Transfer),
    (CAMS.Succession, CAMS.Transfer),
    (CAMS.Licence, CAMS.Agreement),
    (CAMS.ExclusiveLicence, CAMS.Licence),
    (CAMS.SoleLicence, CAMS.Licence),
    (CAMS.NonExclusiveLicence, CAMS.Licence),
    (CAMS.Pledge, CAMS.Agreement),
    (CAMS.Termination, CAMS.Agreement),
    (CAMS.Person, CAMS.Party),
    (CAMS.Organization, CAMS.Party),
    (CAMS.MoralRight, CAMS.Right),
    (CAMS.EconomicRight, CAMS.Right),
    (CAMS.Right, SKOS.Concept),
    (CAMS.RightGroup, SKOS.Concept),
    (CAMS.WorkCategory, SKOS.Concept),
    (CAMS.Territory, SKOS.Concept),
    (CAMS.AuthorshipType, SKOS.Concept),
    (CAMS.DerivationType, SKOS.Concept),
    (CAMS.AssetClass, SKOS.Concept),
    (CAMS.ConflictCode, SKOS.Concept),
    (CAMS.Severity, SKOS.Concept),
    (CAMS.CreationEvent, CAMS.ChainEvent),
    (CAMS.AssignmentEvent, CAMS.ChainEvent),
    (CAMS.SuccessionEvent, CAMS.ChainEvent),
    (CAMS.ReversionEvent, CAMS.ChainEvent),
    # alignment
    (CAMS.Work, PROV.Entity),
    (CAMS.Work, ns.SDO.CreativeWork),
    (CAMS.Party, PROV.Agent),
    (CAMS.Party, FOAF.Agent),
    (CAMS.Person, PROV.Person),
    (CAMS.Person, FOAF.Person),
    (CAMS.Organization, PROV.Organization),
    (CAMS.Organization, FOAF.Organization),
    (CAMS.Agreement, PROV.Entity),
    (CAMS.Licence, ODRL2.Agreement),
    (CAMS.Batch, PROV.Bundle),
    (CAMS.Import, PROV.Activity),
    (CAMS.SourceFile, PROV.Entity),
]

SUBPROPERTIES = [
    (CAMS.name, FOAF.name),
    (CAMS.born, ns.SDO.birthDate),
    (CAMS.died, ns.SDO.deathDate),
    (CAMS.firstPublished, DCTERMS.issued),
    (CAMS.derivedFrom, PROV.wasDerivedFrom),
    (CAMS.author, PROV.wasAttributedTo),
    (CAMS.grantor, ODRL2.assigner),
    (CAMS.grantee, ODRL2.assignee),
]


@pytest.mark.parametrize(("sub", "sup"), SUBCLASSES, ids=lambda t: t.n3().split("/")[-1])
def test_subclass_axiom(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in onto


@pytest.mark.parametrize(("sub", "sup"), SUBPROPERTIES, ids=lambda t: t.n3().split("/")[-1])
def test_subproperty_axiom(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in onto


def all_disjoint_sets(graph: Graph) -> list[set[Node]]:
    return [
        set(Collection(graph, head))
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses)
        for head in graph.objects(node, OWL.members)
    ]


@pytest.mark.parametrize(
    "classes",
    [
        {
            CAMS.Assignment,
            CAMS.Succession,
            CAMS.ExclusiveLicence,
            CAMS.SoleLicence,
            CAMS.NonExclusiveLicence,
            CAMS.Pledge,
            CAMS.Termination,
        },
        {CAMS.Person, CAMS.Organization},
        {CAMS.MoralRight, CAMS.EconomicRight},
        {CAMS.Work, CAMS.Party, CAMS.Agreement, SKOS.Concept},
    ],
    ids=["agreement-types", "party-kinds", "right-kinds", "top-level"],
)
def test_classes_are_pairwise_disjoint(onto: Graph, classes: set[Node]) -> None:
    assert any(classes <= members for members in all_disjoint_sets(onto))


def test_agreements_are_prov_entities_not_activities(onto: Graph) -> None:
    """The PROV-O decision, and that it is argued where the class is defined."""
    assert (CAMS.Agreement, RDFS.subClassOf, PROV.Activity) not in onto
    assert (PROV.Entity, OWL.disjointWith, PROV.Activity) in onto
    comment = str(onto.value(CAMS.Agreement, RDFS.comment))
    assert "prov:Entity" in comment and "prov:Activity" in comment
