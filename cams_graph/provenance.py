"""Where every fact came from: the PROV-O record of each import batch, listing, retracting.

Each batch's facts live in a named graph of their own (:func:`~cams_graph.namespaces.batch_graph`);
the provenance graph describes it::

    <graph/batch/ID> a cams:Batch ;                 # cams:Batch ⊑ prov:Bundle
        cams:batchId "ID" ; prov:wasGeneratedBy <id/import/ID> ;
        cams:tripleCount 1234 ; cams:worksCreated 10 ; cams:partiesCreated 4 ;
        cams:agreementsCreated 7 ; cams:replacedBatch <graph/batch/OLD> .
    <id/import/ID> a cams:Import ;                 # cams:Import ⊑ prov:Activity
        prov:wasAssociatedWith <id/agent/NAME> ;
        prov:startedAtTime "…"^^xsd:dateTime ; prov:endedAtTime "…"^^xsd:dateTime ;
        prov:used <id/import/ID/file/1> .
    <id/import/ID/file/1> a cams:SourceFile ;
        cams:fileName "ledger/works.csv" ; dcterms:format "text/csv" ;
        cams:sha256 "…" ; cams:rowCount 10 .
    <id/agent/NAME> a prov:Agent ; foaf:name "NAME" .

>>> new_batch_id(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))[:17]
'20260102T030405Z-'
>>> is_batch_id("20260102T030405Z-0a1b2c"), is_batch_id("../x")
(True, False)
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad, Triple

from .errors import ConflictingStateError, UnknownTermError
from .namespaces import (
    CAMS,
    DCTERMS,
    FOAF,
    GRAPH,
    ID,
    PROV,
    PROVENANCE_GRAPH,
    RDF,
    SYSTEM_GRAPH,
    XSD,
    batch_graph,
)
from .report import EntityCounts, FileRecord
from .resources import query_text
from .store import Store, insert_data, with_values

__all__ = [
    "BATCH_GRAPH_PREFIX",
    "BatchInfo",
    "BatchRecord",
    "RetractResult",
    "activity_iri",
    "is_batch_id",
    "list_batches",
    "new_batch_id",
    "pending_markers",
    "provenance_triples",
    "recover",
    "retract",
    "works_touched",
]

BATCH_GRAPH_PREFIX = str(GRAPH) + "batch/"
"""Every batch graph's IRI starts with this."""

_BATCH_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
_FORMATS = {
    "csv": "text/csv",
    "turtle": "text/turtle",
    "n-triples": "application/n-triples",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
    "json-ld": "application/ld+json",
    "rdf-xml": "application/rdf+xml",
}
_CODES = {media: code for code, media in _FORMATS.items()}


def _n(iri: object) -> NamedNode:
    return NamedNode(str(iri))


def new_batch_id(now: datetime | None = None) -> str:
    """A new batch id: the UTC time and six random hex digits, ``YYYYMMDDTHHMMSSZ-xxxxxx``."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def is_batch_id(text: str) -> bool:
    """Whether ``text`` has the form of a batch id."""
    return bool(_BATCH_ID.match(text))


def activity_iri(batch_id: str) -> NamedNode:
    """The import activity that generated a batch."""
    return _n(ID[f"import/{batch_id}"])


def _agent_iri(by: str) -> NamedNode:
    return _n(ID["agent/" + quote(by, safe="")])


def _datetime(moment: datetime) -> Literal:
    return Literal(
        moment.astimezone(UTC).isoformat().replace("+00:00", "Z"), datatype=_n(XSD.dateTime)
    )


def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=_n(XSD.integer))


@dataclass
class BatchRecord:
    """What the provenance graph says of one batch."""

    batch_id: str
    by: str
    started: datetime
    ended: datetime
    files: list[FileRecord]
    triple_count: int
    created: EntityCounts = field(default_factory=EntityCounts)
    replaced: list[str] = field(default_factory=list)


def provenance_triples(record: BatchRecord) -> list[Triple]:
    """The PROV-O description of a batch (see the module docstring).

    >>> record = BatchRecord("20260102T030405Z-0a1b2c", "lin", datetime(2026, 1, 2, tzinfo=UTC),
    ...                      datetime(2026, 1, 2, tzinfo=UTC), [], 0)
    >>> len(provenance_triples(record))
    15
    """
    bundle = _n(batch_graph(record.batch_id))
    activity = activity_iri(record.batch_id)
    agent = _agent_iri(record.by)
    rdf_type = _n(RDF.type)
    triples = [
        Triple(bundle, rdf_type, _n(CAMS.Batch)),
        Triple(bundle, _n(CAMS.batchId), Literal(record.batch_id)),
        Triple(bundle, _n(PROV.wasGeneratedBy), activity),
        Triple(bundle, _n(CAMS.tripleCount), _integer(record.triple_count)),
        Triple(bundle, _n(CAMS.worksCreated), _integer(record.created.works)),
        Triple(bundle, _n(CAMS.partiesCreated), _integer(record.created.parties)),
        Triple(bundle, _n(CAMS.agreementsCreated), _integer(record.created.agreements)),
        Triple(activity, rdf_type, _n(CAMS.Import)),
        Triple(activity, _n(PROV.wasAssociatedWith), agent),
        Triple(activity, _n(PROV.startedAtTime), _datetime(record.started)),
        Triple(activity, _n(PROV.endedAtTime), _datetime(record.ended)),
        Triple(activity, _n(PROV.generated), bundle),
        Triple(agent, rdf_type, _n(PROV.Agent)),
        Triple(agent, _n(FOAF.name), Literal(record.by)),
    ]
    triples.append(Triple(activity, _n(RDF.type), _n(PROV.Activity)))
    for old in record.replaced:
        triples.append(Triple(bundle, _n(CAMS.replacedBatch), _n(batch_graph(old))))
    for number, source in enumerate(record.files, start=1):
        node = _n(ID[f"import/{record.batch_id}/file/{number}"])
        triples += [
            Triple(activity, _n(PROV.used), node),
            Triple(node, rdf_type, _n(CAMS.SourceFile)),
            Triple(node, _n(CAMS.fileName), Literal(source.path)),
            Triple(node, _n(DCTERMS.format), Literal(_FORMATS.get(source.format, source.format))),
            Triple(node, _n(CAMS.sha256), Literal(source.sha256)),
            Triple(node, _n(CAMS.rowCount), _integer(source.rows)),
        ]
    return triples


def pending_markers(works: Iterable[str]) -> list[Quad]:
    """``<work> cams:derivationPending true`` in the system graph, for each work IRI."""
    system, pending = _n(SYSTEM_GRAPH), _n(CAMS.derivationPending)
    true = Literal("true", datatype=_n(XSD.boolean))
    return [Quad(NamedNode(w), pending, true, system) for w in sorted(set(works))]


@dataclass
class BatchInfo:
    """One batch as ``cams batches`` lists it."""

    batch_id: str
    by: str
    started: str
    ended: str
    triples: int
    created: EntityCounts
    files: list[FileRecord] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The batch as ``cams batches --format json`` and ``GET /api/imports`` give it."""
        return {
            "batch": self.batch_id,
            "by": self.by,
            "started": self.started,
            "ended": self.ended,
            "triples": self.triples,
            "created": self.created.as_dict(),
            "replaced": self.replaced,
            "files": [
                {"path": f.path, "format": f.format, "sha256": f.sha256, "rows": f.rows}
                for f in self.files
            ],
        }


def _int(value: object) -> int:
    return int(value.value) if isinstance(value, Literal) else 0


def _text(value: object) -> str:
    return value.value if isinstance(value, Literal | NamedNode) else ""


def list_batches(store: Store) -> list[BatchInfo]:
    """Every batch in the provenance graph, oldest first."""
    found: dict[str, BatchInfo] = {}
    for row in store.select(
        f"""SELECT ?b ?id ?by ?start ?end ?n ?w ?p ?a WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
            ?b a cams:Batch ; cams:batchId ?id ; prov:wasGeneratedBy ?act ; cams:tripleCount ?n ;
               cams:worksCreated ?w ; cams:partiesCreated ?p ; cams:agreementsCreated ?a .
            ?act prov:startedAtTime ?start ; prov:endedAtTime ?end .
            OPTIONAL {{ ?act prov:wasAssociatedWith/foaf:name ?by }} }} }}
           ORDER BY ?start ?id"""
    ):
        batch_id = _text(row["id"])
        found[batch_id] = BatchInfo(
            batch_id,
            _text(row.get("by")),
            _text(row["start"]),
            _text(row["end"]),
            _int(row["n"]),
            EntityCounts(_int(row["p"]), _int(row["w"]), _int(row["a"])),
        )
    for row in store.select(
        f"""SELECT ?id ?name ?format ?sha ?rows WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
            ?b cams:batchId ?id ; prov:wasGeneratedBy/prov:used ?f .
            ?f cams:fileName ?name ; cams:sha256 ?sha ; cams:rowCount ?rows .
            OPTIONAL {{ ?f dcterms:format ?format }} }} }} ORDER BY ?id ?f"""
    ):
        info = found.get(_text(row["id"]))
        if info is not None:
            info.files.append(
                FileRecord(
                    _text(row["name"]),
                    _CODES.get(_text(row.get("format")), _text(row.get("format"))),
                    _text(row["sha"]),
                    _int(row["rows"]),
                )
            )
    for row in store.select(
        f"""SELECT ?id ?old WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
            ?b cams:batchId ?id ; cams:replacedBatch ?old }} }} ORDER BY ?id ?old"""
    ):
        info = found.get(_text(row["id"]))
        if info is not None:
            info.replaced.append(_text(row["old"]).removeprefix(BATCH_GRAPH_PREFIX))
    return list(found.values())


@dataclass
class RetractResult:
    """What a retraction removed."""

    batch_id: str
    triples: int
    works: list[str]
    dependents: list[str]


def works_touched(store: Store, entities: Iterable[str]) -> set[str]:
    """IRIs of the works whose chain of title depends on these parties, works or agreements."""
    nodes = sorted(set(entities))
    found: set[str] = set()
    for i in range(0, len(nodes), 5000):
        chunk = [NamedNode(n) for n in nodes[i : i + 5000]]
        query = with_values(query_text("works-touched"), "entity", chunk)
        found.update(_text(row["work"]) for row in store.select(query))
    return found


def recover(store: Store) -> list[str]:
    """Drop the facts of imports that were interrupted before their commit record was written.

    A large batch is bulk-loaded into its graph first; the import becomes real
    when its PROV-O record and derivation markers are written, in one
    transaction. A batch graph without a record is what a crash in between
    leaves: it is dropped here. Returns the ids of the dropped batches.
    """
    # `GRAPH ?g {}` lists the named graphs without reading their triples: every command
    # opens the store this way, whatever its size.
    orphans = store.select(
        f"""SELECT DISTINCT ?g WHERE {{
            GRAPH ?g {{ }}
            FILTER (STRSTARTS(STR(?g), "{BATCH_GRAPH_PREFIX}"))
            FILTER NOT EXISTS {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?g a cams:Batch }} }}
        }}"""
    )
    dropped = [_text(row["g"]) for row in orphans]
    for graph in dropped:
        store.drop_graph(graph)
    return [g.removeprefix(BATCH_GRAPH_PREFIX) for g in dropped]


def retract(store: Store, batch_id: str, *, force: bool = False) -> RetractResult:
    """Remove one batch (its graph and its provenance) in one update.

    Refused with :class:`~cams_graph.errors.ConflictingStateError` when other
    batches hold facts about, or references to, the parties, works or
    agreements of this batch, unless ``force``. The works whose facts change
    are marked for re-derivation in the same update.
    """
    graph = str(batch_graph(batch_id))
    if not is_batch_id(batch_id) or not store.ask(
        f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{graph}> a cams:Batch }} }}"
    ):
        raise UnknownTermError(f"no batch {batch_id!r} in the store (see `cams batches`)")
    dependents = store.select(
        f"""SELECT DISTINCT ?g ?k WHERE {{
            GRAPH <{graph}> {{ ?e dcterms:identifier ?k }}
            GRAPH ?g {{ {{ ?x ?p ?e }} UNION {{ ?e ?p ?x }} }}
            FILTER(?g != <{graph}> && STRSTARTS(STR(?g), "{BATCH_GRAPH_PREFIX}"))
        }} ORDER BY ?g ?k LIMIT 100"""
    )
    later = sorted({_text(r["g"]).removeprefix(BATCH_GRAPH_PREFIX) for r in dependents})
    if later and not force:
        keys = sorted({_text(r["k"]) for r in dependents})
        shown = ", ".join(keys[:10]) + (", …" if len(keys) > 10 else "")
        raise ConflictingStateError(
            f"batch {batch_id} cannot be retracted: batch{'es' if len(later) > 1 else ''} "
            f"{', '.join(later)} refer to what it holds ({shown}); retract "
            f"{'them' if len(later) > 1 else 'it'} first, or use --force"
        )
    entities = [
        _text(r["e"])
        for r in store.select(
            f"SELECT DISTINCT ?e WHERE {{ GRAPH <{graph}> {{ ?e ?p ?o FILTER(isIRI(?e)) }} }}"
        )
    ]
    works = sorted(works_touched(store, entities))
    size = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    activity = activity_iri(batch_id)
    markers = [Triple(q.subject, q.predicate, q.object) for q in pending_markers(works)]
    update = (
        f"DROP SILENT GRAPH <{graph}> ;\n"
        f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{activity.value}> prov:used ?f .\n"
        "  ?f ?fp ?fo } } ;\n"
        f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{activity.value}> ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{graph}> ?p ?o }} }} ;\n"
        f"DELETE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?agent ?p ?o }} }} WHERE {{\n"
        f"  GRAPH <{PROVENANCE_GRAPH}> {{ ?agent a prov:Agent ; ?p ?o\n"
        "    FILTER NOT EXISTS { ?other prov:wasAssociatedWith ?agent } } }"
    )
    if markers:
        update += " ;\n" + insert_data(str(SYSTEM_GRAPH), markers)
    store.update(update)
    return RetractResult(batch_id, _int(size[0].get("n")) if size else 0, works, later)
