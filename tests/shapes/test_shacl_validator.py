"""The compiled validator (cams_graph.shacl): semantics, batch focus, reports, refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyshacl
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store
from rdflib import BNode, Graph, URIRef

from cams_graph import shacl
from cams_graph.namespaces import SH, batch_graph
from cams_graph.shacl import SUPPORTED_COMPONENTS, ShapeResult, Validator

Describe = Callable[[Iterable[ShapeResult]], str]
StoreWith = Callable[[bytes], Store]

PREFIXES = """
@prefix cams: <https://w3id.org/cams-graph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix party: <https://w3id.org/cams-graph/id/party/> .
@prefix work: <https://w3id.org/cams-graph/id/work/> .
@prefix agreement: <https://w3id.org/cams-graph/id/agreement/> .
@prefix category: <https://w3id.org/cams-graph/category/> .
@prefix right: <https://w3id.org/cams-graph/right/> .
@prefix territory: <https://w3id.org/cams-graph/territory/> .
"""
PARTIES = """
party:P1 a cams:Person ; dcterms:identifier "P1" ; cams:name "Lin Wen" .
party:P2 a cams:Organization ; dcterms:identifier "P2" ; cams:name "River Films Ltd." .
"""
WORK = """
work:W1 a cams:Work ; dcterms:identifier "W1" ; dcterms:title "The River Bend" ;
    cams:category category:literary ; dcterms:created "2001-03-01"^^xsd:date ;
    cams:author party:P1 .
"""


def licence(start: str = '"2010-01-01"^^xsd:date', extra: str = "") -> str:
    return f"""
agreement:A1 a cams:NonExclusiveLicence ; dcterms:identifier "A1" ;
    cams:grantor party:P1 ; cams:grantee party:P2 ; cams:work work:W1 ;
    cams:right right:reproduction ; cams:territory territory:CN ; cams:start {start} {extra} .
"""


def shapes_of(results: Iterable[ShapeResult], severity: str | None = None) -> set[str]:
    return {
        r.shape.rsplit("#", 1)[-1] for r in results if severity is None or r.severity == severity
    }


# -- the semantics of the shipped shapes ---------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        '"2020-13-45"^^xsd:date',
        '"2019-02-29"^^xsd:date',
        '"2020-1-5"^^xsd:date',
        '"2020-01-05"',
        '"2020-01-05T00:00:00"^^xsd:dateTime',
        '"2020-01-05"@en',
        "work:W1",
    ],
)
def test_a_malformed_date_is_a_violation(
    validator: Validator, store_with: StoreWith, batch: str, describe: Describe, start: str
) -> None:
    data = (PREFIXES + PARTIES + WORK + licence(start)).encode()
    results = validator.validate(store_with(data), focus_graph=batch)
    assert "AgreementStartShape" in shapes_of(results, "violation"), describe(results)


@pytest.mark.parametrize("written", ['"yes"^^xsd:boolean', '"TRUE"^^xsd:boolean', '"true"'])
def test_a_malformed_boolean_is_a_violation(
    validator: Validator, store_with: StoreWith, batch: str, describe: Describe, written: str
) -> None:
    data = (PREFIXES + PARTIES + WORK + licence(extra=f"; cams:written {written}")).encode()
    results = validator.validate(store_with(data), focus_graph=batch)
    assert shapes_of(results, "violation") == {"AgreementWrittenShape"}, describe(results)


@pytest.mark.parametrize("written", ["true", "false", '"1"^^xsd:boolean', '"0"^^xsd:boolean'])
def test_well_formed_booleans_conform(
    validator: Validator, store_with: StoreWith, batch: str, describe: Describe, written: str
) -> None:
    data = (PREFIXES + PARTIES + WORK + licence(extra=f"; cams:written {written}")).encode()
    results = validator.validate(store_with(data), focus_graph=batch)
    assert shapes_of(results, "violation") == set(), describe(results)


@pytest.mark.parametrize("ratio", [0, 10**9], ids=["from the batch", "from the store"])
def test_only_the_focus_graph_is_checked_but_the_whole_store_is_read(
    validator: Validator,
    store_with: StoreWith,
    batch: str,
    describe: Describe,
    ratio: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shacl, "LATERAL_RATIO", ratio)
    # The store already holds the parties and the work (an earlier batch, with a
    # work that breaks a rule); the new batch holds only a licence that refers to them.
    store = store_with((PREFIXES + licence()).encode())
    earlier = NamedNode(str(batch_graph("earlier")))
    store.load(
        (PREFIXES + PARTIES + WORK + 'work:W2 a cams:Work ; dcterms:identifier "W2" .').encode(),
        format=RdfFormat.TURTLE,
        to_graph=earlier,
    )
    in_batch = validator.validate(store, focus_graph=batch)
    assert shapes_of(in_batch, "violation") == set(), describe(in_batch)
    everywhere = validator.validate(store)
    assert {"WorkTitleShape", "WorkCategoryShape"} <= shapes_of(everywhere, "violation")
    assert validator.validate(store, focus_graph=earlier.value) == [
        r for r in everywhere if r.focus != NamedNode("https://w3id.org/cams-graph/id/agreement/A1")
    ]


def test_a_reference_to_a_node_known_nowhere_is_a_violation(
    validator: Validator, store_with: StoreWith, batch: str, describe: Describe
) -> None:
    data = (PREFIXES + licence()).encode()  # no parties, no work anywhere
    results = validator.validate(store_with(data), focus_graph=batch)
    assert shapes_of(results, "violation") == {
        "GrantorReferenceShape",
        "GranteeReferenceShape",
        "WorkReferenceShape",
    }, describe(results)


def test_results_are_sorted_and_deterministic(
    validator: Validator, store_with: StoreWith, batch: str
) -> None:
    data = (PREFIXES + PARTIES + licence(extra='; cams:end "2009-01-01"^^xsd:date')).encode()
    first = validator.validate(store_with(data), focus_graph=batch)
    second = validator.validate(store_with(data), focus_graph=batch)
    assert first == second
    order = {"violation": 0, "warning": 1, "info": 2}
    keys = [(order[r.severity], r.shape, str(r.focus)) for r in first]
    assert keys == sorted(keys) and len(first) >= 2


def test_results_carry_path_value_constraint_and_messages(
    validator: Validator, store_with: StoreWith, batch: str
) -> None:
    data = (PREFIXES + PARTIES + WORK + licence('"2020-13-45"^^xsd:date')).encode()
    (result,) = validator.validate(store_with(data), focus_graph=batch)
    assert result.focus == NamedNode("https://w3id.org/cams-graph/id/agreement/A1")
    assert result.path == "https://w3id.org/cams-graph/ontology#start"
    assert isinstance(result.value, Literal) and result.value.value == "2020-13-45"
    assert result.severity == "violation"
    assert result.shape == "https://w3id.org/cams-graph/shapes#AgreementStartShape"
    assert result.constraint == str(SH.DatatypeConstraintComponent)
    assert "start" in result.message_en and "起始日" in result.message_zh


def test_shipped_is_compiled_once() -> None:
    assert Validator.shipped() is Validator.shipped()


def test_every_compiled_query_runs(validator: Validator, batch: str) -> None:
    empty = Store()
    assert validator.validate(empty) == []
    assert validator.validate(empty, focus_graph=batch) == []
    assert all(constraint in SUPPORTED_COMPONENTS for _, constraint, _ in validator.queries)


def test_a_malformed_focus_graph_is_refused(validator: Validator) -> None:
    with pytest.raises(ValueError):
        validator.validate(Store(), focus_graph="not an IRI> } DROP ALL {")


# -- the report graph ------------------------------------------------------------------


def test_report_graph_is_a_validation_report(
    validator: Validator, store_with: StoreWith, batch: str
) -> None:
    data = (PREFIXES + PARTIES + WORK + licence('"2020-13-45"^^xsd:date')).encode()
    results = validator.validate(store_with(data), focus_graph=batch)
    report = validator.report_graph(results)
    (node,) = report.subjects(SH.conforms, None)
    assert report.value(node, SH.conforms).toPython() is False  # type: ignore[union-attr]
    (result,) = report.objects(node, SH.result)
    assert report.value(result, SH.resultSeverity) == SH.Violation
    assert report.value(result, SH.sourceShape) == URIRef(results[0].shape)
    assert report.value(result, SH.resultPath) == URIRef(results[0].path or "")
    assert {m.language for m in report.objects(result, SH.resultMessage)} == {"en", "zh"}  # type: ignore[attr-defined]
    again = Graph().parse(data=report.serialize(format="turtle"), format="turtle")
    assert len(again) == len(report)


def test_report_graph_conforms_with_warnings_only(validator: Validator) -> None:
    warning = ShapeResult(
        focus=BlankNode("x"),
        path=None,
        value=None,
        severity="warning",
        shape="https://w3id.org/cams-graph/shapes#WorkOwnedShape",
        constraint=str(SH.SPARQLConstraintComponent),
        message_en="w",
        message_zh="w",
    )
    report = validator.report_graph([warning])
    assert [c.toPython() for c in report.objects(None, SH.conforms)] == [True]  # type: ignore[attr-defined]
    assert len(list(report.objects(None, SH.result))) == 1


# -- the compiler against pyshacl, on the components the shipped shapes barely use ----

GENERIC_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .

ex:FollowersShape a sh:PropertyShape ; sh:targetClass ex:Person ;
    sh:path [ sh:inversePath ex:knows ] ; sh:minCount 2 ; sh:maxCount 3 .
ex:ColourShape a sh:PropertyShape ; sh:targetSubjectsOf ex:colour ;
    sh:path ex:colour ; sh:in ( ex:Red ex:Green "blue" ) .
ex:CodeShape a sh:PropertyShape ; sh:targetClass ex:Person ;
    sh:path ex:code ; sh:minLength 3 ; sh:pattern "^[a-z]+$" ; sh:flags "i" ; sh:maxCount 1 .
ex:TagShape a sh:PropertyShape ; sh:targetClass ex:Person ;
    sh:path ex:tag ; sh:hasValue ex:Checked .
ex:PeriodShape a sh:PropertyShape ; sh:targetClass ex:Person ; sh:path ex:from ; sh:lessThan ex:to .
ex:KnownShape a sh:NodeShape ; sh:targetObjectsOf ex:knows ;
    sh:nodeKind sh:IRI ; sh:class ex:Person .
ex:HumanShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:not [ sh:class ex:Robot ] ;
    sh:severity sh:Warning .
ex:AgeShape a sh:PropertyShape ; sh:targetClass ex:Person ; sh:path ex:age ;
    sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) .
ex:FoeShape a sh:PropertyShape ; sh:targetClass ex:Person ;
    sh:path ex:knows ; sh:disjoint ex:dislikes .
ex:TeamShape a sh:NodeShape ; sh:targetClass ex:Team ; sh:property ex:TeamNameShape .
ex:TeamNameShape a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ;
    sh:severity sh:Info .
"""

GENERIC_DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:Employee <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:Person .
ex:Android <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:Robot .
ex:a a ex:Person ; ex:code "abc" ; ex:tag ex:Checked ; ex:from 1 ; ex:to 2 ; ex:age 40 ;
    ex:knows ex:b ; ex:colour ex:Red .
ex:b a ex:Employee ; ex:code "ab" , "xyz" ; ex:from 3 ; ex:to 2 , 5 ; ex:age "forty" ;
    ex:knows ex:a , ex:c , _:x ; ex:dislikes ex:c ; ex:colour "blue" , "Blue" .
ex:c a ex:Person , ex:Android ; ex:code "ABC" , "a-b" ; ex:tag ex:Checked ; ex:from "x" ; ex:to 2 ;
    ex:age 1.5 ; ex:knows ex:a .
_:x ex:colour ex:Blue .
ex:t1 a ex:Team ; ex:name "Rights" .
ex:t2 a ex:Team ; ex:name "Rights"@en .
ex:t3 a ex:Team .
"""


def test_the_compiler_agrees_with_pyshacl_on_every_component() -> None:
    shapes = Graph().parse(data=GENERIC_SHAPES, format="turtle")
    store = Store()
    store.load(GENERIC_DATA.encode(), format=RdfFormat.TURTLE, to_graph=NamedNode("urn:g"))
    compiled = {
        (_key(r.focus), r.shape, r.constraint, _key(r.value), r.severity)
        for r in Validator(shapes).validate(store)
    }
    data = Graph().parse(data=GENERIC_DATA, format="turtle")
    _, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    severities = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
    reference = {
        (
            _key(report.value(r, SH.focusNode)),
            str(report.value(r, SH.sourceShape)),
            str(report.value(r, SH.sourceConstraintComponent)),
            _key(report.value(r, SH.value)),
            severities[report.value(r, SH.resultSeverity)],  # type: ignore[index]
        )
        for r in report.subjects(SH.sourceShape, None)
    }
    components = {c.rsplit("#", 1)[-1] for _, _, c, _, _ in compiled}
    assert len(components) >= 13, components
    assert compiled == reference, (
        f"only compiled: {sorted(compiled - reference)}\n"
        f"only pyshacl: {sorted(reference - compiled)}\n{text}"
    )


def _key(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, BlankNode | BNode):
        return "_:"
    if isinstance(term, NamedNode | URIRef):
        return str(term).strip("<>")
    if isinstance(term, Literal):
        return f"{term.value}|{term.language or term.datatype.value}"
    lang = getattr(term, "language", None)
    datatype = getattr(term, "datatype", None)
    return f"{term}|{lang or datatype or 'http://www.w3.org/2001/XMLSchema#string'}"


# -- what the compiler refuses -------------------------------------------------------

CURRENT_SHAPE = "SELECT $this WHERE { $this ?p $currentShape }"
SERVICE = "SELECT $this WHERE { SERVICE <http://x> { $this ?p ?o } }"
REFUSED = {
    "node": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:T .",
    "equals": "ex:S sh:targetClass ex:C ; sh:path ex:p ; sh:equals ex:q .",
    "maxLength": "ex:S sh:targetClass ex:C ; sh:path ex:p ; sh:maxLength 3 .",
    "targetNode": "ex:S sh:targetNode ex:n ; sh:class ex:C .",
    "sequence path": "ex:S sh:targetClass ex:C ; sh:path ( ex:p ex:q ) ; sh:minCount 1 .",
    "qualified": "ex:S sh:targetClass ex:C ; sh:path ex:p ; sh:qualifiedValueShape ex:T .",
    "blank shape": "[] sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 1 .",
    "blank property": "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    "count on node": "ex:S sh:targetClass ex:C ; sh:minCount 1 .",
    "nested count": "ex:S sh:targetClass ex:C ; sh:path ex:p ; sh:not [ sh:minCount 1 ] .",
    "current shape": f'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "{CURRENT_SHAPE}" ] .',
    "service": f'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "{SERVICE}" ] .',
    "no this": 'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT ?x { ?x ?p ?o }" ] .',
    "severity": "ex:S sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 1 ; sh:severity ex:Fatal .",
    "closed": "ex:S a sh:NodeShape ; sh:closed true .",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unsupported_constructs_are_refused_naming_the_shape(name: str) -> None:
    text = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://example.org/> .\n"
    shapes = Graph().parse(data=text + REFUSED[name], format="turtle")
    with pytest.raises(ValueError, match=r"^shape (ex:S|a blank-node shape)"):
        Validator(shapes)


def test_results_of_a_literal_focus_are_skipped() -> None:
    shapes = Graph().parse(
        format="turtle",
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S sh:targetObjectsOf ex:p ; sh:nodeKind sh:IRI .""",
    )
    store = Store()
    store.add(
        Quad(NamedNode("https://example.org/a"), NamedNode("https://example.org/p"), Literal("x"))
    )
    assert Validator(shapes).validate(store) == []


def test_a_report_quotes_ill_typed_values_quietly(
    validator: Validator, store_with: StoreWith, batch: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = (PREFIXES + PARTIES + WORK + licence('"2020-13-45"^^xsd:date')).encode()
    results = validator.validate(store_with(data), focus_graph=batch)
    with caplog.at_level("WARNING"):
        report = validator.report_graph(results)
    assert not caplog.records
    assert [str(v) for v in report.objects(None, SH.value)] == ["2020-13-45"]


def test_a_report_writes_inverse_paths() -> None:
    result = ShapeResult(
        focus=NamedNode("https://example.org/a"),
        path="^https://example.org/knows",
        value=None,
        severity="info",
        shape="https://example.org/S",
        constraint=str(SH.MinCountConstraintComponent),
        message_en="m",
        message_zh="m",
    )
    report = Validator(Graph()).report_graph([result])
    (path,) = report.objects(None, SH.resultPath)
    assert report.value(path, SH.inversePath) == URIRef("https://example.org/knows")


@pytest.mark.parametrize("ratio", [0, 10**9], ids=["from the batch", "from the store"])
def test_sparql_constraints_may_declare_their_own_prefixes(
    ratio: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shacl, "LATERAL_RATIO", ratio)
    shapes = Graph().parse(
        format="turtle",
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S sh:targetSubjectsOf ex:p ; sh:sparql [ sh:select '''
            PREFIX ex: <https://example.org/>
            SELECT $this ?value WHERE { $this ex:p ?value . FILTER (?value > 2) }''' ] .""",
    )
    store = Store()
    graph = NamedNode("urn:batch")
    for subject, value in (("a", 1), ("b", 3)):
        store.add(
            Quad(
                NamedNode(f"https://example.org/{subject}"),
                NamedNode("https://example.org/p"),
                Literal(str(value), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                graph,
            )
        )
    (result,) = Validator(shapes).validate(store, focus_graph=graph.value)
    assert result.focus == NamedNode("https://example.org/b")
    assert result.constraint == str(SH.SPARQLConstraintComponent)
