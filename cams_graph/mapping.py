"""From ledger rows (and RDF files) to the RDF form of ``docs/rdf-form.md``.

:class:`BatchBuilder` collects the triples of one import batch, the entities it
describes (parties, works, agreements, each under its key), the problems found
while mapping (values SHACL cannot see, such as an unknown ``kind``, and keys
given twice), and a :class:`SourceMap` that tells for every node and property
which file, row and column (or RDF line) it came from, so that a SHACL result
can be shown where the data steward can fix it.

Values are mapped as written, even when they are wrong: ``category`` ``novel``
becomes ``category:novel`` and the shapes report it; ``2024-02-30`` becomes an
ill-formed ``xsd:date``. The only normalisation is ``TRUE``/``FALSE`` (as Excel
writes booleans) to ``true``/``false``.

>>> from cams_graph.ledger import parse_table
>>> builder = BatchBuilder()
>>> builder.add_table(parse_table("parties.csv", "party_id,name,kind\\nP1,Lin Wen,person\\n"))
>>> for t in builder.triples: print(t)
<https://w3id.org/cams-graph/id/party/P1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cams-graph/ontology#Person>
<https://w3id.org/cams-graph/id/party/P1> <http://purl.org/dc/terms/identifier> "P1"
<https://w3id.org/cams-graph/id/party/P1> <https://w3id.org/cams-graph/ontology#name> "Lin Wen"
>>> builder.sources.locate("https://w3id.org/cams-graph/id/party/P1", str(CAMS.name), None)
Location(file='parties.csv', row=2, line=None, column='name')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Final
from urllib.parse import quote, unquote

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .ledger import Row, Table
from .namespaces import (
    AGREEMENT,
    ASSET_CLASS,
    AUTHORSHIP,
    BASE,
    CAMS,
    CATEGORY,
    DCTERMS,
    DERIVATION,
    OWL,
    PARTY,
    RDF,
    RDFS,
    RIGHT,
    TERRITORY,
    WORK,
    XSD,
)
from .report import Problem
from .terms import compact

__all__ = [
    "AGREEMENT_TYPES",
    "CONTRIBUTION_PREDICATES",
    "ENTITY_CLASSES",
    "BatchBuilder",
    "Entity",
    "Location",
    "SourceMap",
    "display_value",
    "mint",
    "term_value",
]

Subject = NamedNode | BlankNode
Object = NamedNode | BlankNode | Literal


@cache
def _n(iri: object) -> NamedNode:
    return NamedNode(str(iri))


@lru_cache(maxsize=1 << 20)
def mint(namespace: object, key: str) -> NamedNode:
    """The IRI of ``key`` under ``namespace``; characters not allowed in a key are %-escaped.

    >>> mint(WORK, "W1").value, mint(WORK, "W 1").value
    ('https://w3id.org/cams-graph/id/work/W1', 'https://w3id.org/cams-graph/id/work/W%201')
    """
    return NamedNode(str(namespace) + quote(key, safe="-_.~"))


_TYPE = _n(RDF.type)
_AGREEMENT_LINKS: Final = (
    ("grantors", _n(CAMS.grantor), PARTY),
    ("grantees", _n(CAMS.grantee), PARTY),
    ("works", _n(CAMS.work), WORK),
    ("rights", _n(CAMS.right), RIGHT),
)
_AGREEMENT_DATES: Final = (
    ("start", _n(CAMS.start)),
    ("end", _n(CAMS.end)),
    ("signed", _n(CAMS.signed)),
)
_AGREEMENT_FLAGS: Final = (
    ("written", _n(CAMS.written)),
    ("sublicensable", _n(CAMS.sublicensable)),
)
_TERRITORY = _n(CAMS.territory)
_EXCLUDED = _n(CAMS.excludedTerritory)
_IDENTIFIER = _n(DCTERMS.identifier)
_DATE = _n(XSD.date)
_BOOLEAN = _n(XSD.boolean)
_DECIMAL = _n(XSD.decimal)
_WORK_CLASS = _n(CAMS.Work)

AGREEMENT_TYPES: Final[dict[str, NamedNode]] = {
    "assignment": _n(CAMS.Assignment),
    "exclusive_licence": _n(CAMS.ExclusiveLicence),
    "sole_licence": _n(CAMS.SoleLicence),
    "non_exclusive_licence": _n(CAMS.NonExclusiveLicence),
    "pledge": _n(CAMS.Pledge),
    "succession": _n(CAMS.Succession),
    "termination": _n(CAMS.Termination),
}
"""The ``type`` column of ``agreements.csv`` to the agreement's class."""

PARTY_KINDS: Final[dict[str, NamedNode]] = {
    "person": _n(CAMS.Person),
    "organization": _n(CAMS.Organization),
}
ROLES: Final[dict[str, NamedNode]] = {"author": _n(CAMS.author), "owner": _n(CAMS.initialOwner)}
CONTRIBUTION_PREDICATES: Final = frozenset(p.value for p in ROLES.values())
"""Predicates of contributions: facts added to a work, never replacing its row."""

ENTITY_CLASSES: Final[dict[str, str]] = {
    **{str(c): "party" for c in (CAMS.Party, CAMS.Person, CAMS.Organization)},
    str(CAMS.Work): "work",
    **{c.value: "agreement" for c in AGREEMENT_TYPES.values()},
    str(CAMS.Agreement): "agreement",
    str(CAMS.Transfer): "agreement",
    str(CAMS.Licence): "agreement",
}
"""Class IRI to the kind of entity (``party``, ``work``, ``agreement``) it makes a node."""

_KEY_COLUMN: Final = {"party": "party_id", "work": "work_id", "agreement": "agreement_id"}

# property → ledger column, per table (the reverse of the mapping, for reports)
_COLUMNS: Final[dict[str, dict[str, str]]] = {
    "parties": {
        str(RDF.type): "kind",
        str(DCTERMS.identifier): "party_id",
        str(CAMS.name): "name",
        str(CAMS.born): "born",
        str(CAMS.died): "died",
        str(CAMS.country): "country",
    },
    "works": {
        str(RDF.type): "work_id",
        str(DCTERMS.identifier): "work_id",
        str(DCTERMS.title): "title",
        str(CAMS.category): "category",
        str(DCTERMS.created): "created",
        str(CAMS.firstPublished): "first_published",
        str(CAMS.authorship): "authorship",
        str(CAMS.derivedFrom): "derived_from",
        str(CAMS.derivation): "derivation",
        str(CAMS.assetClass): "asset_class",
        str(CAMS.responsibleUnit): "responsible_unit",
        str(CAMS.registrationNumber): "registration",
        str(CAMS.valuation): "valuation_amount",
        str(CAMS.amount): "valuation_amount",
        str(CAMS.currency): "valuation_currency",
        str(CAMS.valuationDate): "valuation_date",
        str(CAMS.author): "contributions",
        str(CAMS.initialOwner): "contributions",
    },
    "contributions": {str(CAMS.author): "party_id", str(CAMS.initialOwner): "party_id"},
    "agreements": {
        str(RDF.type): "type",
        str(DCTERMS.identifier): "agreement_id",
        str(CAMS.grantor): "grantors",
        str(CAMS.grantee): "grantees",
        str(CAMS.work): "works",
        str(CAMS.right): "rights",
        str(CAMS.territory): "territories",
        str(CAMS.excludedTerritory): "territories",
        str(CAMS.start): "start",
        str(CAMS.end): "end",
        str(CAMS.signed): "signed",
        str(CAMS.written): "written",
        str(CAMS.sublicensable): "sublicensable",
        str(CAMS.parent): "parent",
        str(CAMS.registrationNumber): "registration",
        str(CAMS.document): "document",
    },
}


@dataclass(frozen=True)
class Entity:
    """A party, work or agreement of the batch: its node, kind and key."""

    iri: str
    kind: str
    key: str | None


@dataclass(frozen=True)
class Location:
    """Where a fact came from: file and row (CSV) or line (RDF), and column or property."""

    file: str | None
    row: int | None = None
    line: int | None = None
    column: str | None = None


@dataclass
class SourceMap:
    """Where each node and fact of a batch came from.

    CSV rows are recorded per entity node and per contribution; RDF nodes per
    file, their line found on demand by ``line_finder`` (only for the few nodes
    that appear in a report).
    """

    files: list[str] = field(default_factory=list)
    tables: list[str | None] = field(default_factory=list)
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    facts: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)
    first_fact: dict[str, tuple[int, int]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    rdf_nodes: dict[str, int] = field(default_factory=dict)
    line_finders: dict[int, Callable[[str], int | None]] = field(default_factory=dict)

    def add_file(self, name: str, table: str | None) -> int:
        self.files.append(name)
        self.tables.append(table)
        return len(self.files) - 1

    def locate(self, node: str, path: str | None, value: str | None) -> Location:
        """The file, row or line, and column of the fact (``node``, ``path``, ``value``)."""
        if path is not None and value is not None and (node, path, value) in self.facts:
            index, row = self.facts[(node, path, value)]
            return Location(self.files[index], row, None, self._column(index, path))
        if node in self.rows:
            index, row = self.rows[node]
            return Location(self.files[index], row, None, self._column(index, path))
        if node in self.first_fact:
            index, row = self.first_fact[node]
            return Location(self.files[index], row, None, self._column(index, path))
        if node in self.parents and self.parents[node] != node:
            parent = self.locate(self.parents[node], path, None)
            if parent.file is not None:
                return parent
        if node in self.rdf_nodes:
            index = self.rdf_nodes[node]
            finder = self.line_finders.get(index)
            line = finder(node) if finder is not None else None
            column = compact(NamedNode(path)) if path else None
            return Location(self.files[index], None, line, column)
        return Location(None, None, None, compact(NamedNode(path)) if path else None)

    def _column(self, index: int, path: str | None) -> str | None:
        table = self.tables[index]
        if table is None:
            return compact(NamedNode(path)) if path else None
        if path is None:
            return TABLE_KEYS[table][0]
        return _COLUMNS[table].get(path, compact(NamedNode(path)))


def display_value(term: NamedNode | BlankNode | Literal | None) -> str | None:
    """A value as the data steward wrote it: a key or code rather than an IRI.

    >>> display_value(mint(PARTY, "P 9")), display_value(Literal("2024-02-30"))
    ('P 9', '2024-02-30')
    """
    if term is None:
        return None
    if isinstance(term, NamedNode):
        if term.value.startswith(BASE) and "#" not in term.value:
            return unquote(term.value.rsplit("/", 1)[1])
        return compact(term)
    if isinstance(term, Literal):
        return term.value
    return str(term)


def term_value(term: NamedNode | BlankNode | Literal | Triple) -> str:
    """The IRI, blank node id or lexical form of a term."""
    return str(term) if isinstance(term, Triple) else term.value


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _boolean(cell: str) -> Literal:
    lowered = cell.lower()
    return Literal(lowered if lowered in ("true", "false") else cell, datatype=_BOOLEAN)


class BatchBuilder:
    """Collects the triples, entities, problems and sources of one batch."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []
        self.entities: dict[str, Entity] = {}
        self.problems: list[Problem] = []
        self.sources = SourceMap()
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, key) → (iri, where)
        self._seen_contributions: dict[tuple[str, str, str], int] = {}
        self._rdf_pending = False

    # -- CSV ------------------------------------------------------------------

    def add_table(self, table: Table) -> None:
        """Map every row of a ledger table (its header problems are kept too)."""
        self.problems.extend(table.problems)
        blocked = {p.column for p in table.problems if p.rule == "missing-column"}
        index = self.sources.add_file(table.path, table.kind)
        mapper = getattr(self, "_map_" + table.kind)
        for row in table.rows:
            if blocked & set(TABLE_KEYS[table.kind]):
                continue
            mapper(table.path, index, row)

    def _problem(
        self,
        path: str,
        row: Row,
        column: str,
        rule: str,
        message: str,
        zh: str,
        value: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                rule=rule,
                severity="violation",
                file=path,
                row=row.number,
                column=column,
                value=value,
                message=message,
                message_zh=zh,
            )
        )

    def _entity(
        self, kind: str, path: str, index: int, row: Row, rdf_type: NamedNode
    ) -> NamedNode | None:
        column = _KEY_COLUMN[kind]
        key = row.cells.get(column)
        if key is None:
            self._problem(
                path, row, column, "required", f"the key {column} is empty", f"主键 {column} 为空"
            )
            return None
        namespace = {"party": PARTY, "work": WORK, "agreement": AGREEMENT}[kind]
        node = mint(namespace, key)
        where = f"{path}:{row.number}"
        if (kind, key) in self._keys:
            self._problem(
                path,
                row,
                column,
                "duplicate-key",
                f"the {kind} key {key} is given twice in the batch "
                f"(first at {self._keys[(kind, key)][1]})",
                f"{kind} 主键 {key} 在本批次中重复（首次出现于 {self._keys[(kind, key)][1]}）",
                key,
            )
            return None
        self._keys[(kind, key)] = (node.value, where)
        self.entities[node.value] = Entity(node.value, kind, key)
        self.sources.rows[node.value] = (index, row.number)
        self.triples.append(Triple(node, _TYPE, rdf_type))
        self.triples.append(Triple(node, _IDENTIFIER, Literal(key)))
        return node

    def _choice(
        self, path: str, row: Row, column: str, choices: dict[str, NamedNode], fallback: NamedNode
    ) -> NamedNode:
        value = row.cells.get(column)
        if value is None:
            self._problem(path, row, column, "required", f"{column} is empty", f"{column} 为空")
            return fallback
        if value not in choices:
            self._problem(
                path,
                row,
                column,
                "value-not-in-list",
                f"{column} must be one of {', '.join(choices)}",
                f"{column} 必须是以下之一：{', '.join(choices)}",
                value,
            )
            return fallback
        return choices[value]

    def _add(self, s: Subject, p: object, o: Object) -> None:
        self.triples.append(Triple(s, p if isinstance(p, NamedNode) else _n(p), o))

    def _map_parties(self, path: str, index: int, row: Row) -> None:
        kind = self._choice(path, row, "kind", PARTY_KINDS, _n(CAMS.Party))
        node = self._entity("party", path, index, row, kind)
        if node is None:
            return
        c = row.cells
        if "name" in c:
            self._add(node, CAMS.name, Literal(c["name"]))
        for column, prop in (("born", CAMS.born), ("died", CAMS.died)):
            if column in c:
                self._add(node, prop, Literal(c[column], datatype=_DATE))
        if "country" in c:
            self._add(node, CAMS.country, mint(TERRITORY, c["country"]))

    def _map_works(self, path: str, index: int, row: Row) -> None:
        node = self._entity("work", path, index, row, _WORK_CLASS)
        if node is None:
            return
        c = row.cells
        if "title" in c:
            self._add(node, DCTERMS.title, Literal(c["title"]))
        if "category" in c:
            self._add(node, CAMS.category, mint(CATEGORY, c["category"]))
        if "created" in c:
            self._add(node, DCTERMS.created, Literal(c["created"], datatype=_DATE))
        if "first_published" in c:
            self._add(node, CAMS.firstPublished, Literal(c["first_published"], datatype=_DATE))
        if "authorship" in c:
            self._add(node, CAMS.authorship, mint(AUTHORSHIP, c["authorship"]))
        if "derived_from" in c:
            self._add(node, CAMS.derivedFrom, mint(WORK, c["derived_from"]))
        if "derivation" in c:
            self._add(node, CAMS.derivation, mint(DERIVATION, c["derivation"]))
        if "asset_class" in c:
            self._add(node, CAMS.assetClass, mint(ASSET_CLASS, c["asset_class"]))
        if "responsible_unit" in c:
            self._add(node, CAMS.responsibleUnit, Literal(c["responsible_unit"]))
        if "registration" in c:
            self._add(node, CAMS.registrationNumber, Literal(c["registration"]))
        if any(k in c for k in ("valuation_amount", "valuation_currency", "valuation_date")):
            valuation = BlankNode()
            self.sources.parents[valuation.value] = node.value
            self._add(node, CAMS.valuation, valuation)
            self._add(valuation, RDF.type, _n(CAMS.Valuation))
            if "valuation_amount" in c:
                self._add(valuation, CAMS.amount, Literal(c["valuation_amount"], datatype=_DECIMAL))
            if "valuation_currency" in c:
                self._add(valuation, CAMS.currency, Literal(c["valuation_currency"]))
            if "valuation_date" in c:
                self._add(
                    valuation, CAMS.valuationDate, Literal(c["valuation_date"], datatype=_DATE)
                )

    def _map_contributions(self, path: str, index: int, row: Row) -> None:
        c = row.cells
        missing = [col for col in ("work_id", "party_id") if col not in c]
        for column in missing:
            self._problem(path, row, column, "required", f"{column} is empty", f"{column} 为空")
        role = self._choice(path, row, "role", ROLES, _n(CAMS.author))
        if missing or c.get("role") not in ROLES:
            return
        work, party = mint(WORK, c["work_id"]), mint(PARTY, c["party_id"])
        fact = (work.value, role.value, party.value)
        first = self._seen_contributions.get(fact)
        if first is not None:
            self.problems.append(
                Problem(
                    rule="duplicate-row",
                    severity="warning",
                    file=path,
                    row=row.number,
                    column="role",
                    value=c["role"],
                    message=f"the same contribution is given at row {first}",
                    message_zh=f"同一贡献已在第 {first} 行给出",
                )
            )
            return
        self._seen_contributions[fact] = row.number
        self.sources.facts[fact] = (index, row.number)
        self.sources.first_fact.setdefault(work.value, (index, row.number))
        self.triples.append(Triple(work, role, party))

    def _map_agreements(self, path: str, index: int, row: Row) -> None:
        kind = self._choice(path, row, "type", AGREEMENT_TYPES, _n(CAMS.Agreement))
        node = self._entity("agreement", path, index, row, kind)
        if node is None:
            return
        c = row.cells
        add = self.triples.append  # the hottest loop of an import: no helper call per fact
        for column, prop, namespace in _AGREEMENT_LINKS:
            for key in _split(c.get(column, "")):
                add(Triple(node, prop, mint(namespace, key)))
        for code in _split(c.get("territories", "")):
            if code.startswith("-"):
                add(Triple(node, _EXCLUDED, mint(TERRITORY, code[1:])))
            else:
                add(Triple(node, _TERRITORY, mint(TERRITORY, code)))
        for column, prop in _AGREEMENT_DATES:
            if column in c:
                add(Triple(node, prop, Literal(c[column], datatype=_DATE)))
        for column, prop in _AGREEMENT_FLAGS:
            if column in c:
                add(Triple(node, prop, _boolean(c[column])))
        if "parent" in c:
            self._add(node, CAMS.parent, mint(AGREEMENT, c["parent"]))
        if "registration" in c:
            self._add(node, CAMS.registrationNumber, Literal(c["registration"]))
        if "document" in c:
            self._add(node, CAMS.document, Literal(c["document"]))

    # -- RDF ------------------------------------------------------------------

    def add_rdf(
        self,
        name: str,
        triples: Iterable[Triple],
        line_finder: Callable[[str], int | None] | None = None,
    ) -> int:
        """Add the triples of one RDF file; entities are found by :meth:`finish_rdf`."""
        index = self.sources.add_file(name, None)
        if line_finder is not None:
            self.sources.line_finders[index] = line_finder
        nodes, parents = self.sources.rdf_nodes, self.sources.parents
        count = 0
        for triple in triples:
            self.triples.append(triple)
            subject = term_value(triple.subject)
            if subject not in nodes:
                nodes[subject] = index
            if isinstance(triple.object, BlankNode):
                parents.setdefault(triple.object.value, subject)
            count += 1
        self._rdf_pending = True
        return count

    def finish_rdf(self) -> None:
        """Find the parties, works and agreements among the RDF nodes, with their keys."""
        if not self._rdf_pending:
            return
        kinds: dict[str, str] = {}
        keys: dict[str, list[str]] = {}
        type_iri, id_iri = _TYPE.value, _IDENTIFIER.value
        rdf_nodes = self.sources.rdf_nodes
        for t in self.triples:
            subject = term_value(t.subject)
            if subject not in rdf_nodes or subject in self.entities:
                continue
            predicate = t.predicate.value
            if predicate == type_iri and term_value(t.object) in ENTITY_CLASSES:
                kinds.setdefault(subject, ENTITY_CLASSES[term_value(t.object)])
            elif predicate == id_iri and isinstance(t.object, Literal):
                keys.setdefault(subject, []).append(t.object.value)
        self._reserved_terms()
        for subject, kind in kinds.items():
            node_keys = keys.get(subject, [])
            key = node_keys[0] if node_keys else None
            self.entities[subject] = Entity(subject, kind, key)
            if key is None:
                continue
            first = self._keys.get((kind, key))
            if first is None:
                self._keys[(kind, key)] = (subject, self.sources.files[rdf_nodes[subject]])
            elif first[0] != subject:
                location = self.sources.locate(subject, None, None)
                self.problems.append(
                    Problem(
                        rule="duplicate-key",
                        severity="violation",
                        file=location.file,
                        line=location.line,
                        column="dcterms:identifier",
                        value=key,
                        node=subject,
                        message=f"the {kind} key {key} is given to two nodes in the batch: "
                        f"<{first[0]}> ({first[1]}) and <{subject}>",
                        message_zh=f"{kind} 主键 {key} 在本批次中被两个节点使用",
                    )
                )
        self._rdf_pending = False

    def _reserved_terms(self) -> None:
        """Refuse RDF that declares vocabulary or writes what only cams-graph writes.

        A batch states facts about parties, works and agreements. It may not
        declare terms of the ontology or concepts of its vocabularies (a home-made
        ``ex:x a cams:WorkCategory`` would pass the value checks), nor write the
        title engine's results, import provenance or bookkeeping.
        """
        type_iri = _TYPE.value
        reported: set[str] = set()
        for t in self.triples:
            subject = term_value(t.subject)
            if subject in reported:
                continue
            predicate = t.predicate.value
            reason = None
            if subject.startswith(_RESERVED_SUBJECTS):
                reason = f"<{subject}> is a term of cams-graph itself"
            elif predicate in _RESERVED_PREDICATES:
                reason = f"{compact(t.predicate)} is written by cams-graph, not imported"
            elif predicate == type_iri and term_value(t.object) in _RESERVED_CLASSES:
                reason = (
                    f"{compact(t.object)} is a class whose members cams-graph defines or derives"
                )
            if reason is None:
                continue
            reported.add(subject)
            location = self.sources.locate(subject, predicate, None)
            self.problems.append(
                Problem(
                    rule="reserved-term",
                    severity="violation",
                    file=location.file,
                    line=location.line,
                    column=compact(t.predicate),
                    value=None if isinstance(t.object, Triple) else display_value(t.object),
                    node=subject,
                    message=f"{reason}: a batch may only state facts about parties, works and "
                    "agreements",
                    message_zh="批次只能陈述当事人、作品和协议的事实，"
                    "不能声明 cams-graph 自身的术语或派生结果",
                )
            )


_RESERVED_SUBJECTS: Final = tuple(
    BASE + part
    for part in (
        "ontology",
        "right/",
        "category/",
        "territory/",
        "authorship/",
        "derivation/",
        "asset-class/",
        "conflict/",
        "severity/",
        "id/derived/",
        "graph/",
    )
)
_RESERVED_CLASSES: Final = frozenset(
    str(term)
    for term in (
        CAMS.Right,
        CAMS.MoralRight,
        CAMS.EconomicRight,
        CAMS.RightGroup,
        CAMS.WorkCategory,
        CAMS.Territory,
        CAMS.AuthorshipType,
        CAMS.DerivationType,
        CAMS.AssetClass,
        CAMS.ConflictCode,
        CAMS.Severity,
        CAMS.Batch,
        CAMS.Import,
        CAMS.SourceFile,
        CAMS.TitleRecord,
        CAMS.ChainEvent,
        CAMS.CreationEvent,
        CAMS.AssignmentEvent,
        CAMS.SuccessionEvent,
        CAMS.ReversionEvent,
        CAMS.Holding,
        CAMS.LicenceInForce,
        CAMS.Conflict,
        CAMS.RightSet,
        CAMS.TerritorySet,
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        RDFS.Class,
        RDF.Property,
    )
)
_RESERVED_PREDICATES: Final = frozenset(
    str(term)
    for term in (
        CAMS.code,
        CAMS.derivationRight,
        CAMS.batchId,
        CAMS.fileName,
        CAMS.sha256,
        CAMS.rowCount,
        CAMS.tripleCount,
        CAMS.worksCreated,
        CAMS.partiesCreated,
        CAMS.agreementsCreated,
        CAMS.replacedBatch,
        CAMS.derivationPending,
        CAMS.event,
        CAMS.holding,
        CAMS.rightSet,
        CAMS.territorySet,
        CAMS.agreement,
        CAMS.fromParty,
        CAMS.toParty,
        CAMS.holder,
        CAMS.sequence,
        CAMS.date,
        CAMS.validFrom,
        CAMS.validUntil,
        CAMS.judgedUnder,
        CAMS.protectionExpires,
        CAMS.derivationDigest,
        CAMS.conflictCode,
        CAMS.severity,
        CAMS.related,
        CAMS.affectedWork,
        CAMS.message,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        OWL.equivalentClass,
        OWL.equivalentProperty,
    )
)


TABLE_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "parties": ("party_id",),
    "works": ("work_id",),
    "contributions": ("work_id", "party_id", "role"),
    "agreements": ("agreement_id",),
}
"""The columns without which no row of a table can be mapped."""
