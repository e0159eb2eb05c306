"""The SKOS vocabularies: every concept complete, and the Python tables equal to the Turtle."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from cams_graph import vocabularies
from cams_graph.namespaces import (
    ASSET_CLASS,
    AUTHORSHIP,
    CAMS,
    CATEGORY,
    CONFLICT,
    DERIVATION,
    RDF,
    RDFS,
    RIGHT,
    SEVERITY,
    SKOS,
    TERRITORY,
)

# scheme → (the class of its concepts, the namespace of their IRIs, how many there are)
SCHEMES: dict[URIRef, tuple[tuple[URIRef, ...], Namespace, int]] = {
    CAMS.RightScheme: ((CAMS.MoralRight, CAMS.EconomicRight, CAMS.RightGroup), RIGHT, 17 + 3),
    CAMS.WorkCategoryScheme: ((CAMS.WorkCategory,), CATEGORY, 15),
    CAMS.TerritoryScheme: ((CAMS.Territory,), TERRITORY, 249 + 1),
    CAMS.AuthorshipScheme: ((CAMS.AuthorshipType,), AUTHORSHIP, 4),
    CAMS.DerivationScheme: ((CAMS.DerivationType,), DERIVATION, 5),
    CAMS.AssetClassScheme: ((CAMS.AssetClass,), ASSET_CLASS, 2),
    CAMS.ConflictCodeScheme: ((CAMS.ConflictCode,), CONFLICT, 12),
    CAMS.SeverityScheme: ((CAMS.Severity,), SEVERITY, 2),
}


def scheme_id(scheme: URIRef) -> str:
    return scheme.split("#")[-1]


def concept_classes(graph: Graph) -> set[Node]:
    return set(graph.transitive_subjects(RDFS.subClassOf, SKOS.Concept)) - {SKOS.Concept}


def concepts(graph: Graph, scheme: URIRef) -> set[Node]:
    return set(graph.subjects(SKOS.inScheme, scheme))


def codes(graph: Graph, cls: URIRef) -> set[str]:
    return {str(graph.value(c, CAMS.code)) for c in graph.subjects(RDF.type, cls)}


def test_schemes_are_the_cams_schemes(onto: Graph) -> None:
    assert set(onto.subjects(RDF.type, SKOS.ConceptScheme)) == set(SCHEMES)


def test_every_concept_is_in_its_scheme(onto: Graph) -> None:
    expected = {cls: scheme for scheme, (classes, _, _) in SCHEMES.items() for cls in classes}
    assert set(expected) == concept_classes(onto) - {CAMS.Right}
    wrong = [
        (str(c), [str(s) for s in onto.objects(c, SKOS.inScheme)])
        for cls, scheme in expected.items()
        for c in onto.subjects(RDF.type, cls)
        if list(onto.objects(c, SKOS.inScheme)) != [scheme]
    ]
    assert wrong == []


@pytest.mark.parametrize("scheme", list(SCHEMES), ids=scheme_id)
def test_concepts_are_complete(onto: Graph, scheme: URIRef) -> None:
    classes, namespace, count = SCHEMES[scheme]
    members = concepts(onto, scheme)
    assert len(members) == count
    problems: list[str] = []
    for concept in sorted(members):
        for predicate in (SKOS.prefLabel, SKOS.definition):
            for language in ("en", "zh"):
                values = [
                    o
                    for o in onto.objects(concept, predicate)
                    if isinstance(o, Literal) and o.language == language
                ]
                if len(values) != 1 or not str(values[0]).strip():
                    problems.append(f"{concept}: {len(values)} {predicate} @{language}")
        notation = list(onto.objects(concept, SKOS.notation))
        code = list(onto.objects(concept, CAMS.code))
        if len(notation) != 1 or notation != code:
            problems.append(f"{concept}: notation {notation} and code {code} differ")
        elif str(concept) != str(namespace) + str(code[0]):
            problems.append(f"{concept}: IRI is not {namespace}{code[0]}")
        if code and (code[0].datatype is not None or code[0].language is not None):
            problems.append(f"{concept}: cams:code is not a plain string")
        if not set(onto.objects(concept, RDF.type)) & set(classes):
            problems.append(f"{concept}: not typed with one of {classes}")
    assert problems == []


# -- the Python tables equal the Turtle ---------------------------------------------


def test_right_tables(onto: Graph) -> None:
    assert len(vocabularies.RIGHT_CODES) == len(set(vocabularies.RIGHT_CODES)) == 17
    assert vocabularies.RIGHT_CODES == vocabularies.MORAL_RIGHTS + vocabularies.ECONOMIC_RIGHTS
    assert codes(onto, CAMS.MoralRight) == set(vocabularies.MORAL_RIGHTS)
    assert codes(onto, CAMS.EconomicRight) == set(vocabularies.ECONOMIC_RIGHTS)


def test_right_groups(onto: Graph) -> None:
    assert codes(onto, CAMS.RightGroup) == set(vocabularies.RIGHT_GROUPS)
    for group, members in vocabularies.RIGHT_GROUPS.items():
        narrower = {
            str(onto.value(c, CAMS.code)) for c in onto.objects(RIGHT[group], SKOS.narrower)
        }
        assert narrower == set(members), group
    for group in ("moral", "economic"):
        for code in vocabularies.RIGHT_GROUPS[group]:
            assert (RIGHT[code], SKOS.broader, RIGHT[group]) in onto


@pytest.mark.parametrize(
    ("cls", "table"),
    [
        (CAMS.WorkCategory, vocabularies.WORK_CATEGORIES),
        (CAMS.AuthorshipType, vocabularies.AUTHORSHIP_TYPES),
        (CAMS.DerivationType, vocabularies.DERIVATION_TYPES),
        (CAMS.AssetClass, vocabularies.ASSET_CLASSES),
        (CAMS.Severity, vocabularies.SEVERITIES),
        (CAMS.ConflictCode, tuple(vocabularies.CONFLICT_CODES)),
    ],
    ids=lambda v: v.split("#")[-1] if isinstance(v, URIRef) else "",
)
def test_code_tables(onto: Graph, cls: URIRef, table: tuple[str, ...]) -> None:
    assert len(table) == len(set(table))
    assert codes(onto, cls) == set(table)


def test_derivation_rights(onto: Graph) -> None:
    found = {
        str(onto.value(d, CAMS.code)): str(
            onto.value(onto.value(d, CAMS.derivationRight), CAMS.code)
        )
        for d in onto.subjects(RDF.type, CAMS.DerivationType)
    }
    assert found == vocabularies.DERIVATION_RIGHT


def test_conflict_severities(onto: Graph) -> None:
    found = {
        str(onto.value(c, CAMS.code)): str(onto.value(onto.value(c, CAMS.severity), CAMS.code))
        for c in onto.subjects(RDF.type, CAMS.ConflictCode)
    }
    assert found == vocabularies.CONFLICT_CODES


def test_country_codes(onto: Graph) -> None:
    assert len(vocabularies.COUNTRY_CODES) == 249
    assert list(vocabularies.COUNTRY_CODES) == sorted(set(vocabularies.COUNTRY_CODES))
    assert codes(onto, CAMS.Territory) == {*vocabularies.COUNTRY_CODES, vocabularies.WORLD}


def test_world_is_broader_than_every_country(onto: Graph) -> None:
    world = TERRITORY[vocabularies.WORLD]
    narrower = set(onto.objects(world, SKOS.narrower))
    assert narrower == {TERRITORY[code] for code in vocabularies.COUNTRY_CODES}
    assert all((c, SKOS.broader, world) in onto for c in narrower)


# -- the generated file ---------------------------------------------------------------


def test_territories_file_is_up_to_date() -> None:
    path = vocabularies.territories_path()
    assert path.read_text(encoding="utf-8") == vocabularies.territories_turtle(), (
        "ontology/territories.ttl is stale: run python -m cams_graph.vocabularies"
    )


def test_territories_generator_is_deterministic() -> None:
    assert vocabularies.territories_turtle() == vocabularies.territories_turtle()


def test_generator_check_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert vocabularies.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out
