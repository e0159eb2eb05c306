"""The import pipeline: read → map → validate → check keys → commit, all or nothing.

:func:`import_paths` takes ledger folders, ledger CSV files and RDF files as one
batch and returns an :class:`~cams_graph.report.ImportReport`:

1. **Read and map** every file (:mod:`cams_graph.ledger`, :mod:`cams_graph.rdfinput`,
   :mod:`cams_graph.mapping`). Unreadable input raises
   :class:`~cams_graph.errors.InputError` (exit 2) before anything else happens.
2. **Look up** in the store, with chunked ``VALUES`` queries, every node the batch
   describes or points to: its stored facts (to tell new, unchanged and changed
   entities apart) and its type (so a reference to a party imported last week
   is fine).
3. **Validate** the batch with the SHACL shapes in a small in-memory dataset:
   the ontology, the batch (the focus graph) and the store's description of the
   nodes it refers to. The store as a whole is never validated. The rules SHACL
   cannot state are checked here, in the same report: duplicate keys, keys
   already used, derivation cycles, contributions to unknown works.
4. **Commit**, if there is no violation and something is new: the batch's new
   facts into their own named graph, the PROV-O record into the provenance
   graph, a ``cams:derivationPending`` marker per affected work (on a first
   import, one marker for every work) into the system graph: one transaction
   (``Store.add``, or one ``Store.update`` when ``update`` replaces stored
   facts). Then the title engine derives what is pending.

>>> from cams_graph.store import EmbeddedStore
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "parties.csv").write_text("party_id,name,kind\\nP1,Lin Wen,person\\n")
>>> plan = collect_inputs([folder])
>>> [(p.path.name, p.kind) for p in plan]
[('parties.csv', 'csv')]
"""

from __future__ import annotations

import getpass
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import pyoxigraph
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from .catalogue import facts_of_triples, vocabulary_codes
from .errors import InputError
from .facts import Catalogue
from .ledger import TABLES, Limits, kind_of, read_table
from .mapping import (
    CONTRIBUTION_PREDICATES,
    ENTITY_CLASSES,
    BatchBuilder,
    Entity,
    display_value,
    term_value,
)
from .namespaces import (
    BASE,
    CAMS,
    DCTERMS,
    DERIVED_GRAPH,
    EVERY_WORK,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    RDF,
    SYSTEM_GRAPH,
    XSD,
    batch_graph,
)
from .ontology import ontology_triples
from .provenance import (
    BATCH_GRAPH_PREFIX,
    BatchRecord,
    new_batch_id,
    pending_markers,
    provenance_triples,
    works_touched,
)
from .rdfinput import FORMAT_CODES, RDF_EXTENSIONS, read_rdf
from .report import FileRecord, ImportReport, Problem
from .store import EmbeddedStore, Store, insert_data

if TYPE_CHECKING:
    import rdflib

__all__ = [
    "ImportOptions",
    "InputFile",
    "ProgressCallback",
    "ShapeResultLike",
    "ShapeValidator",
    "collect_inputs",
    "default_validator",
    "derive_pending",
    "import_paths",
]

_BOOKKEEPING_GRAPHS = frozenset(
    str(g) for g in (ONTOLOGY_GRAPH, PROVENANCE_GRAPH, SYSTEM_GRAPH, DERIVED_GRAPH)
)
"""Graphs that hold no facts: the vocabularies, provenance, markers and derived results."""

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while an import runs."""

CHUNK: Final = 500
"""How many nodes one lookup query names in its ``VALUES``."""

_VOCABULARIES: Final = (
    *(
        BASE + name + "/"
        for name in (
            "right",
            "category",
            "territory",
            "authorship",
            "derivation",
            "asset-class",
            "conflict",
            "severity",
        )
    ),
    BASE + "ontology",
)
_TYPE: Final = str(RDF.type)
_IDENTIFIER: Final = str(DCTERMS.identifier)
_DERIVED_FROM: Final = str(CAMS.derivedFrom)
_AGREEMENT_WORK: Final = str(CAMS.work)
_AGREEMENT_PARENT: Final = str(CAMS.parent)
BULK_COMMIT: Final = 20_000
"""Batches of more facts than this are bulk-loaded before their commit record."""
_HAS_BLANK_NODE: Final = re.compile(rb'(?:^|\n)_:|\s_:[^\s"]+ \.\n')
"""A blank node subject or object in N-Triples (no literal holds a raw line end)."""
_UNAMBIGUOUS_RDF: Final = {".ttl", ".turtle", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl"}


class ShapeResultLike(Protocol):
    """One SHACL result, as :class:`cams_graph.shacl.ShapeResult` gives it."""

    @property
    def focus(self) -> NamedNode | BlankNode: ...
    @property
    def path(self) -> str | None: ...
    @property
    def value(self) -> NamedNode | BlankNode | Literal | None: ...
    @property
    def severity(self) -> str: ...
    @property
    def shape(self) -> str: ...
    @property
    def constraint(self) -> str: ...
    @property
    def message_en(self) -> str: ...
    @property
    def message_zh(self) -> str: ...


class ShapeValidator(Protocol):
    """What the importer needs of :class:`cams_graph.shacl.Validator`."""

    def validate(
        self, data: pyoxigraph.Store, focus_graph: str | None = None
    ) -> Sequence[ShapeResultLike]: ...

    def report_graph(self, results: Any) -> rdflib.Graph: ...


@cache
def default_validator() -> ShapeValidator:
    """The shipped shapes, loaded once per process."""
    from .shacl import Validator

    validator: ShapeValidator = Validator.shipped()
    return validator


def derive_pending(store: Store, facts: Catalogue | None = None) -> None:
    """Let the title engine derive the works marked ``cams:derivationPending``.

    ``facts``: every fact of the store, when the import knows them (a first import into a
    store that held no other facts), so that they need not be read back.
    """
    from .derive import derive_pending as derive

    derive(store, facts=facts)


@dataclass(frozen=True)
class ImportOptions:
    """How to import: replace changed entities, store nothing, who imports, size limits."""

    update: bool = False
    dry_run: bool = False
    by: str | None = None
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class InputFile:
    """One file of the batch: where it is, how it is named in reports, CSV or RDF."""

    path: Path
    name: str
    kind: str  # "csv" or "rdf"


def collect_inputs(paths: Iterable[str | Path]) -> list[InputFile]:
    """The files a list of paths names: ledger folders are opened, files taken as given.

    A folder contributes its ledger tables (``parties.csv``, ``works.csv``,
    ``contributions.csv``, ``agreements.csv``) and its RDF files with an
    unambiguous extension (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ``.jsonld``,
    ``.rdf``, ``.owl``); other files in it are left alone.
    """
    found: list[InputFile] = []
    seen: set[Path] = set()

    def add(path: Path, name: str, kind: str) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(InputFile(path, name, kind))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            before = len(found)
            files = sorted(p for p in path.iterdir() if p.is_file())
            for table in TABLES:
                for p in files:
                    if p.name.lower() == table + ".csv":
                        add(p, str(p), "csv")
            for p in files:
                if p.suffix.lower() in _UNAMBIGUOUS_RDF:
                    add(p, str(p), "rdf")
            if len(found) == before:
                raise InputError(f"{path}: no ledger CSV files or RDF files in this folder")
        elif path.is_file():
            suffix = path.suffix.lower()
            if suffix == ".csv":
                add(path, str(given), "csv")
            elif suffix in RDF_EXTENSIONS:
                add(path, str(given), "rdf")
            else:
                raise InputError(
                    f"{given}: not a ledger CSV file or an RDF file (.ttl, .nt, .nq, .trig, "
                    ".jsonld, .rdf); cannot tell how to read it"
                )
        elif path.exists():
            raise InputError(f"{given}: not a file or a folder")
        else:
            raise InputError(f"{given}: no such file or folder")
    if not found:
        raise InputError("nothing to import: give a ledger folder, CSV files or RDF files")
    order = {name: i for i, name in enumerate(TABLES)}
    return sorted(
        found,
        key=lambda f: (
            f.kind != "csv",
            order.get(kind_of(f.name) or "", 9) if f.kind == "csv" else 0,
        ),
    )


@dataclass
class _Stored:
    """The store's facts about the nodes a batch names (batch graphs only)."""

    facts: dict[str, list[tuple[str, Any, str]]] = field(default_factory=dict)
    bnodes: dict[tuple[str, str], list[tuple[str, Any]]] = field(default_factory=dict)


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _values(nodes: Iterable[str]) -> str:
    return " ".join(str(NamedNode(n)) for n in nodes)


def _lookup(store: Store, nodes: Sequence[str]) -> _Stored:
    stored = _Stored()
    if not nodes:
        return stored
    for chunk in _chunks(nodes):
        for row in store.select(
            f"""SELECT ?s ?p ?o ?g ?bp ?bo WHERE {{
                VALUES ?s {{ {_values(chunk)} }}
                GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) }} }}
                FILTER(STRSTARTS(STR(?g), "{BATCH_GRAPH_PREFIX}"))
            }}"""
        ):
            s, p, o, g = row["s"].value, row["p"].value, row["o"], row["g"].value
            facts = stored.facts.setdefault(s, [])
            if not facts or facts[-1] != (p, o, g):
                facts.append((p, o, g))
            if "bp" in row and isinstance(o, BlankNode):
                stored.bnodes.setdefault((g, o.value), []).append((row["bp"].value, row["bo"]))
    for node, facts in stored.facts.items():
        stored.facts[node] = list(dict.fromkeys(facts))
    return stored


def _signature(
    pairs: Iterable[tuple[str, Any]],
    expand: Callable[[BlankNode], Any],
    canon: Callable[[Any], Any],
) -> frozenset[Any]:
    """The facts of a node as a set, blank-node objects replaced by their own facts."""
    return frozenset((p, expand(o) if isinstance(o, BlankNode) else canon(o)) for p, o in pairs)


class _Canonical:
    """Terms as the store gives them back: Oxigraph normalises some literals ("1.50" → "1.5").

    >>> canon = _Canonical()
    >>> canon(Literal("1.50", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))).value
    '1.5'
    """

    shared: _Canonical
    _VERBATIM: Final = frozenset({str(XSD.string), str(RDF.langString)})

    def __init__(self) -> None:
        self._scratch = pyoxigraph.Store()
        self._cache: dict[Literal, Literal] = {}
        self._node = NamedNode(BASE + "scratch")

    def __call__(self, term: Any) -> Any:
        if not isinstance(term, Literal) or term.datatype.value in self._VERBATIM:
            return term
        found = self._cache.get(term)
        if found is None:
            self._scratch.add(Quad(self._node, self._node, term))
            stored = next(iter(self._scratch)).object
            self._scratch.clear()
            found = stored if isinstance(stored, Literal) else term
            self._cache[term] = found
        return found


_Canonical.shared = _Canonical()


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _now() -> datetime:
    return datetime.now(UTC)


class _Run:
    """One import in progress: the state shared by the steps of :func:`import_paths`."""

    def __init__(
        self,
        store: Store,
        options: ImportOptions,
        validator: ShapeValidator | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.store = store
        self.options = options
        self.validator = validator
        self.progress = progress or (lambda stage, done, total: None)
        self.builder = BatchBuilder()
        self.report = ImportReport(
            status="rejected",
            dry_run=options.dry_run,
            update=options.update,
            by=options.by or getpass.getuser(),
        )
        self.batch_id = new_batch_id()
        self.triples: list[Triple] = []
        self.new: list[Triple] = []
        self.replace: list[str] = []
        self.quads: list[Quad] = []
        self.ntriples: bytes | None = None
        self.first_import = False
        self._by_subject: dict[str, list[Triple]] | None = None
        self.shape_results: Sequence[ShapeResultLike] = []

    # -- 1. read and map ----------------------------------------------------

    def read(self, inputs: list[InputFile]) -> None:
        limits = self.options.limits
        for number, item in enumerate(inputs):
            self.progress("read", number, len(inputs))
            if item.kind == "csv":
                table, data = read_table(item.path, limits, item.name)
                self.builder.add_table(table)
                record = FileRecord(
                    item.name, "csv", hashlib.sha256(data).hexdigest(), len(table.rows)
                )
            else:
                fmt = RDF_EXTENSIONS[item.path.suffix.lower()]
                document, data = read_rdf(item.path, fmt, limits, item.name)
                self.builder.problems.extend(document.problems)
                count = self.builder.add_rdf(item.name, document.triples, document.line_of)
                code = FORMAT_CODES[fmt]
                record = FileRecord(item.name, code, hashlib.sha256(data).hexdigest(), count)
            self.report.files.append(record)
        self.builder.finish_rdf()
        self.triples = list(dict.fromkeys(self.builder.triples))
        self.builder.triples = []
        self.report.triples_read = len(self.triples)
        self.progress("read", len(inputs), len(inputs))

    # -- 2. compare with the store -------------------------------------------

    @property
    def by_subject(self) -> dict[str, list[Triple]]:
        """The batch's triples by subject, built when first asked for."""
        if self._by_subject is None:
            self._by_subject = {}
            for t in self.triples:
                self._by_subject.setdefault(term_value(t.subject), []).append(t)
        return self._by_subject

    def compare(self) -> _Stored:
        if not self.store.ask(
            f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?batch a <{CAMS.Batch}> }} }}"
        ):
            # The first import: nothing stored to compare with, every entity is new.
            self.first_import = True
            if self.store.ask(
                f"ASK {{ GRAPH ?g {{ ?s <{DCTERMS.identifier}> ?k }} "
                f'FILTER(STRSTARTS(STR(?g), "{BATCH_GRAPH_PREFIX}")) }}'
            ):
                self._check_identifiers()  # keys written into batch graphs by other means
            for entity in self.builder.entities.values():
                self.report.created.add(entity.kind)
            self.new = self.triples
            return _Stored()
        by_subject = self.by_subject
        references: set[str] = set()
        for t in self.triples:
            o = t.object
            if (
                isinstance(o, NamedNode)
                and t.predicate.value != _TYPE
                and not o.value.startswith(_VOCABULARIES)
            ):
                references.add(o.value)
        named = [
            s for s, triples in by_subject.items() if isinstance(triples[0].subject, NamedNode)
        ]
        nodes = sorted(set(named) | references)
        self.progress("look up", 0, len(nodes))
        stored = _lookup(self.store, nodes)
        # The stored facts that join the validation context point to nodes of their own
        # (the other authors of a work, say); their types are needed too.
        fetched = set(nodes)
        second = sorted(
            {
                o.value
                for node, facts in stored.facts.items()
                for p, o, _ in facts
                if isinstance(o, NamedNode)
                and o.value not in fetched
                and p != _TYPE
                and not o.value.startswith(_VOCABULARIES)
                and (node not in self.builder.entities or p in CONTRIBUTION_PREDICATES)
            }
        )
        if second:
            stored.facts.update(_lookup(self.store, second).facts)
        self._check_identifiers()
        entities = self.builder.entities
        noop: set[Triple] = set()
        canon = _Canonical()
        for subject, triples in by_subject.items():
            if subject in stored.facts:
                have = {(p, canon(o)) for p, o, _ in stored.facts[subject]}
                in_row = subject in entities
                noop.update(
                    t
                    for t in triples
                    if (not in_row or t.predicate.value in CONTRIBUTION_PREDICATES)
                    and (t.predicate.value, canon(t.object)) in have
                )
        for iri, entity in entities.items():
            mine = [
                t
                for t in by_subject.get(iri, ())
                if t.predicate.value not in CONTRIBUTION_PREDICATES
            ]
            theirs = [f for f in stored.facts.get(iri, ()) if f[0] not in CONTRIBUTION_PREDICATES]
            if not theirs or not any(
                p == _TYPE and o.value in ENTITY_CLASSES for p, o, _ in theirs
            ):
                self.report.created.add(entity.kind)
                continue
            own = _signature(
                ((t.predicate.value, t.object) for t in mine), self._batch_bnode, canon
            )
            graphs = sorted({g for _, _, g in theirs})
            old = _signature(
                ((p, o) for p, o, _ in theirs),
                partial(self._stored_bnode, stored, graphs, canon=canon),
                canon,
            )
            if own == old:
                self.report.unchanged.add(entity.kind)
                noop.update(mine)
                noop.update(self._bnode_triples(mine))
            elif self.options.update:
                self.report.updated.add(entity.kind)
                self.replace.append(iri)
                for g in graphs:
                    batch = g.removeprefix(BATCH_GRAPH_PREFIX)
                    if batch not in self.report.replaced_batches:
                        self.report.replaced_batches.append(batch)
            else:
                self._key_exists(entity, own, old, graphs)
        self.new = [t for t in self.triples if t not in noop] if noop else self.triples
        self.report.replaced_batches.sort()
        return stored

    def _batch_bnode(self, node: BlankNode) -> frozenset[Any]:
        pairs = ((t.predicate.value, t.object) for t in self.by_subject.get(node.value, ()))
        return _signature(pairs, self._batch_bnode, _Canonical.shared)

    @staticmethod
    def _stored_bnode(
        stored: _Stored, graphs: list[str], node: BlankNode, canon: Callable[[Any], Any]
    ) -> frozenset[Any]:
        pairs = [pair for g in graphs for pair in stored.bnodes.get((g, node.value), ())]
        return frozenset((p, canon(o)) for p, o in pairs)

    def _bnode_triples(self, triples: list[Triple]) -> list[Triple]:
        out: list[Triple] = []
        for t in triples:
            if isinstance(t.object, BlankNode):
                inner = self.by_subject.get(t.object.value, [])
                out += inner + self._bnode_triples(inner)
        return out

    def _key_exists(
        self, entity: Entity, own: frozenset[Any], old: frozenset[Any], graphs: list[str]
    ) -> None:
        batches = ", ".join(g.removeprefix(BATCH_GRAPH_PREFIX) for g in graphs)
        changed = sorted({_local(p) for p, _ in own ^ old})
        where = self.builder.sources.locate(entity.iri, None, None)
        self.builder.problems.append(
            Problem(
                rule="key-exists",
                severity="violation",
                file=where.file,
                row=where.row,
                line=where.line,
                column=where.column,
                value=entity.key,
                node=entity.iri,
                message=f"the {entity.kind} {entity.key} is already in the store (batch {batches}) "
                f"with other facts ({', '.join(changed)} differ); "
                "import with --update to replace them",
                message_zh=f"{entity.kind} {entity.key} 已存在于库中（批次 {batches}），且内容不同"
                f"（{', '.join(changed)}）；如需替换请使用 --update",
            )
        )

    def _check_identifiers(self) -> None:
        """A key already given to another node in the store is a violation (even with --update)."""
        wanted: dict[str, list[Entity]] = {}
        for entity in self.builder.entities.values():
            if entity.key is not None:
                wanted.setdefault(entity.key, []).append(entity)
        keys = sorted(wanted)
        for chunk in _chunks(keys):
            literals = " ".join(str(Literal(k)) for k in chunk)
            for row in self.store.select(
                f"""SELECT ?s ?k ?g ?t WHERE {{ VALUES ?k {{ {literals} }}
                    GRAPH ?g {{ ?s dcterms:identifier ?k . ?s a ?t }}
                    FILTER(STRSTARTS(STR(?g), "{BATCH_GRAPH_PREFIX}")) }}"""
            ):
                kind = ENTITY_CLASSES.get(row["t"].value)
                for entity in wanted.get(row["k"].value, ()):
                    if kind == entity.kind and row["s"].value != entity.iri:
                        where = self.builder.sources.locate(entity.iri, _IDENTIFIER, None)
                        batch = row["g"].value.removeprefix(BATCH_GRAPH_PREFIX)
                        self.builder.problems.append(
                            Problem(
                                rule="key-exists",
                                severity="violation",
                                file=where.file,
                                row=where.row,
                                line=where.line,
                                column=where.column,
                                value=entity.key,
                                node=entity.iri,
                                message=f"the {entity.kind} key {entity.key} already names another "
                                f"node in the store: <{row['s'].value}> (batch {batch})",
                                message_zh=f"{entity.kind} 主键 {entity.key} 在库中已用于另一节点"
                                f" <{row['s'].value}>（批次 {batch}）",
                            )
                        )

    # -- 3. validate ----------------------------------------------------------

    def validate(self, stored: _Stored) -> None:
        self.progress("validate", 0, 1)
        focus = batch_graph(self.batch_id)
        data = pyoxigraph.Store()
        data.extend(_ontology_quads())
        focus_node = NamedNode(str(focus))
        # Serialized and parsed in Rust: much cheaper than a Python quad per triple.
        text = pyoxigraph.serialize(self.triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        assert text is not None  # no output given: the bytes are returned
        if b"_:" in text and _HAS_BLANK_NODE.search(text):  # `in` first: a fast scan
            # A parser renames blank nodes, and results are traced back to rows by them.
            self.quads = [Quad(t.subject, t.predicate, t.object, focus_node) for t in self.triples]
            data.extend(self.quads)
        else:
            data.load(text, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=focus_node)
            self.ntriples = text
        context = NamedNode(BASE + "graph/validation-context")
        entities = self.builder.entities
        context_quads: list[Quad] = []
        for node, facts in stored.facts.items():
            subject = NamedNode(node)
            for p, o, g in facts:
                if node in entities and p not in CONTRIBUTION_PREDICATES:
                    continue
                context_quads.append(Quad(subject, NamedNode(p), o, context))
                if isinstance(o, BlankNode):
                    for bp, bo in stored.bnodes.get((g, o.value), ()):
                        context_quads.append(Quad(o, NamedNode(bp), bo, context))
        data.extend(context_quads)
        validator = self.validator or default_validator()
        self.shape_results = validator.validate(data, focus_graph=str(focus))
        sources = self.builder.sources
        for result in self.shape_results:
            value, path = result.value, result.path
            if path is None and value is not None:
                # a node-level result about one of the node's values: name that property
                path = next(
                    (
                        t.predicate.value
                        for t in self.by_subject.get(result.focus.value, ())
                        if t.object == value
                    ),
                    None,
                )
            where = sources.locate(
                result.focus.value,
                path,
                value.value if isinstance(value, NamedNode | BlankNode) else None,
            )
            severity = result.severity if result.severity in ("violation", "warning") else "info"
            entity = entities.get(result.focus.value)
            self.builder.problems.append(
                Problem(
                    rule=_local(result.shape) if result.shape else _local(result.constraint),
                    severity=severity,  # type: ignore[arg-type]
                    message=result.message_en,
                    message_zh=result.message_zh,
                    file=where.file,
                    row=where.row,
                    line=where.line,
                    column=where.column,
                    value=display_value(value),
                    node=entity.key if entity is not None and entity.key else result.focus.value,
                )
            )
        self._check_cycles(stored)
        self.progress("validate", 1, 1)

    def _check_cycles(self, stored: _Stored) -> None:
        """A work derived from itself through other works (the direct case is a shape's)."""
        edges: dict[str, list[str]] = {}
        for t in self.triples:
            if t.predicate.value == _DERIVED_FROM and isinstance(t.object, NamedNode):
                edges.setdefault(term_value(t.subject), []).append(t.object.value)
        if not edges:
            return
        defined = {e.iri for e in self.builder.entities.values() if e.kind == "work"}
        known: dict[str, list[str]] = {}
        for node, facts in stored.facts.items():
            if node not in defined:
                known[node] = [o.value for p, o, _ in facts if p == _DERIVED_FROM]
        for node, targets in edges.items():
            known[node] = targets if node in defined else known.get(node, []) + targets
        frontier = {t for targets in known.values() for t in targets if t not in known}
        while frontier:
            batch = sorted(frontier)
            fetched = _lookup(self.store, batch)
            for node in batch:
                known[node] = [
                    o.value for p, o, _ in fetched.facts.get(node, ()) if p == _DERIVED_FROM
                ]
            frontier = {t for node in batch for t in known[node] if t not in known}
        for work in sorted(edges):
            cycle = _cycle_from(work, known)
            if cycle is None or len(cycle) < 3:
                continue
            where = self.builder.sources.locate(work, _DERIVED_FROM, None)
            path = " → ".join(display_value(NamedNode(n)) or n for n in cycle)
            self.builder.problems.append(
                Problem(
                    rule="derivation-cycle",
                    severity="violation",
                    file=where.file,
                    row=where.row,
                    line=where.line,
                    column=where.column,
                    value=display_value(NamedNode(edges[work][0])),
                    node=work,
                    message=f"the work is derived from itself through other works: {path}",
                    message_zh=f"作品通过其他作品派生自身：{path}",
                )
            )

    # -- 4. commit ----------------------------------------------------------------

    def commit(self, started: datetime) -> None:
        graph = batch_graph(self.batch_id)
        graph_node = NamedNode(str(graph))
        self.report.batch_id = self.batch_id
        record = BatchRecord(
            self.batch_id,
            self.report.by,
            started,
            _now(),
            self.report.files,
            len(self.new),
            self.report.created,
            self.report.replaced_batches,
        )
        # A first import marks every work pending with one marker, not one per work.
        markers = pending_markers([EVERY_WORK] if self.first_import else self._affected_works())
        provenance = provenance_triples(record)
        self.progress("commit", 0, len(self.new))
        if not self.replace:
            prov = NamedNode(str(PROVENANCE_GRAPH))
            commit = [Quad(t.subject, t.predicate, t.object, prov) for t in provenance] + markers
            every = len(self.new) == len(self.triples)
            if len(self.new) > BULK_COMMIT:
                # Bulk-load the facts, then write the record that makes them real in one
                # transaction; `provenance.recover` drops a batch graph left without one.
                if every and self.ntriples is not None:
                    # the N-Triples written for validation will do: parsed in Rust
                    self.store.bulk_load(self.ntriples, pyoxigraph.RdfFormat.N_TRIPLES, str(graph))
                else:
                    self.store.bulk_add(self._quads(graph_node, every))
                self.store.add(commit)
            else:
                self.store.add(self._quads(graph_node, every) + commit)
        else:
            self.store.update(
                _delete_rows(self.replace)
                + " ;\n"
                + insert_data(str(graph), self.new)
                + " ;\n"
                + insert_data(str(PROVENANCE_GRAPH), provenance)
                + " ;\n"
                + insert_data(str(SYSTEM_GRAPH), [m.triple for m in markers])
            )
        self.progress("commit", len(self.new), len(self.new))

    def _quads(self, graph: NamedNode, every: bool) -> list[Quad]:
        """The new facts as quads of the batch graph (those built for validation if any)."""
        if every and self.quads:
            return self.quads
        return [Quad(t.subject, t.predicate, t.object, graph) for t in self.new]

    def facts_if_alone(self) -> Catalogue | None:
        """The title engine's facts, from this batch alone, when it is the store's only
        source of facts (a first import into a store holding nothing but the ontology and
        bookkeeping); else None, and the facts are read from the store."""
        if not self.first_import or not isinstance(self.store, EmbeddedStore):
            return None
        own = {str(batch_graph(self.batch_id)), *_BOOKKEEPING_GRAPHS}
        graphs = self.store.oxigraph.named_graphs()
        if any(g.value not in own for g in graphs if isinstance(g, NamedNode)):
            return None
        default = self.store.oxigraph.quads_for_pattern(None, None, None, DefaultGraph())
        if next(iter(default), None) is not None:
            return None  # facts written into the default graph by other means
        return facts_of_triples(self.new, vocabulary_codes(self.store))

    def _affected_works(self) -> set[str]:
        entities = self.builder.entities
        works = {iri for iri, e in entities.items() if e.kind == "work"}
        if self.first_import:
            return works  # every work is new, and every agreement names works of the batch
        affected: set[str] = set()
        for t in self.new:
            s = term_value(t.subject)
            if s in works or t.predicate.value in CONTRIBUTION_PREDICATES:
                affected.add(s)
        for t in self.triples:
            if t.predicate.value == _AGREEMENT_WORK and isinstance(t.object, NamedNode):
                entity = entities.get(term_value(t.subject))
                if entity is not None and entity.kind == "agreement":
                    affected.add(t.object.value)
        affected.update(iri for iri in self.replace if iri in works)
        # Stored facts this batch changes or ends: replaced rows (their old works, the
        # works of a party whose dates changed) and agreements ended by a termination.
        ended = {
            t.object.value
            for t in self.triples
            if t.predicate.value == _AGREEMENT_PARENT and isinstance(t.object, NamedNode)
        }
        if self.replace or ended:
            affected |= works_touched(self.store, [*self.replace, *ended])
        return affected


def _cycle_from(start: str, edges: dict[str, list[str]]) -> list[str] | None:
    """A path start → … → start along ``edges``, if there is one (depth-first, iterative)."""
    stack: list[tuple[str, int]] = [(start, 0)]
    path: list[str] = [start]
    on_path = {start}
    done: set[str] = set()
    while stack:
        node, index = stack[-1]
        targets = edges.get(node, [])
        if index >= len(targets):
            stack.pop()
            path.pop()
            on_path.discard(node)
            done.add(node)
            continue
        stack[-1] = (node, index + 1)
        target = targets[index]
        if target == start:
            return [*path, start]
        if target in on_path or target in done:
            continue
        stack.append((target, 0))
        path.append(target)
        on_path.add(target)
    return None


def _delete_rows(subjects: Sequence[str]) -> str:
    """Delete the row facts (not contributions) of entities, in whichever batch graph."""
    contributions = ", ".join(f"<{p}>" for p in sorted(CONTRIBUTION_PREDICATES))
    return (
        f"DELETE {{ GRAPH ?g {{ ?s ?p ?o . ?o ?bp ?bo }} }} WHERE {{\n"
        f"  VALUES ?s {{ {_values(subjects)} }}\n"
        f"  GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) }} }}\n"
        f'  FILTER(STRSTARTS(STR(?g), "{BATCH_GRAPH_PREFIX}") && ?p NOT IN ({contributions}))\n}}'
    )


@cache
def _ontology_quads() -> tuple[Quad, ...]:
    graph = NamedNode(str(ONTOLOGY_GRAPH))
    return tuple(Quad(t.subject, t.predicate, t.object, graph) for t in ontology_triples())


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    *,
    validator: ShapeValidator | None = None,
    progress: ProgressCallback | None = None,
    shacl_report: Path | None = None,
    names: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import ledger folders, ledger CSV files and RDF files as one batch (see the module doc).

    ``names`` gives the name a file is reported and recorded under, by the path
    given (an upload kept in a temporary folder is still ``works.csv``).

    Raises :class:`~cams_graph.errors.InputError` for input that cannot be read;
    every other problem is in the returned report, whose ``status`` is
    ``stored``, ``nothing_new``, ``valid`` (a dry run that would store) or
    ``rejected`` (nothing stored).
    """
    options = options or ImportOptions()
    run = _Run(store, options, validator, progress)
    report = run.report
    started = _now()
    report.started = started.isoformat().replace("+00:00", "Z")
    clock = time.perf_counter()
    inputs = collect_inputs(paths)
    if names:
        inputs = [replace(item, name=names.get(str(item.path), item.name)) for item in inputs]
    run.read(inputs)
    report.timings["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    stored = run.compare()
    run.validate(stored)
    report.problems = list(dict.fromkeys(run.builder.problems))
    report.timings["validate"] = time.perf_counter() - clock
    if shacl_report is not None:
        graph = (run.validator or default_validator()).report_graph(run.shape_results)
        graph.serialize(destination=str(shacl_report), format="turtle")
    report.triples_stored = len(run.new)
    if report.violations:
        report.status = "rejected"
        report.triples_stored = 0
    elif not run.new:
        report.status = "nothing_new"
    elif options.dry_run:
        report.status = "valid"
    else:
        clock = time.perf_counter()
        run.commit(started)
        report.timings["commit"] = time.perf_counter() - clock
        report.status = "stored"
        clock = time.perf_counter()
        derive_pending(store, run.facts_if_alone())
        report.timings["derive"] = time.perf_counter() - clock
    report.ended = _now().isoformat().replace("+00:00", "Z")
    return report
