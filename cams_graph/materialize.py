"""The engine's results as RDF, in the terms of the ontology, for the derived graph.

Per work: ``cams:protectionExpires`` on the work, and one ``cams:TitleRecord``
per set of cells with the same history, linking its chain events, holdings and
licences in force. Per conflict: one ``cams:Conflict``. Every derived node but
the conflicts carries ``cams:work``, so a work's results can be replaced by one
update. IRIs are stable: the same facts always give the same triples.

Territories of a record or conflict are written as the countries, or, when
they are most of the world, as ``territory:WORLD`` with the countries left out
as ``cams:excludedTerritory``.

>>> from datetime import date
>>> from cams_graph.engine import derive
>>> from cams_graph.facts import Catalogue, Party, Work
>>> d = derive(Catalogue().add(Party("P1"), Work("W1", created=date(2001, 3, 1), authors=("P1",))))
>>> triples = list(derivation_triples(d, Catalogue()))
>>> len(triples) > 10
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad, Triple

from .cells import ALL_TERRITORIES, COUNTRY_CODES, RIGHT_CODES, bits, rights_codes, territory_codes
from .engine import ChainEvent, Conflict, Derivation, LicenceInForce, WorkTitle, index
from .facts import Catalogue
from .namespaces import (
    AGREEMENT,
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
    XSD,
)
from .store import Store, insert_data, quads_in, values_clause

__all__ = [
    "add_derived",
    "conflict_iri",
    "derivation_triples",
    "node_iri",
    "replace_derived",
    "territory_triples",
]

_DAY = timedelta(days=1)
_TYPE = NamedNode(str(RDF.type))
_DATE = NamedNode(str(XSD.date))
_INTEGER = NamedNode(str(XSD.integer))
_EVENT_CLASS = {
    "creation": CAMS.CreationEvent,
    "assignment": CAMS.AssignmentEvent,
    "succession": CAMS.SuccessionEvent,
    "reversion": CAMS.ReversionEvent,
}
_P = {
    name: NamedNode(str(getattr(CAMS, name)))
    for name in (
        "work",
        "right",
        "territory",
        "excludedTerritory",
        "event",
        "holding",
        "licenceInForce",
        "agreement",
        "fromParty",
        "toParty",
        "holder",
        "date",
        "sequence",
        "validFrom",
        "validUntil",
        "judgedUnder",
        "protectionExpires",
        "conflictCode",
        "severity",
        "related",
        "affectedWork",
        "message",
    )
}
_WORLD = NamedNode(str(TERRITORY["WORLD"]))
_RECORD = NamedNode(str(CAMS.TitleRecord))
_HOLDING = NamedNode(str(CAMS.Holding))
_LICENCE = NamedNode(str(CAMS.LicenceInForce))
_EVENT_NODES = {kind: NamedNode(str(iri)) for kind, iri in _EVENT_CLASS.items()}
_RIGHTS = {code: NamedNode(str(RIGHT[code])) for code in RIGHT_CODES}


def node_iri(catalogue: Catalogue, kind: str, key: str) -> NamedNode:
    """The IRI of a party, work or agreement: the one it came with, else the minted one."""
    known = catalogue.iris.get(f"{kind}:{key}")
    if known is not None:
        return NamedNode(known)
    namespace = {"party": PARTY, "work": WORK, "agreement": AGREEMENT}[kind]
    return NamedNode(str(namespace[quote(key, safe="")]))


def conflict_iri(conflict: Conflict) -> NamedNode:
    """The stable IRI of a conflict: by code and agreement (and related), or by derived work."""
    if conflict.agreement is None:
        return derivative_conflict_iri(conflict.derived_work or "")
    parts = [conflict.code, quote(conflict.agreement, safe="")]
    if conflict.related:
        parts.append("+".join(quote(r, safe="") for r in conflict.related))
    return NamedNode(str(EVENT["conflict/" + "/".join(parts)]))


def derivative_conflict_iri(work: str) -> NamedNode:
    """The IRI of the conflict ``DERIVATIVE_WITHOUT_LICENCE`` of the derived ``work`` (a key)."""
    return NamedNode(str(EVENT["conflict/DERIVATIVE_WITHOUT_LICENCE/" + quote(work, safe="")]))


def _date(day: date) -> Literal:
    return Literal(day.isoformat(), datatype=_DATE)


def territory_triples(subject: NamedNode, mask: int) -> Iterator[Triple]:
    """The territories of ``mask``: the countries, or WORLD with the countries left out."""
    if mask.bit_count() * 2 > len(COUNTRY_CODES):
        yield Triple(subject, _P["territory"], _WORLD)
        for code in territory_codes(ALL_TERRITORIES & ~mask):
            yield Triple(subject, _P["excludedTerritory"], NamedNode(str(TERRITORY[code])))
    else:
        for code in territory_codes(mask):
            yield Triple(subject, _P["territory"], NamedNode(str(TERRITORY[code])))


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


def _work_triples(
    catalogue: Catalogue, title: WorkTitle, position: Mapping[str, int]
) -> Iterator[Triple]:
    """The derived triples of one work. Events, holdings and licences in force are nodes of
    the work, shared by every record whose history holds them."""
    work = node_iri(catalogue, "work", title.work.key)
    if title.expires is not None:
        yield Triple(work, _P["protectionExpires"], _date(title.expires))
    base = str(EVENT[quote(title.work.key, safe="")])
    records = (*title.records, *title.moral)
    distinct = sorted(
        {event for record in records for event in record.events},
        key=lambda e: _event_order(e, position),
    )
    events: dict[ChainEvent, NamedNode] = {}
    for k, event in enumerate(distinct):
        node = events[event] = NamedNode(f"{base}/e{k}")
        yield from _event_triples(catalogue, work, event, k, node)
    holdings: dict[tuple[tuple[str, ...], date | None, date | None], NamedNode] = {}
    licences: dict[LicenceInForce, NamedNode] = {}
    for n, record in enumerate(records):
        subject = NamedNode(f"{base}/r{n}")
        yield Triple(subject, _TYPE, _RECORD)
        yield Triple(subject, _P["work"], work)
        for code in rights_codes(record.rights):
            yield Triple(subject, _P["right"], _RIGHTS[code])
        yield from territory_triples(subject, record.territories)
        for event in record.events:
            yield Triple(subject, _P["event"], events[event])
        for event, until in _holdings(record.events):
            key = (event.to, event.date, until)
            if key not in holdings:
                node = holdings[key] = NamedNode(f"{base}/h{len(holdings)}")
                yield Triple(node, _TYPE, _HOLDING)
                yield Triple(node, _P["work"], work)
                for party in event.to:
                    yield Triple(node, _P["holder"], node_iri(catalogue, "party", party))
                if event.date is not None:
                    yield Triple(node, _P["validFrom"], _date(event.date))
                if until is not None:
                    yield Triple(node, _P["validUntil"], _date(until))
            yield Triple(subject, _P["holding"], holdings[key])
        for licence in record.licences:
            if licence not in licences:
                node = licences[licence] = NamedNode(f"{base}/l{len(licences)}")
                yield from _licence_triples(catalogue, work, licence, position, node)
            yield Triple(subject, _P["licenceInForce"], licences[licence])


def _licence_triples(
    catalogue: Catalogue,
    work: NamedNode,
    licence: LicenceInForce,
    position: Mapping[str, int],
    node: NamedNode,
) -> Iterator[Triple]:
    yield Triple(node, _TYPE, _LICENCE)
    yield Triple(node, _P["work"], work)
    rank = position.get(licence.agreement, 0)
    yield Triple(node, _P["sequence"], Literal(str(rank), datatype=_INTEGER))
    yield Triple(node, _P["agreement"], node_iri(catalogue, "agreement", licence.agreement))
    yield Triple(node, _P["validFrom"], _date(licence.start))
    if licence.end is not None:
        yield Triple(node, _P["validUntil"], _date(licence.end))
    if licence.parent is not None:
        yield Triple(node, _P["judgedUnder"], node_iri(catalogue, "agreement", licence.parent))


def _event_triples(
    catalogue: Catalogue, work: NamedNode, event: ChainEvent, k: int, node: NamedNode
) -> Iterator[Triple]:
    yield Triple(node, _TYPE, _EVENT_NODES[event.kind])
    yield Triple(node, _P["work"], work)
    yield Triple(node, _P["sequence"], Literal(str(k), datatype=_INTEGER))
    if event.date is not None:
        yield Triple(node, _P["date"], _date(event.date))
    if event.agreement is not None:
        yield Triple(node, _P["agreement"], node_iri(catalogue, "agreement", event.agreement))
    for party in event.from_:
        yield Triple(node, _P["fromParty"], node_iri(catalogue, "party", party))
    for party in event.to:
        yield Triple(node, _P["toParty"], node_iri(catalogue, "party", party))


def _conflict_triples(catalogue: Catalogue, conflict: Conflict) -> Iterator[Triple]:
    node = conflict_iri(conflict)
    yield Triple(node, _TYPE, NamedNode(str(CAMS.Conflict)))
    yield Triple(node, _P["conflictCode"], NamedNode(str(CONFLICT[conflict.code])))
    yield Triple(node, _P["severity"], NamedNode(str(SEVERITY[conflict.severity])))
    if conflict.agreement is not None:
        yield Triple(node, _P["agreement"], node_iri(catalogue, "agreement", conflict.agreement))
    for related in conflict.related:
        yield Triple(node, _P["related"], node_iri(catalogue, "agreement", related))
    for work in conflict.works:
        yield Triple(node, _P["affectedWork"], node_iri(catalogue, "work", work))
    if conflict.derived_work is not None:
        yield Triple(node, _P["work"], node_iri(catalogue, "work", conflict.derived_work))
    for i in bits(conflict.rights):
        yield Triple(node, _P["right"], NamedNode(str(RIGHT[rights_codes(1 << i)[0]])))
    if conflict.territories:
        yield from territory_triples(node, conflict.territories)
    yield Triple(node, _P["message"], Literal(conflict.message, language="en"))


def derivation_triples(derivation: Derivation, catalogue: Catalogue) -> Iterator[Triple]:
    """Every triple of the derived graph for the works and conflicts of ``derivation``."""
    position = index(catalogue).position
    for key in sorted(derivation.works):
        yield from _work_triples(catalogue, derivation.works[key], position)
    for conflict in derivation.conflicts:
        yield from _conflict_triples(catalogue, conflict)


def add_derived(store: Store, derivation: Derivation, catalogue: Catalogue) -> int:
    """Bulk-load the derived triples of ``derivation`` (nothing deleted); returns their number."""
    count = 0

    def counted() -> Iterator[Quad]:
        nonlocal count
        for quad in quads_in(str(DERIVED_GRAPH), derivation_triples(derivation, catalogue)):
            count += 1
            yield quad

    store.bulk_add(counted())
    return count


def replace_derived(
    store: Store,
    derivation: Derivation,
    catalogue: Catalogue,
    works: Iterable[str],
    *,
    bulk_above: int = 20_000,
) -> int:
    """Replace, in one update, the derived results of ``works`` (IRIs) with ``derivation``.

    Every derived node of those works goes (a derivative conflict belongs to
    the derived work), and every conflict of an agreement that names one of
    them: ``works`` must therefore hold whole clusters, and the works made from
    them (:func:`cams_graph.catalogue.load_catalogue` widens them so).
    Also clears their ``cams:derivationPending`` markers. Returns the number of
    triples written.

    Up to ``bulk_above`` triples, everything happens in one update, so readers
    see the old results or the new ones. Above it (the first derivation of a
    large catalogue) the old results are deleted in one
    update, the new ones bulk-loaded, and the markers cleared last: readers see
    those works without results (still marked pending) until they land, and a
    crash in between leaves the markers for the next run.
    """
    nodes = [NamedNode(w) for w in sorted(set(works))]
    triples = list(derivation_triples(derivation, catalogue))
    derived = f"<{DERIVED_GRAPH}>"
    parts: list[str] = []
    markers: list[str] = []
    if nodes:
        values = values_clause("w", nodes)
        parts += [
            f"DELETE {{ GRAPH {derived} {{ ?s ?p ?o }} }} WHERE {{ {values} "
            f"GRAPH {derived} {{ ?s <{CAMS.work}> ?w . ?s ?p ?o }} }}",
            f"DELETE {{ GRAPH {derived} {{ ?c ?p ?o }} }} WHERE {{ {values} "
            f"GRAPH {derived} {{ ?c <{CAMS.affectedWork}> ?w ; <{CAMS.agreement}> ?a . "
            "?c ?p ?o } }",
            f"DELETE {{ GRAPH {derived} {{ ?w ?p ?o }} }} WHERE {{ {values} "
            f"GRAPH {derived} {{ ?w ?p ?o }} }}",
        ]
        markers.append(
            f"DELETE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w <{CAMS.derivationPending}> ?o }} }} "
            f"WHERE {{ {values} GRAPH <{SYSTEM_GRAPH}> {{ ?w <{CAMS.derivationPending}> ?o }} }}"
        )
    if len(triples) > bulk_above:
        if parts:
            store.update(" ;\n".join(parts))
        store.bulk_add(quads_in(str(DERIVED_GRAPH), triples))
        if markers:
            store.update(" ;\n".join(markers))
        return len(triples)
    if triples:
        parts.append(insert_data(str(DERIVED_GRAPH), triples))
    parts += markers  # last: a server that applies the operations one by one keeps them on a crash
    if parts:
        store.update(" ;\n".join(parts))
    return len(triples)
