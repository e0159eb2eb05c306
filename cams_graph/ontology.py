"""The ontology and its vocabularies as data: read from ``ontology/``, installed in the store.

>>> g = ontology_graph()
>>> from cams_graph.namespaces import CAMS, OWL, RDF
>>> (CAMS.Work, RDF.type, OWL.Class) in g
True
"""

from __future__ import annotations

import hashlib
from functools import cache

from pyoxigraph import Literal, RdfFormat, Triple, parse
from rdflib import Graph, URIRef

from .namespaces import BASE, CAMS, ONTOLOGY_GRAPH, SYSTEM_GRAPH, bind_prefixes
from .resources import ontology_files
from .store import Store, insert_data

__all__ = [
    "ONTOLOGY_IRI",
    "install_ontology",
    "ontology_digest",
    "ontology_graph",
    "ontology_triples",
    "ontology_turtle",
]

ONTOLOGY_IRI = URIRef(BASE + "ontology")
"""The IRI of the ``owl:Ontology`` that ``ontology/cams.ttl`` declares."""


@cache
def ontology_turtle() -> bytes:
    """The ontology and all vocabularies, as one Turtle document per file joined."""
    return b"\n".join(path.read_bytes() for path in ontology_files())


def ontology_digest() -> str:
    """SHA-256 of the shipped ontology files: tells whether a store holds this version."""
    return hashlib.sha256(ontology_turtle()).hexdigest()


def ontology_graph() -> Graph:
    """A fresh rdflib graph holding the ontology and its vocabularies."""
    graph = bind_prefixes(Graph())
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


def ontology_triples() -> list[Triple]:
    """The triples of every ontology file, parsed by Oxigraph."""
    triples: list[Triple] = []
    for path in ontology_files():
        for quad in parse(path=path, format=RdfFormat.TURTLE):
            triples.append(quad.triple)
    return triples


def install_ontology(store: Store) -> None:
    """Put the shipped ontology in the store's ontology graph, unless it is there already.

    The graph and the digest that marks its version are written in one update.
    """
    digest = ontology_digest()
    marker = f"<{ONTOLOGY_GRAPH}> <{CAMS.sha256}> {Literal(digest)}"
    if store.ask(f"ASK {{ GRAPH <{SYSTEM_GRAPH}> {{ {marker} }} }}"):
        return
    store.update(
        f"DROP SILENT GRAPH <{ONTOLOGY_GRAPH}> ;\n"
        f"DELETE WHERE {{ GRAPH <{SYSTEM_GRAPH}> "
        f"{{ <{ONTOLOGY_GRAPH}> <{CAMS.sha256}> ?old }} }} ;\n"
        + insert_data(str(ONTOLOGY_GRAPH), ontology_triples())
        + f" ;\nINSERT DATA {{ GRAPH <{SYSTEM_GRAPH}> {{ {marker} }} }}"
    )
