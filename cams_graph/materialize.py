"""The engine's results as RDF, in the terms of the ontology, for the derived graph.

For each work ``W`` (key ``K``) the derived graph holds:

* on ``W`` itself: ``cams:protectionExpires`` (when known) and ``cams:derivationDigest``,
  a fingerprint of all its other derived triples;
* ``cams:TitleRecord``: cells of ``W`` (a ``cams:RightSet`` × a ``cams:TerritorySet``) that
  share one chain of title, linked to its ``cams:ChainEvent``\\ s and ``cams:Holding``\\ s;
* ``cams:LicenceInForce``: an effective licence with its period in force, the licence it
  was judged under and the cells it is in force on (a right set × a territory set);
* ``cams:Conflict``: the conflicts whose first affected work (for
  ``DERIVATIVE_WITHOUT_LICENCE``, the derived work) is ``W``.

Every one of those nodes carries ``cams:work W`` (the work whose results hold it) and is
named after its content under ``id/derived/K/``: the same facts always give the same
triples, and a new licence changes the licence's own triples, not the rest. Right and
territory sets are shared by every work and named after their content too
(``id/rights/…``, ``id/territories/…``); they are written once and never deleted.

The results are produced as N-Triples lines (:func:`render`) and written by
:func:`write_results`, which compares each work's digest with the stored one and writes
only what changed: nothing for a work whose results are the same, a bulk load for a work
without results, the removed and added triples for a work whose results changed.

>>> from datetime import date
>>> from cams_graph.engine import derive
>>> from cams_graph.facts import Catalogue, Party, Work
>>> cat = Catalogue().add(Party("P1"), Work("W1", created=date(2001, 3, 1), authors=("P1",)))
>>> rendering = render(derive(cat), cat)
>>> [record.iri.rsplit("/", 1)[1] for record in rendering.works]
['W1']
>>> rendering.sets[right_set_iri(ALL_RIGHTS)][0].endswith("RightSet> .")
True
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, RdfFormat

from .cells import (
    ALL_RIGHTS,
    ALL_TERRITORIES,
    COUNTRY_CODES,
    ECONOMIC,
    MORAL,
    RIGHT_CODES,
    rights_codes,
    rights_mask,
    territory_codes,
    territory_mask,
)
from .engine import ChainEvent, Conflict, Derivation, LicenceInForce, WorkTitle, index
from .facts import Catalogue
from .namespaces import (
    AGREEMENT,
    BASE,
    CAMS,
    CONFLICT,
    DERIVED_GRAPH,
    EVENT,
    PARTY,
    RDF,
    RIGHT,
    SEVERITY,
    SYSTEM_GRAPH,
    TERRITORY,
    WORK,
    WRITE_IN_PROGRESS,
    XSD,
)
from .store import Store, values_clause

__all__ = [
    "FORMAT",
    "RIGHT_SET",
    "TERRITORY_SET",
    "Rendering",
    "WorkResults",
    "WriteStats",
    "clear_markers",
    "conflict_iri",
    "merge_rectangles",
    "node_iri",
    "render",
    "right_set_iri",
    "rights_of_set",
    "stored_digests",
    "territories_of_set",
    "territory_set_iri",
    "write_results",
]

FORMAT = "2"
"""The version of the derived graph's form; part of every digest, so that a new form
rewrites every work."""

RIGHT_SET = BASE + "id/rights/"
"""Namespace of the shared right sets."""
TERRITORY_SET = BASE + "id/territories/"
"""Namespace of the shared territory sets."""

_DAY = timedelta(days=1)
_NAMED_CODES = 12
"""A territory set of more countries than this (listed or left out) is named by a hash."""


def _p(name: str) -> str:
    return f"<{getattr(CAMS, name)}>"


_TYPE = f"<{RDF.type}>"
_DATE = f"^^<{XSD.date}>"
_INTEGER = f"^^<{XSD.integer}>"
_WORK = _p("work")
_RIGHT = _p("right")
_TERRITORY = _p("territory")
_EXCLUDED = _p("excludedTerritory")
_RIGHT_SET = _p("rightSet")
_TERRITORY_SET = _p("territorySet")
_EVENT = _p("event")
_HOLDING = _p("holding")
_AGREEMENT = _p("agreement")
_FROM_PARTY = _p("fromParty")
_TO_PARTY = _p("toParty")
_HOLDER = _p("holder")
_DATE_P = _p("date")
_SEQUENCE = _p("sequence")
_VALID_FROM = _p("validFrom")
_VALID_UNTIL = _p("validUntil")
_JUDGED_UNDER = _p("judgedUnder")
_EXPIRES = _p("protectionExpires")
_DIGEST = _p("derivationDigest")
_CODE = _p("conflictCode")
_SEVERITY = _p("severity")
_RELATED = _p("related")
_AFFECTED = _p("affectedWork")
_MESSAGE = _p("message")
_RECORD_CLASS = _p("TitleRecord")
_HOLDING_CLASS = _p("Holding")
_LICENCE_CLASS = _p("LicenceInForce")
_CONFLICT_CLASS = _p("Conflict")
_RIGHT_SET_CLASS = _p("RightSet")
_TERRITORY_SET_CLASS = _p("TerritorySet")
_EVENT_CLASS = {
    "creation": _p("CreationEvent"),
    "assignment": _p("AssignmentEvent"),
    "succession": _p("SuccessionEvent"),
    "reversion": _p("ReversionEvent"),
}
_RIGHT_IRI = {code: f"<{RIGHT[code]}>" for code in RIGHT_CODES}
_TERRITORY_IRI = {code: f"<{TERRITORY[code]}>" for code in (*COUNTRY_CODES, "WORLD")}
_GROUP_NAMES = {ECONOMIC: "economic", MORAL: "moral", ALL_RIGHTS: "all"}


# -- names ------------------------------------------------------------------------------


def node_iri(catalogue: Catalogue, kind: str, key: str) -> NamedNode:
    """The IRI of a party, work or agreement: the one it came with, else the minted one."""
    return NamedNode(_node(catalogue, kind, key))


def _node(catalogue: Catalogue, kind: str, key: str) -> str:
    known = catalogue.iris.get(f"{kind}:{key}")
    if known is not None:
        return known
    namespace = {"party": PARTY, "work": WORK, "agreement": AGREEMENT}[kind]
    return str(namespace[quote(key, safe="")])


def conflict_iri(conflict: Conflict) -> NamedNode:
    """The stable IRI of a conflict: by code and agreement (and related), or by derived work.

    >>> from cams_graph.engine import Conflict
    >>> c = Conflict("NON_OWNER_GRANT", "error", "A3", (), ("W1",), 0, 0, None, None, "")
    >>> conflict_iri(c).value
    'https://w3id.org/cams-graph/id/derived/conflict/NON_OWNER_GRANT/A3'
    """
    if conflict.agreement is None:
        key = quote(conflict.derived_work or "", safe="")
        return NamedNode(str(EVENT["conflict/DERIVATIVE_WITHOUT_LICENCE/" + key]))
    parts = [conflict.code, quote(conflict.agreement, safe="")]
    if conflict.related:
        parts.append("+".join(quote(r, safe="") for r in conflict.related))
    return NamedNode(str(EVENT["conflict/" + "/".join(parts)]))


def _hash(text: str, size: int = 6) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


def right_set_iri(mask: int) -> str:
    """The IRI of the right set ``mask``: a group's name, or its codes joined by ``+``.

    >>> right_set_iri(ECONOMIC).rsplit("/", 1)[1]
    'economic'
    >>> right_set_iri(rights_mask(["reproduction", "rental"])).rsplit("/", 1)[1]
    'reproduction+rental'
    """
    name = _GROUP_NAMES.get(mask) or "+".join(rights_codes(mask))
    return RIGHT_SET + name


def territory_set_iri(mask: int) -> str:
    """The IRI of the territory set ``mask``, named after its content.

    ``WORLD``; ``WORLD-CN-HK`` (the world but those); ``CN+HK`` (those countries); or,
    when more than twelve countries would be named, ``h`` and a hash of the country list.

    >>> territory_set_iri(territory_mask(["WORLD"], ["HK", "CN"])).rsplit("/", 1)[1]
    'WORLD-CN-HK'
    >>> territory_set_iri(territory_mask(["US", "CN"])).rsplit("/", 1)[1]
    'CN+US'
    """
    if mask == ALL_TERRITORIES:
        return TERRITORY_SET + "WORLD"
    if mask.bit_count() * 2 > len(COUNTRY_CODES):
        left_out = territory_codes(ALL_TERRITORIES & ~mask)
        if len(left_out) <= _NAMED_CODES:
            return TERRITORY_SET + "WORLD-" + "-".join(left_out)
    else:
        codes = territory_codes(mask)
        if len(codes) <= _NAMED_CODES:
            return TERRITORY_SET + "+".join(codes)
    return TERRITORY_SET + "h" + _hash(",".join(territory_codes(mask)), 10)


def rights_of_set(iri: str) -> int | None:
    """The right mask a right set's IRI names (None: not a right set IRI).

    >>> mask = rights_mask(["moral", "rental"])
    >>> rights_of_set(right_set_iri(mask)) == mask
    True
    """
    if not iri.startswith(RIGHT_SET):
        return None
    name = iri[len(RIGHT_SET) :]
    for mask, group in _GROUP_NAMES.items():
        if name == group:
            return mask
    try:
        return rights_mask(name.split("+"))
    except LookupError:
        return None


def territories_of_set(iri: str) -> int | None:
    """The territory mask a territory set's IRI names, when the name lists it (None: a
    hashed name, whose members must be read from the store, or not a territory set IRI).

    >>> territories_of_set(territory_set_iri(territory_mask(["WORLD"], ["CN"]))) == (
    ...     territory_mask(["WORLD"], ["CN"]))
    True
    """
    if not iri.startswith(TERRITORY_SET):
        return None
    name = iri[len(TERRITORY_SET) :]
    try:
        if name == "WORLD":
            return ALL_TERRITORIES
        if name.startswith("WORLD-"):
            return territory_mask(["WORLD"], name[len("WORLD-") :].split("-"))
        if name.startswith("h"):
            return None
        return territory_mask(name.split("+"))
    except LookupError:
        return None


def _right_lines(node: str, mask: int) -> list[str]:
    """``cams:right`` of each right of ``mask``."""
    return [f"{node} {_RIGHT} {_RIGHT_IRI[code]} ." for code in rights_codes(mask)]


def _territory_lines(node: str, mask: int) -> list[str]:
    """The countries of ``mask``: listed, or (more than half of them) ``WORLD`` and the
    countries left out."""
    if mask.bit_count() * 2 > len(COUNTRY_CODES):
        return [f"{node} {_TERRITORY} {_TERRITORY_IRI['WORLD']} ."] + [
            f"{node} {_EXCLUDED} {_TERRITORY_IRI[c]} ."
            for c in territory_codes(ALL_TERRITORIES & ~mask)
        ]
    return [f"{node} {_TERRITORY} {_TERRITORY_IRI[c]} ." for c in territory_codes(mask)]


def _right_set_lines(iri: str, mask: int) -> list[str]:
    node = f"<{iri}>"
    return [f"{node} {_TYPE} {_RIGHT_SET_CLASS} .", *_right_lines(node, mask)]


def _territory_set_lines(iri: str, mask: int) -> list[str]:
    node = f"<{iri}>"
    return [f"{node} {_TYPE} {_TERRITORY_SET_CLASS} .", *_territory_lines(node, mask)]


# -- rendering --------------------------------------------------------------------------


def _date(day: date) -> str:
    return f'"{day.isoformat()}"{_DATE}'


def _integer(n: int) -> str:
    return f'"{n}"{_INTEGER}'


def merge_rectangles(parts: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join disjoint (rights, territories) rectangles into as few rectangles as this finds:
    those with the same territories, then those with the same rights, until nothing joins.

    >>> merge_rectangles([(1, 1), (2, 1), (3, 2)])
    [(3, 3)]
    """
    rects = list(parts)
    while True:
        by_territories: dict[int, int] = {}
        for rights, territories in rects:
            by_territories[territories] = by_territories.get(territories, 0) | rights
        by_rights: dict[int, int] = {}
        for territories, rights in by_territories.items():
            by_rights[rights] = by_rights.get(rights, 0) | territories
        merged = sorted(by_rights.items())
        if len(merged) == len(rects):
            return merged
        rects = merged


def _holdings(events: tuple[ChainEvent, ...]) -> Iterator[tuple[ChainEvent, date | None]]:
    """Each event with the day before the next dated one: who held the cells, until when.

    An owner followed by another event the same day never holds a whole day: left out.
    """
    for k, event in enumerate(events):
        following = next((e.date for e in events[k + 1 :] if e.date is not None), None)
        if following is not None and event.date is not None and following <= event.date:
            continue
        yield event, following - _DAY if following is not None else None


def _event_order(event: ChainEvent, position: Mapping[str, int]) -> tuple[int, int, int]:
    """Where an event stands in every chain of its work: by day; on a day, the reversions
    (the most recent title first), then the transfers in the order they were judged."""
    day = event.date.toordinal() if event.date is not None else 0
    if event.kind == "creation":
        return (day, 0, 0)
    rank = position.get(event.agreement or "", 0)
    return (day, 1, -rank) if event.kind == "reversion" else (day, 2, rank)


@dataclass(frozen=True)
class WorkResults:
    """The derived triples of one work, as N-Triples lines, and their digest."""

    iri: str
    lines: tuple[str, ...]
    digest: str

    @property
    def digest_line(self) -> str:
        return f'<{self.iri}> {_DIGEST} "{self.digest}" .'

    def all_lines(self) -> list[str]:
        """Every line written for the work: its results and its digest."""
        return [*self.lines, self.digest_line]


@dataclass
class Rendering:
    """What :func:`render` made of a derivation: per work, and the sets the works use."""

    works: list[WorkResults] = field(default_factory=list)
    sets: dict[str, list[str]] = field(default_factory=dict)
    """IRI of each right or territory set the works use → its description lines."""

    @property
    def triples(self) -> int:
        return sum(len(w.lines) + 1 for w in self.works)


class _Renderer:
    def __init__(self, catalogue: Catalogue, rendering: Rendering) -> None:
        self.catalogue = catalogue
        self.sets = rendering.sets
        self.names: dict[tuple[str, str], str] = {}

    def node(self, kind: str, key: str) -> str:
        found = self.names.get((kind, key))
        if found is None:
            found = self.names[(kind, key)] = f"<{_node(self.catalogue, kind, key)}>"
        return found

    def right_set(self, mask: int) -> str:
        iri = right_set_iri(mask)
        if iri not in self.sets:
            self.sets[iri] = _right_set_lines(iri, mask)
        return f"<{iri}>"

    def territory_set(self, mask: int) -> str:
        iri = territory_set_iri(mask)
        if iri not in self.sets:
            self.sets[iri] = _territory_set_lines(iri, mask)
        return f"<{iri}>"

    def work(self, title: WorkTitle, conflicts: Sequence[Conflict]) -> WorkResults:
        """The lines of one work: records, events, holdings, licences, its conflicts."""
        key = title.work.key
        iri = _node(self.catalogue, "work", key)
        work = f"<{iri}>"
        base = str(EVENT[quote(key, safe="")])
        lines: list[str] = []
        if title.expires is not None:
            lines.append(f"{work} {_EXPIRES} {_date(title.expires)} .")
        position = {a.key: i for i, a in enumerate(index(self.catalogue).of(key))}
        records = (*title.records, *title.moral)

        distinct = sorted(
            {event for record in records for event in record.events},
            key=lambda e: (*_event_order(e, position), e.kind, e.agreement or "", e.from_, e.to),
        )
        events: dict[ChainEvent, str] = {}
        for k, event in enumerate(distinct):
            events[event] = self._event(lines, work, base, event, k)

        holdings: dict[tuple[tuple[str, ...], date | None, date | None], str] = {}
        chains: dict[tuple[ChainEvent, ...], list[tuple[int, int]]] = defaultdict(list)
        for record in records:
            chains[record.events].append((record.rights, record.territories))
        for history, parts in chains.items():
            held = []
            for event, until in _holdings(history):
                found = (event.to, event.date, until)
                if found not in holdings:
                    holdings[found] = self._holding(lines, work, base, *found)
                held.append(holdings[found])
            for rights, territories in merge_rectangles(parts):
                node = f"<{base}/r{_hash(f'{rights:x}/{territories:x}')}>"
                _head(lines, node, _RECORD_CLASS, work)
                lines.append(f"{node} {_RIGHT_SET} {self.right_set(rights)} .")
                lines.append(f"{node} {_TERRITORY_SET} {self.territory_set(territories)} .")
                lines += [f"{node} {_EVENT} {events[e]} ." for e in history]
                lines += [f"{node} {_HOLDING} {h} ." for h in held]

        coverage: dict[LicenceInForce, list[tuple[int, int]]] = defaultdict(list)
        for record in title.records:
            for licence in record.licences:
                coverage[licence].append((record.rights, record.territories))
        for licence, parts in sorted(
            coverage.items(), key=lambda item: (position.get(item[0].agreement, 0), item[0].start)
        ):
            for rights, territories in merge_rectangles(parts):
                self._licence(lines, work, base, licence, position, rights, territories)

        for conflict in conflicts:
            self._conflict(lines, conflict, work)
        # Sorted: the digest depends on what is written, not on the order it was made in.
        text = "\n".join(sorted(lines))
        return WorkResults(iri, tuple(lines), _hash(FORMAT + "\n" + text, 8))

    def _event(self, lines: list[str], work: str, base: str, e: ChainEvent, k: int) -> str:
        identity = f"{e.kind}|{e.agreement}|{e.date}|{','.join(e.from_)}|{','.join(e.to)}"
        node = f"<{base}/e{_hash(identity)}>"
        _head(lines, node, _EVENT_CLASS[e.kind], work)
        lines.append(f"{node} {_SEQUENCE} {_integer(k)} .")
        if e.date is not None:
            lines.append(f"{node} {_DATE_P} {_date(e.date)} .")
        if e.agreement is not None:
            lines.append(f"{node} {_AGREEMENT} {self.node('agreement', e.agreement)} .")
        lines += [f"{node} {_FROM_PARTY} {self.node('party', p)} ." for p in e.from_]
        lines += [f"{node} {_TO_PARTY} {self.node('party', p)} ." for p in e.to]
        return node

    def _holding(
        self,
        lines: list[str],
        work: str,
        base: str,
        owners: tuple[str, ...],
        start: date | None,
        until: date | None,
    ) -> str:
        identity = ",".join(owners) + f"|{start}|{until}"
        node = f"<{base}/h{_hash(identity)}>"
        _head(lines, node, _HOLDING_CLASS, work)
        lines += [f"{node} {_HOLDER} {self.node('party', p)} ." for p in owners]
        if start is not None:
            lines.append(f"{node} {_VALID_FROM} {_date(start)} .")
        if until is not None:
            lines.append(f"{node} {_VALID_UNTIL} {_date(until)} .")
        return node

    def _licence(
        self,
        lines: list[str],
        work: str,
        base: str,
        licence: LicenceInForce,
        position: Mapping[str, int],
        rights: int,
        territories: int,
    ) -> None:
        identity = (
            f"{licence.agreement}|{licence.start}|{licence.end}|{licence.parent}|"
            f"{licence.exclusive}|{rights:x}/{territories:x}"
        )
        node = f"<{base}/l{_hash(identity)}>"
        _head(lines, node, _LICENCE_CLASS, work)
        lines.append(f"{node} {_SEQUENCE} {_integer(position.get(licence.agreement, 0))} .")
        lines.append(f"{node} {_AGREEMENT} {self.node('agreement', licence.agreement)} .")
        lines.append(f"{node} {_VALID_FROM} {_date(licence.start)} .")
        if licence.end is not None:
            lines.append(f"{node} {_VALID_UNTIL} {_date(licence.end)} .")
        if licence.parent is not None:
            lines.append(f"{node} {_JUDGED_UNDER} {self.node('agreement', licence.parent)} .")
        lines.append(f"{node} {_RIGHT_SET} {self.right_set(rights)} .")
        lines.append(f"{node} {_TERRITORY_SET} {self.territory_set(territories)} .")

    def _conflict(self, lines: list[str], conflict: Conflict, work: str) -> None:
        node = f"<{conflict_iri(conflict).value}>"
        _head(lines, node, _CONFLICT_CLASS, work)
        lines.append(f"{node} {_CODE} <{CONFLICT[conflict.code]}> .")
        lines.append(f"{node} {_SEVERITY} <{SEVERITY[conflict.severity]}> .")
        if conflict.agreement is not None:
            lines.append(f"{node} {_AGREEMENT} {self.node('agreement', conflict.agreement)} .")
        lines += [f"{node} {_RELATED} {self.node('agreement', r)} ." for r in conflict.related]
        lines += [f"{node} {_AFFECTED} {self.node('work', w)} ." for w in conflict.works]
        lines += _right_lines(node, conflict.rights)
        lines += _territory_lines(node, conflict.territories)
        lines.append(f"{node} {_MESSAGE} {Literal(conflict.message, language='en')} .")


def _head(lines: list[str], node: str, cls: str, work: str) -> None:
    """The first two triples of every derived node: its class, and the work that holds it."""
    lines.append(f"{node} {_TYPE} {cls} .")
    lines.append(f"{node} {_WORK} {work} .")


def _owner(conflict: Conflict) -> str:
    """The work whose results hold a conflict: the derived work of a derivative conflict,
    else the first affected work."""
    if conflict.derived_work is not None:
        return conflict.derived_work
    return min(conflict.works)


def render(derivation: Derivation, catalogue: Catalogue) -> Rendering:
    """The derived triples of every work of ``derivation``, and the sets they use."""
    rendering = Rendering()
    renderer = _Renderer(catalogue, rendering)
    owned: dict[str, list[Conflict]] = defaultdict(list)
    for conflict in derivation.conflicts:
        owned[_owner(conflict)].append(conflict)
    for key in sorted(derivation.works):
        rendering.works.append(renderer.work(derivation.works[key], owned.get(key, ())))
    return rendering


# -- writing ----------------------------------------------------------------------------


@dataclass
class WriteStats:
    """What :func:`write_results` wrote."""

    unchanged: int = 0
    """Works whose results were already stored as they are."""
    written: int = 0
    """Works whose results were written or rewritten."""
    removed: int = 0
    """Works gone from the store whose results were deleted."""
    added_triples: int = 0
    deleted_triples: int = 0

    def add(self, other: WriteStats) -> None:
        self.unchanged += other.unchanged
        self.written += other.written
        self.removed += other.removed
        self.added_triples += other.added_triples
        self.deleted_triples += other.deleted_triples


CHUNK = 2000
"""How many IRIs one query binds at most."""

ATOMIC_LIMIT = 50_000
"""Up to this many triples added and deleted, a write is one update (atomic); above it the
additions are bulk-loaded, and the pending markers are cleared last."""

DELETE_SLICE = 50_000
"""How many triples one update deletes at most (a transaction is held in memory)."""


def _values(variable: str, iris: Sequence[str]) -> str:
    return values_clause(variable, [NamedNode(i) for i in iris])


def stored_digests(store: Store, works: Iterable[str] | None = None) -> dict[str, str]:
    """The digest of each work's stored results, by work IRI (``None``: every work)."""
    template = (
        f"SELECT ?w ?d WHERE {{ {{values}} GRAPH <{DERIVED_GRAPH}> "
        f"{{ ?w <{CAMS.derivationDigest}> ?d }} }}"
    )
    if works is None:
        queries = [template.replace("{values}", "")]
    else:
        wanted = sorted(set(works))
        queries = [
            template.replace("{values}", _values("w", wanted[i : i + CHUNK]))
            for i in range(0, len(wanted), CHUNK)
        ]
    found: dict[str, str] = {}
    for query in queries:
        for row in store.select(query):
            found[row["w"].value] = row["d"].value
    return found


def _stored_lines(store: Store, works: Sequence[str]) -> dict[str, set[str]]:
    """The stored derived triples of some works (by IRI), as N-Triples lines."""
    found: dict[str, set[str]] = {w: set() for w in works}
    for i in range(0, len(works), CHUNK):
        chunk = works[i : i + CHUNK]
        query = (
            f"SELECT ?w ?s ?p ?o WHERE {{ {_values('w', chunk)} GRAPH <{DERIVED_GRAPH}> "
            f"{{ {{ ?s <{CAMS.work}> ?w ; ?p ?o }} UNION {{ ?w ?p ?o BIND (?w AS ?s) }} }} }}"
        )
        for row in store.select(query):
            found[row["w"].value].add(f"{row['s']} {row['p']} {row['o']} .")
    return found


def _known_sets(store: Store, iris: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for i in range(0, len(iris), CHUNK):
        query = (
            f"SELECT ?s WHERE {{ {_values('s', iris[i : i + CHUNK])} "
            f"GRAPH <{DERIVED_GRAPH}> {{ ?s a ?class }} }}"
        )
        known.update(row["s"].value for row in store.select(query))
    return known


def _graph_data(lines: Iterable[str]) -> str:
    return f"GRAPH <{DERIVED_GRAPH}> {{\n" + "\n".join(lines) + "\n}"


def clear_markers(works: Iterable[str] | None) -> str:
    """The update that clears the pending markers of ``works`` (``None``: every marker)."""
    pending = f"<{CAMS.derivationPending}>"
    if works is None:
        return f"DELETE WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w {pending} ?x }} }}"
    wanted = sorted(set(works))
    if not wanted:
        return ""
    return (
        f"DELETE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w {pending} ?x }} }} WHERE {{ "
        f"{_values('w', wanted)} GRAPH <{SYSTEM_GRAPH}> {{ ?w {pending} ?x }} }}"
    )


def write_results(
    store: Store,
    rendering: Rendering,
    digests: Mapping[str, str],
    *,
    check: Collection[str] = (),
    gone: Collection[str] = (),
    known_sets: set[str] | None = None,
    markers: Collection[str] | None = (),
) -> WriteStats:
    """Store the results of ``rendering``, writing only what changed.

    ``digests`` holds the stored digests that can be trusted (:func:`stored_digests`), by
    work IRI: a work whose digest is the same is left alone. The results of a work in
    ``check`` (stored results that no digest vouches for: works marked pending, whose
    last write may have been cut short) or with another digest are read back and compared
    triple by triple: the removed ones are deleted, the new ones added. Any other work has
    no stored results and is written whole. The results of the works ``gone`` (IRIs of
    works no longer in the store) are deleted. ``known_sets`` are the set IRIs known to be
    stored (kept up to date by this call); the other sets the works use are looked up and
    written if missing. ``markers`` are the works whose pending markers are cleared
    (``None``: every marker), last.

    Up to :data:`ATOMIC_LIMIT` triples, everything is one update, so that readers see the
    old results or the new ones. Above it, the write is marked in progress
    (:data:`~cams_graph.namespaces.WRITE_IN_PROGRESS`), the deletions are made an update
    per slice, the additions bulk-loaded, and the markers cleared last: until then readers
    see those works as pending, and a crash leaves the markers for the next run, which
    then compares every work's stored triples with what they should be.
    """
    stats = WriteStats()
    fresh: list[WorkResults] = []
    changed: list[WorkResults] = []
    for results in rendering.works:
        stored = digests.get(results.iri)
        if results.iri in check or (stored is not None and stored != results.digest):
            changed.append(results)
        elif stored is None:
            fresh.append(results)
        else:
            stats.unchanged += 1
    leaving = sorted(set(gone))
    stats.written = len(fresh) + len(changed)
    stats.removed = len(leaving)

    added: list[str] = []
    deleted: list[str] = []
    for results in fresh:
        added += results.all_lines()
    if changed or leaving:
        old = _stored_lines(store, [r.iri for r in changed] + leaving)
        for results in changed:
            new = results.all_lines()
            before = old[results.iri]
            deleted += sorted(before.difference(new))
            added += [line for line in new if line not in before]
        for work in leaving:
            deleted += sorted(old[work])

    used = sorted(set(rendering.sets) - (known_sets or set())) if added else []
    if used:
        present = _known_sets(store, used)
        for iri in used:
            if iri not in present:
                added += rendering.sets[iri]
        if known_sets is not None:
            known_sets.update(used)
    stats.added_triples, stats.deleted_triples = len(added), len(deleted)

    clear = clear_markers(markers)
    if len(added) + len(deleted) <= ATOMIC_LIMIT:
        parts = []
        if deleted:
            parts.append("DELETE DATA { " + _graph_data(deleted) + " }")
        if added:
            parts.append("INSERT DATA { " + _graph_data(added) + " }")
        if clear:
            parts.append(clear)  # last: a server that applies them one by one keeps them
        if parts:
            store.update(" ;\n".join(parts))
        return stats
    writing = f"GRAPH <{SYSTEM_GRAPH}> {{ <{WRITE_IN_PROGRESS}> <{CAMS.derivationPending}> true }}"
    store.update(f"INSERT DATA {{ {writing} }}")
    for i in range(0, len(deleted), DELETE_SLICE):
        store.update("DELETE DATA { " + _graph_data(deleted[i : i + DELETE_SLICE]) + " }")
    if added:
        data = ("\n".join(added) + "\n").encode("utf-8")
        store.bulk_load(data, RdfFormat.N_TRIPLES, str(DERIVED_GRAPH))
    store.update(" ;\n".join([*filter(None, [clear]), f"DELETE DATA {{ {writing} }}"]))
    return stats
