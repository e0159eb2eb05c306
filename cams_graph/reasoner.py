"""Check the ontology with an OWL 2 DL reasoner: is it consistent, is every class satisfiable?

The ontology (every ``ontology/*.ttl``, plus any extension given) is merged
into one rdflib graph, written as N-Triples to a temporary folder and loaded
into a fresh owlready2 :class:`~owlready2.World` (never the default world);
HermiT classifies it in a Java subprocess. Nothing is fetched: the merged graph
has no ``owl:imports`` (an extension may import the cams-graph ontology itself,
which is already there; any other import is refused), and owlready2's own
annotations that would make it import Python modules are dropped.

Dates are ``xsd:date``, which is not in the OWL 2 datatype map; HermiT runs
with ``--ignoreUnsupportedDatatypes`` and treats it as an opaque datatype.

>>> result = ReasonerResult(consistent=True, unsatisfiable=(), classes=3, seconds=0.5)
>>> result.ok
True
>>> result.as_dict()["unsatisfiable"]
[]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.exceptions import ParserError

from .errors import InputError, ReasonerError
from .namespaces import OWL, RDF
from .ontology import ONTOLOGY_IRI, ontology_graph

__all__ = [
    "REASONER",
    "ReasonerError",
    "ReasonerResult",
    "check_ontology",
]

REASONER = "HermiT"
"""The reasoner :func:`check_ontology` runs (through owlready2)."""

_OWLREADY = "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#"


@dataclass(frozen=True)
class ReasonerResult:
    """What the reasoner found."""

    consistent: bool
    """False when the ontology has no model at all (HermiT: inconsistent ontology)."""
    unsatisfiable: tuple[str, ...]
    """IRIs of the named classes that can have no member, sorted."""
    classes: int
    """How many named classes were checked."""
    seconds: float
    """How long the reasoner ran, in seconds (Java start included)."""
    reasoner: str = REASONER

    @property
    def ok(self) -> bool:
        """Consistent with every class satisfiable."""
        return self.consistent and not self.unsatisfiable

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "reasoner": self.reasoner,
            "consistent": self.consistent,
            "classes": self.classes,
            "unsatisfiable": list(self.unsatisfiable),
            "seconds": round(self.seconds, 3),
        }


def _merged_graph(extra_files: Sequence[Path], extra_turtle: Sequence[str]) -> Graph:
    graph = ontology_graph()
    for path in extra_files:
        try:
            graph.parse(path, format="turtle")
        except (OSError, UnicodeDecodeError, SyntaxError, ParserError) as err:
            raise InputError(f"cannot read the Turtle file {path}: {err}") from None
    for text in extra_turtle:
        try:
            graph.parse(data=text, format="turtle")
        except (SyntaxError, ParserError) as err:
            raise InputError(f"cannot parse the extra Turtle: {err}") from None
    own = {ONTOLOGY_IRI, *graph.objects(ONTOLOGY_IRI, OWL.versionIRI)}
    for imported in graph.objects(None, OWL.imports):
        if imported not in own:
            raise InputError(
                f"the ontology imports {imported}: the check runs offline, "
                "give the imported ontology as one more --extra file instead"
            )
    graph.remove((None, OWL.imports, None))
    for predicate in set(graph.predicates()):
        if str(predicate).startswith(_OWLREADY):
            graph.remove((None, predicate, None))
    return graph


def _java() -> str:
    import owlready2

    command = str(owlready2.JAVA_EXE)
    java = shutil.which(command)
    if java is None:
        raise ReasonerError(
            f"the {REASONER} reasoner needs a Java runtime and {command!r} "
            "is not on the PATH: install one (e.g. apt-get install default-jre-headless)"
        )
    return java


def check_ontology(
    extra_files: Sequence[Path] = (), extra_turtle: Sequence[str] = ()
) -> ReasonerResult:
    """Run HermiT on the shipped ontology, together with extensions if given.

    ``extra_files`` are Turtle files and ``extra_turtle`` Turtle texts merged
    with the ontology before the check, e.g. an extension a user wrote.
    Raises :class:`ReasonerError` when Java is missing or fails, and
    :class:`~cams_graph.errors.InputError` when an extension does not parse.

    >>> check_ontology().ok  # doctest: +SKIP
    True
    """
    import owlready2

    graph = _merged_graph(extra_files, extra_turtle)
    classes = len({s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)})
    java = _java()
    world = owlready2.World()
    try:
        with tempfile.TemporaryDirectory(prefix="cams-reasoner-") as folder:
            source = Path(folder) / "ontology.nt"
            graph.serialize(source, format="nt", encoding="utf-8")
            with source.open("rb") as handle:
                world.get_ontology(str(ONTOLOGY_IRI)).load(
                    only_local=True, fileobj=handle, format="ntriples"
                )
        started = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasonerResult(
                consistent=False,
                unsatisfiable=(),
                classes=classes,
                seconds=time.perf_counter() - started,
            )
        except owlready2.OwlReadyJavaError as err:
            message = str(err).strip().splitlines()
            detail = next((line for line in message[1:] if line.strip()), "no message")
            raise ReasonerError(f"{REASONER} failed: {detail.strip()}") from None
        except OSError as err:
            raise ReasonerError(f"cannot run {java} for {REASONER}: {err}") from None
        seconds = time.perf_counter() - started
        unsatisfiable = sorted(
            str(entity.iri)
            for entity in world.inconsistent_classes()
            if entity is not owlready2.Nothing and isinstance(entity, owlready2.ThingClass)
        )
        return ReasonerResult(
            consistent=True, unsatisfiable=tuple(unsatisfiable), classes=classes, seconds=seconds
        )
    finally:
        world.close()
