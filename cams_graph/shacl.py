"""Fast SHACL validation: the shapes of ``shapes/`` compiled to SPARQL and run by Oxigraph.

pyshacl is the reference implementation of SHACL, but it walks the data graph
from Python and is far too slow for an import of a million triples. This module
compiles each (shape, constraint) pair into one SPARQL ``SELECT`` that returns
the focus nodes (and values) that break it, and lets Oxigraph run them over the
whole dataset, whose default graph is the union of all named graphs (so the
ontology's class hierarchy is seen by ``sh:class`` and ``sh:targetClass``). The
shapes may use only the constraint components in :data:`SUPPORTED_COMPONENTS`,
with ``sh:path`` a property or ``[ sh:inversePath property ]``; anything else is
refused, naming the shape, when the :class:`Validator` is built. The tests in
``tests/shapes/`` run both validators on every example file and check that they
agree.

Given ``focus_graph`` (the named graph of an import batch), only the focus nodes
that occur as a subject in that graph are checked, while values, types and the
class hierarchy are looked up in the whole dataset: a batch may refer to
parties and works already in the store, and to the ontology's vocabularies. A
batch that is small next to the store is validated from its own subjects (a
``LATERAL`` join, so the cost grows with the batch); a large one by validating
the store and keeping the batch's results.

Where the compiled validator and pyshacl can differ:

- ``sh:datatype`` also checks the lexical form of the XSD types Oxigraph can cast
  (``"2020-13-45"^^xsd:date`` is a violation), as pyshacl does with rdflib's.
- ``sh:lessThan`` and ``sh:lessThanOrEquals`` give a result for values that
  cannot be compared, as SHACL says (pyshacl compares ill-typed dates by their text).
- A literal focus node (``sh:targetObjectsOf`` a datatype property) is not checked.
- In SHACL-SPARQL, ``$this`` is joined with the focus nodes rather than
  pre-bound: the query must bind it in its outermost group (or in every group
  that uses it), and may not use ``$currentShape``, ``$shapesGraph``, ``$PATH``,
  ``MINUS``, ``VALUES`` or ``SERVICE``.

>>> from pyoxigraph import NamedNode, RdfFormat, Store
>>> shapes = Graph().parse(format="turtle", data='''
...     @prefix sh: <http://www.w3.org/ns/shacl#> .
...     @prefix ex: <https://example.org/> .
...     ex:NameShape a sh:PropertyShape ;
...         sh:targetClass ex:Person ;
...         sh:path ex:name ;
...         sh:minCount 1 ;
...         sh:message "A person needs a name."@en , "人员需要姓名。"@zh .
... ''')
>>> data = Store()
>>> data.load(b"<https://example.org/p1> a <https://example.org/Person> .",
...           format=RdfFormat.TURTLE, to_graph=NamedNode("https://example.org/batch"))
>>> validator = Validator(shapes)
>>> [(r.focus.value, r.severity, r.message_en) for r in validator.validate(data)]
[('https://example.org/p1', 'violation', 'A person needs a name.')]
>>> validator.validate(data, focus_graph="https://example.org/other-batch")
[]
>>> report = validator.report_graph(validator.validate(data))
>>> [str(conforms) for conforms in report.objects(None, SH.conforms)]
['false']
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions
from pyoxigraph import Store as OxStore
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.term import Node

from .namespaces import RDF, RDFS, SH, XSD, bind_prefixes
from .resources import shape_files

__all__ = [
    "SHAPES",
    "SUPPORTED_COMPONENTS",
    "ShapeResult",
    "Validator",
    "shapes_graph",
]

SHAPES = Namespace("https://w3id.org/cams-graph/shapes#")
"""The namespace of the shipped shapes (prefix ``camsh:``)."""

SUPPORTED_COMPONENTS: frozenset[str] = frozenset(
    str(SH[name])
    for name in (
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "ClassConstraintComponent",
        "NodeKindConstraintComponent",
        "InConstraintComponent",
        "PatternConstraintComponent",
        "MinLengthConstraintComponent",
        "LessThanConstraintComponent",
        "LessThanOrEqualsConstraintComponent",
        "DisjointConstraintComponent",
        "HasValueConstraintComponent",
        "NotConstraintComponent",
        "OrConstraintComponent",
        "SPARQLConstraintComponent",
    )
)
"""The constraint components the compiler understands (IRIs)."""

_SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}

# sh: predicates a shape may carry: targets, structure, constraint parameters,
# and the ones that do not validate (messages, names, order, ...).
_TARGETS = {SH.targetClass: "class", SH.targetSubjectsOf: "subjects", SH.targetObjectsOf: "objects"}
_VALUE_PARAMETERS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.pattern,
    SH.minLength,
    SH.hasValue,
    SH["not"],
    SH["or"],
}
_PROPERTY_PARAMETERS = {SH.minCount, SH.maxCount, SH.lessThan, SH.lessThanOrEquals, SH.disjoint}
_ALLOWED = (
    set(_TARGETS)
    | _VALUE_PARAMETERS
    | _PROPERTY_PARAMETERS
    | {SH.property, SH.path, SH.flags, SH.sparql, SH.severity, SH.message, SH.deactivated}
    | {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
)
_SPARQL_ALLOWED = {SH.select, SH.prefixes, SH.message, SH.deactivated}

_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
# Datatypes whose lexical forms Oxigraph can check with a cast.
_CASTABLE = {
    XSD[name]
    for name in (
        "string",
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    )
}

_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_FOCUS = "%FOCUS%"
_ISA = re.compile(r"%ISA (\?\w+) <([^>]*)>%")
_PREBOUND = re.compile(r"[$?](currentShape|shapesGraph)\b|\$PATH\b")
_FORBIDDEN_KEYWORDS = re.compile(r"(?<![\w:$?])(SERVICE|MINUS|VALUES|LOAD)\b", re.IGNORECASE)
_THIS = re.compile(r"\$this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_DECLARATIONS = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)+", re.IGNORECASE
)

LATERAL_LIMIT = 200_000
"""Above this many triples in the focus graph, validate the store and keep the batch's results."""
LATERAL_RATIO = 8
"""Start from the focus graph when the store holds this many times its triples, or more."""

_THREADS = min(4, os.cpu_count() or 1)
"""Threads that check the shapes of a large batch (queries run outside the GIL)."""


@dataclass(frozen=True)
class ShapeResult:
    """One result of validation: a focus node that breaks one constraint of one shape."""

    focus: NamedNode | BlankNode
    path: str | None
    """IRI of the property (``^`` in front for an inverse path); None for node-level results."""
    value: NamedNode | BlankNode | Literal | None
    severity: str
    """``violation``, ``warning`` or ``info``."""
    shape: str
    """IRI of the shape the result comes from."""
    constraint: str
    """IRI of the constraint component, e.g. ``sh:MinCountConstraintComponent``."""
    message_en: str
    message_zh: str


Targets: TypeAlias = tuple[tuple[str, str], ...]
"""The targets of a shape: (``class`` | ``subjects`` | ``objects``, IRI), sorted."""
Subclasses: TypeAlias = dict[str, list[NamedNode]]
"""A class → the class and its subclasses (``rdfs:subClassOf+`` in the data), sorted."""


@dataclass(frozen=True)
class _Query:
    """One compiled (shape, constraint): a SELECT with ``%FOCUS%`` where the focus nodes go.

    Class membership is written ``%ISA ?var <class>%``: rendered with the class's
    subclasses found in the data when they are known, else as a property path.
    """

    shape: str
    constraint: str
    path: str | None
    severity: str
    message_en: str
    message_zh: str
    targets: Targets
    template: str
    prologue: str = ""
    value_is_focus: bool = False

    def text(
        self,
        focus_graph: str | None,
        subclasses: Subclasses | None = None,
        *,
        lateral: bool = False,
    ) -> str:
        """The query, with only the focus nodes that are subjects in ``focus_graph`` if given.

        ``lateral``: start from the subjects of ``focus_graph`` and evaluate the
        query for each (cost grows with the batch); otherwise evaluate it for every
        focus node of the store and keep the results in the batch (cost grows with
        the store).
        """
        counter = itertools.count()

        def isa(match: re.Match[str]) -> str:
            var, iri = match.group(1), match.group(2)
            if subclasses is None:
                return f"{var} {_TYPE_PATH} <{iri}> ."
            name = f"?camsh_class{next(counter)}"
            members = " ".join(str(c) for c in subclasses[iri])
            return f"VALUES {name} {{ {members} }} {var} <{RDF.type}> {name} ."

        body = _ISA.sub(isa, self.template.replace(_FOCUS, _focus_block(self.targets)))
        if focus_graph is None:
            return self.prologue + body
        in_batch = f"GRAPH {NamedNode(focus_graph)} {{ ?this ?camsh_gp ?camsh_go }}"
        if lateral:
            batch = f"{{ SELECT DISTINCT ?this WHERE {{ {in_batch} }} }}"
            return f"{self.prologue}SELECT * WHERE {{ {batch} LATERAL {{ {body} }} }}"
        return f"{self.prologue}SELECT * WHERE {{ {{ {body} }} FILTER EXISTS {{ {in_batch} }} }}"

    def classes(self) -> set[str]:
        """The classes of the values the query checks (``sh:class``)."""
        return {iri for _, iri in _ISA.findall(self.template)}


def _isa(var: str, iri: str) -> str:
    return f"%ISA {var} <{iri}>%"


def _focus_block(targets: Targets) -> str:
    """A group pattern that binds ``?this`` to every focus node of the targets."""
    patterns = []
    for kind, iri in targets:
        if kind == "class":
            # a property path from a constant class: Oxigraph starts from the class
            patterns.append(f"{{ ?this {_TYPE_PATH} <{iri}> }}")
        elif kind == "subjects":
            patterns.append(f"{{ ?this <{iri}> ?camsh_o }}")
        else:
            patterns.append(f"{{ ?camsh_s <{iri}> ?this }}")
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(patterns)} }} }}"


def _small_batch(data: OxStore, focus_graph: str) -> bool:
    """Whether the focus graph is small next to the store (then start from the batch).

    Counts no further than it needs to: the cost grows with the batch, not the store.
    """

    def count(quads: Iterator[Quad], limit: int) -> int:
        return sum(1 for _ in itertools.islice(quads, limit))

    batch = count(
        data.quads_for_pattern(None, None, None, NamedNode(focus_graph)), LATERAL_LIMIT + 1
    )
    if batch > LATERAL_LIMIT:
        return False
    enough = LATERAL_RATIO * batch + 1
    return count(data.quads_for_pattern(None, None, None), enough) == enough


def _subclasses(data: OxStore, classes: set[str]) -> Subclasses:
    """Each class with its subclasses, as the whole dataset states them."""
    found: Subclasses = {iri: [NamedNode(iri)] for iri in classes}
    if classes:
        values = " ".join(str(NamedNode(iri)) for iri in sorted(classes))
        query = (
            f"SELECT DISTINCT ?class ?sub WHERE {{ VALUES ?class {{ {values} }} "
            f"?sub <{RDFS.subClassOf}>+ ?class . FILTER (isIRI(?sub)) }}"
        )
        solutions = data.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, QuerySolutions)
        for solution in solutions:
            cls, sub = solution["class"], solution["sub"]
            if isinstance(cls, NamedNode) and isinstance(sub, NamedNode) and sub != cls:
                found[cls.value].append(sub)
    return {iri: sorted(set(members), key=str) for iri, members in found.items()}


def shapes_graph() -> Graph:
    """A fresh rdflib graph holding the shipped shapes (``shapes/*.ttl``)."""
    graph = bind_prefixes(Graph())
    graph.bind("camsh", SHAPES)
    for path in shape_files():
        graph.parse(path, format="turtle")
    return graph


class Validator:
    """SHACL shapes compiled to SPARQL queries, ready to run on a ``pyoxigraph.Store``."""

    def __init__(self, shapes: Graph) -> None:
        self._compiler = _Compiler(shapes)
        self._queries = self._compiler.compile()
        self._classes = {iri for query in self._queries for iri in query.classes()}

    @classmethod
    def shipped(cls) -> Validator:
        """The validator of the shipped shapes (compiled once per process)."""
        return _shipped()

    @property
    def queries(self) -> list[tuple[str, str, str]]:
        """(shape, constraint component, SPARQL text) of every compiled query."""
        return [(q.shape, q.constraint, q.text(None)) for q in self._queries]

    def validate(self, data: OxStore, focus_graph: str | None = None) -> list[ShapeResult]:
        """Every result of every shape on ``data``, sorted: violations first, then by shape.

        ``focus_graph`` given, only the focus nodes that occur as a subject in that
        named graph are checked; values and types are looked up in the whole dataset.
        """
        subclasses = _subclasses(data, self._classes)
        lateral = focus_graph is not None and _small_batch(data, focus_graph)

        def run(query: _Query) -> list[ShapeResult]:
            text = query.text(focus_graph, subclasses, lateral=lateral)
            solutions = data.query(text, use_default_graph_as_union=True)
            assert isinstance(solutions, QuerySolutions)
            found = (_result(query, s["this"], s["value"], s["path"]) for s in solutions)
            return [result for result in found if result is not None]

        results: set[ShapeResult] = set()
        if lateral or len(self._queries) < 2:
            for query in self._queries:
                results.update(run(query))
        else:
            # Oxigraph evaluates a query without holding the GIL: on a large batch the
            # shapes are checked on as many threads as there are cores to spare.
            with ThreadPoolExecutor(_THREADS) as pool:
                for found in pool.map(run, self._queries):
                    results.update(found)
        return sorted(results, key=_sort_key)

    def report_graph(self, results: Sequence[ShapeResult]) -> Graph:
        """The results as a W3C ``sh:ValidationReport`` (conforms iff no violation)."""
        with _quiet_ill_typed_literals():
            return _report(results)


def _report(results: Sequence[ShapeResult]) -> Graph:
    """The report graph; a result's value may be an ill-typed literal, as it was found."""
    graph = bind_prefixes(Graph())
    graph.bind("camsh", SHAPES)
    report = BNode("report")
    graph.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(r.severity == "violation" for r in results)
    graph.add((report, SH.conforms, RdfLiteral(conforms)))
    for index, result in enumerate(results, start=1):
        node = BNode(f"result{index}")
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, _rdflib(result.focus)))
        if result.path is not None:
            if result.path.startswith("^"):
                path = BNode(f"path{index}")
                graph.add((path, SH.inversePath, URIRef(result.path[1:])))
                graph.add((node, SH.resultPath, path))
            else:
                graph.add((node, SH.resultPath, URIRef(result.path)))
        if result.value is not None:
            graph.add((node, SH.value, _rdflib(result.value)))
        severity = next(k for k, v in _SEVERITIES.items() if v == result.severity)
        graph.add((node, SH.resultSeverity, severity))
        graph.add((node, SH.sourceShape, URIRef(result.shape)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(result.constraint)))
        graph.add((node, SH.resultMessage, RdfLiteral(result.message_en, lang="en")))
        graph.add((node, SH.resultMessage, RdfLiteral(result.message_zh, lang="zh")))
    return graph


@contextmanager
def _quiet_ill_typed_literals() -> Iterator[None]:
    """Keep rdflib from logging a traceback for each ill-typed literal a report quotes."""
    logger = logging.getLogger("rdflib.term")

    def keep(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


@cache
def _shipped() -> Validator:
    return Validator(shapes_graph())


def _result(query: _Query, focus: object, value: object, path: object) -> ShapeResult | None:
    if not isinstance(focus, NamedNode | BlankNode):
        return None  # a literal focus node (sh:targetObjectsOf) is not checked
    if query.value_is_focus and value is None:
        value = focus
    return ShapeResult(
        focus=focus,
        path=path.value if isinstance(path, NamedNode) else query.path,
        value=value if isinstance(value, NamedNode | BlankNode | Literal) else None,
        severity=query.severity,
        shape=query.shape,
        constraint=query.constraint,
        message_en=query.message_en,
        message_zh=query.message_zh,
    )


def _sort_key(result: ShapeResult) -> tuple[int, str, str, str, str, str]:
    return (
        _SEVERITY_ORDER[result.severity],
        result.shape,
        str(result.focus),
        result.path or "",
        result.constraint,
        "" if result.value is None else str(result.value),
    )


def _rdflib(term: NamedNode | BlankNode | Literal) -> Node:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return RdfLiteral(term.value, lang=term.language)
    return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))


def _sparql(term: Node) -> str:
    """An rdflib term written as SPARQL (by Oxigraph's serializer, so always well-formed)."""
    if isinstance(term, URIRef):
        return str(NamedNode(str(term)))
    if isinstance(term, RdfLiteral):
        if term.language:
            return str(Literal(str(term), language=term.language))
        if term.datatype is not None:
            return str(Literal(str(term), datatype=NamedNode(str(term.datatype))))
        return str(Literal(str(term)))
    raise TypeError(f"cannot write {term!r} in a query")


class _Compiler:
    """Turns a shapes graph into :class:`_Query` objects; refuses what it cannot compile."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes

    # -- reading the shapes graph ---------------------------------------------

    def short(self, iri: Node) -> str:
        """An IRI with its prefix, for messages."""
        return self.g.namespace_manager.normalizeUri(iri) if isinstance(iri, URIRef) else str(iri)

    def name(self, shape: Node) -> str:
        return self.short(shape) if isinstance(shape, URIRef) else "a blank-node shape"

    def fail(self, shape: Node, problem: str) -> ValueError:
        return ValueError(f"shape {self.name(shape)}: {problem}")

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        values = list(self.g.objects(shape, predicate))
        if len(values) > 1:
            raise self.fail(shape, f"more than one {self.short(predicate)}")
        return values[0] if values else None

    def integer(self, shape: Node, predicate: URIRef) -> int:
        value = self.one(shape, predicate)
        if not isinstance(value, RdfLiteral) or not isinstance(value.toPython(), int):
            raise self.fail(shape, f"{self.short(predicate)} must be an integer")
        number: int = value.toPython()
        return number

    def iri(self, shape: Node, value: Node | None, what: str) -> str:
        if not isinstance(value, URIRef):
            raise self.fail(shape, f"{what} must be an IRI")
        return str(value)

    def items(self, shape: Node, head: Node) -> list[Node]:
        if head != RDF.nil and self.g.value(head, RDF.first) is None:
            raise self.fail(shape, "expects an RDF list")
        return list(Collection(self.g, head))

    def check_predicates(self, shape: Node, allowed: set[URIRef]) -> None:
        for predicate in sorted(set(self.g.predicates(shape, None)), key=str):
            if str(predicate).startswith(str(SH)) and predicate not in allowed:
                short = self.short(predicate)
                raise self.fail(shape, f"{short} is not supported by the compiled validator")

    def deactivated(self, node: Node) -> bool:
        value = self.one(node, SH.deactivated)
        return isinstance(value, RdfLiteral) and value.toPython() is True

    def severity(self, shape: Node) -> str:
        value = self.one(shape, SH.severity)
        if value is None:
            return "violation"
        if value not in _SEVERITIES:
            raise self.fail(shape, f"unsupported severity {value}")
        return _SEVERITIES[value]  # type: ignore[index]

    def messages(self, node: Node, fallback: tuple[str, str]) -> tuple[str, str]:
        by_language: dict[str, str] = {}
        for message in self.g.objects(node, SH.message):
            if not isinstance(message, RdfLiteral):
                raise self.fail(node, "sh:message must be a literal")
            language = (message.language or "en").lower().split("-")[0]
            if language in by_language:
                raise self.fail(node, f"more than one sh:message in {language!r}")
            by_language[language] = str(message)
        english = by_language.get("en", fallback[0])
        return english, by_language.get("zh", fallback[1] if "en" not in by_language else english)

    def targets(self, shape: Node) -> Targets:
        found = []
        for predicate, kind in _TARGETS.items():
            for value in self.g.objects(shape, predicate):
                found.append((kind, self.iri(shape, value, "a target")))
        return tuple(sorted(found))

    # -- compiling --------------------------------------------------------------

    def compile(self) -> list[_Query]:
        for unsupported in (SH.targetNode, SH.target):
            for shape in self.g.subjects(unsupported, None):
                raise self.fail(shape, f"{self.short(unsupported)} is not supported")
        queries: list[_Query] = []
        shapes = {s for p in _TARGETS for s in self.g.subjects(p, None)}
        for shape in sorted(shapes, key=str):
            if (shape, RDF.type, RDFS.Class) in self.g:
                raise self.fail(shape, "implicit class targets are not supported")
            queries.extend(self.shape(shape, self.targets(shape)))
        # Shapes without targets: checked for what they use, although they select nothing.
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in self.g.subjects(RDF.type, kind):
                self.check_predicates(shape, _ALLOWED)
        return queries

    def shape(self, shape: Node, targets: Targets) -> list[_Query]:
        if not isinstance(shape, URIRef):
            raise self.fail(shape, "a shape that can produce results must be an IRI")
        self.check_predicates(shape, _ALLOWED)
        if self.deactivated(shape):
            return []
        path = self.one(shape, SH.path)
        if path is None:
            return self.node_shape(shape, targets)
        return self.property_shape(shape, path, targets)

    def node_shape(self, shape: URIRef, targets: Targets) -> list[_Query]:
        for predicate in _PROPERTY_PARAMETERS:
            if (shape, predicate, None) in self.g:
                raise self.fail(shape, f"{self.short(predicate)} needs sh:path")
        queries = []
        for component, condition in self.value_conditions(shape, "?this"):
            text = f"SELECT DISTINCT ?this WHERE {{ {_FOCUS} {_violates(condition)} }}"
            queries.append(self.query(shape, component, None, targets, text, value_is_focus=True))
        for sparql in sorted(self.g.objects(shape, SH.sparql), key=str):
            queries.extend(self.sparql(shape, sparql, targets))
        for child in sorted(self.g.objects(shape, SH.property), key=str):
            if not isinstance(child, URIRef):
                raise self.fail(shape, "its property shapes must be IRIs, so results can name them")
            if self.one(child, SH.path) is None:
                raise self.fail(child, "a property shape needs sh:path")
            queries.extend(self.shape(child, targets))
        return queries

    def property_shape(self, shape: URIRef, path_node: Node, targets: Targets) -> list[_Query]:
        if (shape, SH.property, None) in self.g or (shape, SH.sparql, None) in self.g:
            raise self.fail(shape, "sh:property and sh:sparql are supported on node shapes only")
        if isinstance(path_node, URIRef):
            path, triple = str(path_node), f"?this <{path_node}> ?value ."
        elif (
            isinstance(path_node, BNode)
            and set(self.g.predicate_objects(path_node))
            and all(
                p == SH.inversePath and isinstance(o, URIRef)
                for p, o in self.g.predicate_objects(path_node)
            )
        ):
            inverse = self.g.value(path_node, SH.inversePath)
            path, triple = f"^{inverse}", f"?value <{inverse}> ?this ."
        else:
            raise self.fail(shape, "sh:path must be an IRI or [ sh:inversePath IRI ]")

        def add(
            component: str, body: str, projection: str = "DISTINCT ?this ?value", tail: str = ""
        ) -> None:
            text = f"SELECT {projection} WHERE {{ {_FOCUS} {body} }}{tail}"
            queries.append(self.query(shape, component, path, targets, text))

        queries: list[_Query] = []
        if (shape, SH.minCount, None) in self.g:
            least = self.integer(shape, SH.minCount)
            if least == 1:
                add("MinCount", f"FILTER NOT EXISTS {{ {triple} }}", "DISTINCT ?this")
            elif least > 1:
                add(
                    "MinCount",
                    f"OPTIONAL {{ {triple} }}",
                    "?this",
                    f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {least})",
                )
        if (shape, SH.maxCount, None) in self.g:
            most = self.integer(shape, SH.maxCount)
            if most == 0:
                add("MaxCount", triple, "DISTINCT ?this")
            elif most == 1:  # two different values: faster than counting them all
                second = triple.replace("?value", "?camsh_other")
                differ = "FILTER (!sameTerm(?value, ?camsh_other))"
                add("MaxCount", f"{triple} {second} {differ}", "DISTINCT ?this")
            else:
                add(
                    "MaxCount",
                    triple,
                    "?this",
                    f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {most})",
                )
        for predicate, component, operator in (
            (SH.lessThan, "LessThan", "<"),
            (SH.lessThanOrEquals, "LessThanOrEquals", "<="),
        ):
            for other in sorted(self.g.objects(shape, predicate), key=str):
                iri = self.iri(shape, other, self.short(predicate))
                add(
                    component,
                    f"{triple} ?this <{iri}> ?camsh_other . "
                    f"FILTER (!COALESCE(?value {operator} ?camsh_other, false))",
                )
        for other in sorted(self.g.objects(shape, SH.disjoint), key=str):
            iri = self.iri(shape, other, "sh:disjoint")
            add("Disjoint", f"{triple} ?this <{iri}> ?value .")
        for value in sorted(self.g.objects(shape, SH.hasValue), key=str):
            add(
                "HasValue",
                f"FILTER NOT EXISTS {{ {triple.replace('?value', _sparql(value))} }}",
                "DISTINCT ?this",
            )
        for component, condition in self.value_conditions(shape, "?value", skip_has_value=True):
            add(component, f"{triple} {_violates(condition)}")
        return queries

    def query(
        self,
        shape: URIRef,
        component: str,
        path: str | None,
        targets: Targets,
        template: str,
        *,
        prologue: str = "",
        value_is_focus: bool = False,
        messages_from: Node | None = None,
    ) -> _Query:
        if not targets:
            raise self.fail(
                shape, "has no target (sh:targetClass, sh:targetSubjectsOf, sh:targetObjectsOf)"
            )
        fallback = (f"{shape} is not satisfied ({component})", f"{shape} 不满足（{component}）")
        english, chinese = self.messages(shape, fallback)
        if messages_from is not None:
            english, chinese = self.messages(messages_from, (english, chinese))
        return _Query(
            shape=str(shape),
            constraint=str(SH[component + "ConstraintComponent"]),
            path=path,
            severity=self.severity(shape),
            message_en=english,
            message_zh=chinese,
            targets=targets,
            template=template,
            prologue=prologue,
            value_is_focus=value_is_focus,
        )

    def value_conditions(
        self, shape: Node, var: str, *, skip_has_value: bool = False
    ) -> Iterator[tuple[str, str]]:
        """(component, SPARQL expression true when ``var`` conforms) for each value constraint."""
        for cls in sorted(self.g.objects(shape, SH["class"]), key=str):
            iri = self.iri(shape, cls, "sh:class")
            yield "Class", f"EXISTS {{ {_isa(var, iri)} }}"
        datatype = self.one(shape, SH.datatype)
        if datatype is not None:
            yield "Datatype", _datatype_condition(self.iri(shape, datatype, "sh:datatype"), var)
        kind = self.one(shape, SH.nodeKind)
        if kind is not None:
            if kind not in _NODE_KINDS:
                raise self.fail(shape, f"unknown sh:nodeKind {kind}")
            yield "NodeKind", _NODE_KINDS[kind].format(v=var)  # type: ignore[index]
        members = self.one(shape, SH["in"])
        if members is not None:
            terms = [f"sameTerm({var}, {_sparql(t)})" for t in self.items(shape, members)]
            yield "In", "(" + (" || ".join(terms) or "false") + ")"
        pattern = self.one(shape, SH.pattern)
        if pattern is not None:
            flags = self.one(shape, SH.flags)
            arguments = _sparql(RdfLiteral(str(pattern)))
            if flags is not None:
                arguments += ", " + _sparql(RdfLiteral(str(flags)))
            yield "Pattern", f"(!isBlank({var}) && REGEX(STR({var}), {arguments}))"
        if (shape, SH.minLength, None) in self.g:
            least = self.integer(shape, SH.minLength)
            yield "MinLength", f"(!isBlank({var}) && STRLEN(STR({var})) >= {least})"
        if not skip_has_value:
            for value in sorted(self.g.objects(shape, SH.hasValue), key=str):
                yield "HasValue", f"sameTerm({var}, {_sparql(value)})"
        for negated in sorted(self.g.objects(shape, SH["not"]), key=str):
            yield "Not", f"!{self.conforms(shape, negated, var)}"
        for alternatives in sorted(self.g.objects(shape, SH["or"]), key=str):
            options = [self.conforms(shape, s, var) for s in self.items(shape, alternatives)]
            yield "Or", "(" + (" || ".join(options) or "false") + ")"

    def conforms(self, parent: Node, shape: Node, var: str) -> str:
        """An expression true when ``var`` conforms to ``shape`` (inside sh:not or sh:or)."""
        allowed = _VALUE_PARAMETERS | {SH.flags, SH.message, SH.severity, SH.name, SH.description}
        for predicate in self.g.predicates(shape, None):
            if str(predicate).startswith(str(SH)) and predicate not in allowed:
                short = self.short(predicate)
                raise self.fail(parent, f"a shape inside sh:not or sh:or may not use {short}")
        conditions = [f"COALESCE({c}, false)" for _, c in self.value_conditions(shape, var)]
        return "(" + (" && ".join(conditions) or "true") + ")"

    def sparql(self, shape: URIRef, constraint: Node, targets: Targets) -> list[_Query]:
        self.check_predicates(constraint, _SPARQL_ALLOWED)
        if self.deactivated(constraint):
            return []
        select = self.one(constraint, SH.select)
        if not isinstance(select, RdfLiteral):
            raise self.fail(shape, "a SPARQL constraint needs sh:select")
        text = str(select)
        if _PREBOUND.search(text):
            raise self.fail(
                shape, "its SPARQL may pre-bind $this only (not $currentShape, $shapesGraph, $PATH)"
            )
        if _FORBIDDEN_KEYWORDS.search(text):
            raise self.fail(shape, "its SPARQL may not use SERVICE, MINUS, VALUES or LOAD")
        text = _THIS.sub("?this", text)
        where = _WHERE.search(text)
        if where is None or "?this" not in text[: where.start()]:
            raise self.fail(shape, "its SPARQL must be SELECT $this … WHERE { … }")
        text = text[: where.end()] + f" {_FOCUS} " + text[where.end() :]
        own = _DECLARATIONS.match(text)
        declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self.prefixes(shape, constraint))
        prologue = declared + (own.group(0) if own else "")
        body = text[own.end() :] if own else text
        return [
            self.query(
                shape,
                "SPARQL",
                None,
                targets,
                body.strip(),
                prologue=prologue,
                value_is_focus=True,
                messages_from=constraint,
            )
        ]

    def prefixes(self, shape: Node, constraint: Node) -> list[tuple[str, str]]:
        declared: dict[str, str] = {}
        for holder in self.g.objects(constraint, SH.prefixes):
            for declaration in self.g.objects(holder, SH.declare):
                prefix = self.g.value(declaration, SH.prefix)
                namespace = self.g.value(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise self.fail(shape, "a prefix declaration needs sh:prefix and sh:namespace")
                if declared.get(str(prefix), str(namespace)) != str(namespace):
                    raise self.fail(shape, f"prefix {prefix} is declared twice")
                declared[str(prefix)] = str(namespace)
        return sorted(declared.items())


def _violates(condition: str) -> str:
    """A filter that keeps the solutions for which ``condition`` is false or an error."""
    return f"FILTER (!COALESCE({condition}, false))"


def _datatype_condition(datatype: str, var: str) -> str:
    """True when ``var`` is a literal of ``datatype`` whose lexical form is valid for it."""
    if datatype == str(RDF.langString):
        return f'(isLiteral({var}) && LANG({var}) != "")'
    if datatype == str(RDFS.Literal):
        return f"isLiteral({var})"
    condition = f"isLiteral({var}) && sameTerm(DATATYPE({var}), <{datatype}>)"
    if URIRef(datatype) in _CASTABLE:
        condition += f" && COALESCE(isLiteral(<{datatype}>(STR({var}))), false)"
    return f"({condition})"
