"""Fixtures of the shape tests: the shipped shapes, the ontology, and both validators.

An example file is loaded the way an import sees it: the ontology in its named
graph, the example in a batch graph that is the focus graph. pyshacl gets the
same triples as one rdflib graph (it validates each named graph of a dataset on
its own, which would hide the ontology's class hierarchy from the data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyshacl
import pytest
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, Triple
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from cams_graph.namespaces import ONTOLOGY_GRAPH, SH, batch_graph
from cams_graph.ontology import ontology_graph, ontology_triples
from cams_graph.shacl import ShapeResult, Validator, shapes_graph
from cams_graph.terms import compact

BATCH = str(batch_graph("example"))
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

Key = tuple[str, str, str]
"""(focus node, source shape, severity): what both validators must agree on."""


def _focus_key(node: object) -> str:
    """A focus node as text; blank nodes are all alike (their labels differ per parser)."""
    if isinstance(node, BlankNode | BNode):
        return "_:"
    if isinstance(node, NamedNode):
        return node.value
    return str(node)


def _describe(results: Iterable[ShapeResult]) -> str:
    """The results as a readable SHACL report, for assertion messages."""
    lines = [
        f"  {r.severity:9} {compact(NamedNode(r.shape))} on {compact(r.focus)}"
        + (f" path {compact(NamedNode(r.path.lstrip('^')))}" if r.path else "")
        + (f" value {compact(r.value)}" if r.value is not None else "")
        + f" ({r.constraint.rsplit('#', 1)[-1]}): {r.message_en} / {r.message_zh}"
        for r in results
    ]
    return "\n".join(lines) or "  (no results)"


@pytest.fixture(scope="session")
def batch() -> str:
    """The named graph an example is loaded into: the focus graph."""
    return BATCH


@pytest.fixture(scope="session")
def describe() -> Callable[[Iterable[ShapeResult]], str]:
    """Results as a readable SHACL report, for assertion messages."""
    return _describe


@pytest.fixture(scope="session")
def keys() -> Callable[[Iterable[ShapeResult]], set[Key]]:
    """The (focus, shape, severity) keys of compiled results, comparable with pyshacl's."""
    return lambda results: {(_focus_key(r.focus), r.shape, r.severity) for r in results}


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return shapes_graph()


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator.shipped()


@pytest.fixture(scope="session")
def ontology() -> list[Triple]:
    return ontology_triples()


@pytest.fixture(scope="session")
def ontology_rdflib() -> Graph:
    return ontology_graph()


@pytest.fixture
def store_with(ontology: list[Triple]) -> Callable[[bytes | Path], Store]:
    """Make an in-memory store holding the ontology and the given Turtle in the batch graph."""

    def make(data: bytes | Path) -> Store:
        store = Store()
        graph = NamedNode(str(ONTOLOGY_GRAPH))
        store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in ontology)
        text = data.read_bytes() if isinstance(data, Path) else data
        store.load(text, format=RdfFormat.TURTLE, to_graph=NamedNode(BATCH))
        return store

    return make


@pytest.fixture
def run_pyshacl(shapes: Graph, ontology_rdflib: Graph) -> Callable[[Path], tuple[set[Key], str]]:
    """Validate an example file with pyshacl: its result keys and its text report."""

    def run(path: Path) -> tuple[set[Key], str]:
        data = Graph()
        data += ontology_rdflib
        data.parse(path, format="turtle")
        _, report, text = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=None, inference="none", advanced=False
        )
        keys: set[Key] = set()
        for result in report.subjects(SH.sourceShape, None):
            focus: Node | None = report.value(result, SH.focusNode)
            shape = report.value(result, SH.sourceShape)
            severity = report.value(result, SH.resultSeverity)
            assert isinstance(shape, URIRef), f"pyshacl names a blank-node shape:\n{text}"
            keys.add((_focus_key(focus), str(shape), SEVERITIES[severity]))  # type: ignore[index]
        return keys, text

    return run
