"""Answering legal teams: the chain of title of a cell on a day, and the conflicts.

Every answer is read from the derived graph with the documented queries of
``queries/`` (``title-*.rq``, ``conflicts.rq``), so a SPARQL endpoint consumer
running those queries gets the same answers as ``cams title`` and
``cams conflicts``. The JSON shapes are those of ``title.md``.

>>> from cams_graph.store import open_store
>>> store = open_store(":memory:")
>>> conflicts(store)
[]
>>> title(store, "W1", "reproduction", "CN", "2024-05-01")
Traceback (most recent call last):
...
cams_graph.errors.UnknownTermError: unknown work 'W1'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from pyoxigraph import Literal, NamedNode

from .cells import COUNTRY_CODES, render_territories, right_bit, territory_bit, territory_mask
from .errors import UnknownTermError
from .materialize import rights_of_set, territories_of_set
from .namespaces import CAMS, PROVENANCE_GRAPH, RDF, RIGHT, TERRITORY
from .resources import query_text
from .store import Row, Store, Term, bind_values, row_text, values_clause, values_rows
from .vocabularies import CONFLICT_CODES, ECONOMIC_RIGHTS, RIGHT_CODES

__all__ = [
    "check_day",
    "check_right",
    "check_territory",
    "check_work",
    "conflicts",
    "named_territories",
    "title",
]

JSON = dict[str, Any]

_EVENTS = {
    str(CAMS.CreationEvent): "creation",
    str(CAMS.AssignmentEvent): "assignment",
    str(CAMS.SuccessionEvent): "succession",
    str(CAMS.ReversionEvent): "reversion",
}
_LICENCES = {
    str(CAMS.ExclusiveLicence): "exclusive_licence",
    str(CAMS.SoleLicence): "sole_licence",
    str(CAMS.NonExclusiveLicence): "non_exclusive_licence",
}


def check_right(code: str) -> str:
    """A single right code (not a group), or :class:`UnknownTermError`."""
    if code not in RIGHT_CODES:
        raise UnknownTermError(
            f"unknown right {code!r} (expected one right code, such as reproduction)"
        )
    return code


def check_territory(code: str) -> str:
    """A single ISO 3166-1 alpha-2 country code (not WORLD), or :class:`UnknownTermError`."""
    if code not in COUNTRY_CODES:
        raise UnknownTermError(
            f"unknown territory {code!r} (expected one country code, such as CN)"
        )
    return code


def check_day(text: str) -> date:
    """An ISO day ``YYYY-MM-DD``, or :class:`UnknownTermError`."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UnknownTermError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None


def check_work(store: Store, work: str) -> None:
    """Raise :class:`UnknownTermError` unless the store holds a work with key ``work``."""
    query = bind_values(query_text("works-by-key"), values_rows(["key"], [[Literal(work)]]))
    if not store.select(query):
        raise UnknownTermError(f"unknown work {work!r}")


def _run(store: Store, name: str, variables: Sequence[str], values: Sequence[Term]) -> list[Row]:
    return store.select(bind_values(query_text(name), values_rows(variables, [values])))


def _keys(row: Row, name: str) -> list[str]:
    value = row_text(row, name)
    return sorted(value.split()) if value else []


_NAMED: WeakKeyDictionary[Store, tuple[tuple[str, ...], int]] = WeakKeyDictionary()


def named_territories(store: Store) -> int:
    """The countries that some agreement in the store names, as a territory mask.

    Cached per store until the list of batches changes (an import or a retract).
    """
    stamp = tuple(
        sorted(
            row["b"].value
            for row in store.select(
                f"SELECT ?b WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?b a cams:Batch }} }}"
            )
        )
    )
    cached = _NAMED.get(store)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    codes = [row["code"].value for row in store.select(query_text("named-territories"))]
    mask = territory_mask(c for c in codes if c in COUNTRY_CODES)
    _NAMED[store] = (stamp, mask)
    return mask


def _conflict(row: Row, named: int) -> JSON:
    territories = _keys(row, "territories")
    excluded = _keys(row, "excluded")
    mask = territory_mask(territories, excluded) if territories else 0
    return {
        "code": row_text(row, "code"),
        "severity": row_text(row, "severity"),
        "agreement": row_text(row, "agreement"),
        "related": _keys(row, "related"),
        "works": _keys(row, "works"),
        "rights": [c for c in RIGHT_CODES if c in set(_keys(row, "rights"))],
        "territories": render_territories(mask, named) if mask else [],
        "start": row_text(row, "start"),
        "end": row_text(row, "end"),
        "message": row_text(row, "message"),
    }


def _sorted(items: list[JSON]) -> list[JSON]:
    return sorted(items, key=lambda c: (c["code"], c["agreement"] or "", c["works"]))


def conflicts(
    store: Store,
    work: str | None = None,
    code: str | None = None,
    severity: str | None = None,
) -> list[JSON]:
    """Every conflict (``cams conflicts``), or those naming a work, of a code or a severity."""
    if work is not None:
        check_work(store, work)
    if code is not None and code not in CONFLICT_CODES:
        raise UnknownTermError(f"unknown conflict code {code!r}")
    if severity is not None and severity not in ("error", "warning"):
        raise UnknownTermError(f"unknown severity {severity!r} (error or warning)")
    variables: list[str] = []
    values: list[Term] = []
    for name, value in (("work", work), ("code", code), ("severity", severity)):
        if value is not None:
            variables.append(name)
            values.append(Literal(value))
    text = query_text("conflicts")
    text = bind_values(text, values_rows(variables, [values]) if variables else "")
    named = named_territories(store)
    return _sorted([_conflict(row, named) for row in store.select(text)])


@dataclass
class _Node:
    """One node read for a title: its properties, values as IRIs (or literals) and keys."""

    values: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)

    def one(self, prop: str) -> str | None:
        found = self.values.get(prop)
        return found[0] if found else None

    def all(self, prop: str) -> list[str]:
        return self.values.get(prop, [])

    def key_list(self, prop: str) -> list[str]:
        return sorted(self.keys.get(prop, []))


@dataclass
class _Work:
    """What a title reads of one work (``queries/work-title-nodes.rq``)."""

    created: str | None = None
    expires: str | None = None
    conflicted: bool = False
    nodes: dict[str, _Node] = field(default_factory=dict)
    """The work's derived nodes by IRI."""


def _read_work(store: Store, work: str) -> _Work | None:
    """The work's days, whether a conflict names it, and its derived nodes; None when the
    store has no work of that key."""
    found: _Work | None = None
    for row in _run(store, "work-title-nodes", ["work"], [Literal(work)]):
        if found is None:
            found = _Work(
                row_text(row, "created"),
                row_text(row, "expires"),
                row_text(row, "conflicted") in ("true", "1"),
            )
        subject = row.get("s")
        if subject is None:
            continue
        node = found.nodes.setdefault(subject.value, _Node())
        node.values.setdefault(row["p"].value, []).append(row["o"].value)
    return found


@dataclass
class _Names:
    """Keys of the nodes a title names, and type and parties of its agreements."""

    keys: dict[str, str] = field(default_factory=dict)
    licence_types: dict[str, str] = field(default_factory=dict)
    grantors: dict[str, set[str]] = field(default_factory=dict)
    grantees: dict[str, set[str]] = field(default_factory=dict)

    def licence(self, agreement: str) -> tuple[str, list[str], list[str]]:
        """Type, grantors and grantees (keys) of a licence agreement (by IRI)."""
        return (
            self.licence_types.get(agreement, ""),
            sorted(self.grantors.get(agreement, ())),
            sorted(self.grantees.get(agreement, ())),
        )


def _name_by_key(store: Store, nodes: Iterable[_Node]) -> _Names:
    """Read what names the parties and agreements of ``nodes`` (``queries/node-keys.rq``)
    and fill in their keys."""
    chosen = list(nodes)
    names = _Names()
    named = sorted({v for n in chosen for p in _NAMED_BY_KEY for v in n.all(p)})
    if not named:
        return names
    query = bind_values(
        query_text("node-keys"), values_clause("node", [NamedNode(i) for i in named])
    )
    for row in store.select(query):
        iri = row["node"].value
        if "key" in row:
            names.keys.setdefault(iri, row["key"].value)
        if "class" in row and row["class"].value in _LICENCES:
            names.licence_types[iri] = _LICENCES[row["class"].value]
        if "grantor" in row:
            names.grantors.setdefault(iri, set()).add(row["grantor"].value)
        if "grantee" in row:
            names.grantees.setdefault(iri, set()).add(row["grantee"].value)
    for node in chosen:
        for prop in _NAMED_BY_KEY:
            found = [names.keys[v] for v in node.all(prop) if v in names.keys]
            if found:
                node.keys[prop] = found
    return names


_SET_MEMBERS: dict[str, int] = {}
"""Territory sets named by a hash, by IRI → their countries. A set's name is made from its
content, so what it holds never changes."""


def _territory_masks(store: Store, iris: set[str]) -> dict[str, int]:
    """The countries of each territory set (by IRI), read from the store only for sets
    whose name does not list them."""
    masks: dict[str, int] = {}
    unknown: list[str] = []
    for iri in iris:
        mask = territories_of_set(iri)
        if mask is None:
            mask = _SET_MEMBERS.get(iri)
        if mask is None:
            unknown.append(iri)
        else:
            masks[iri] = mask
    if unknown:
        included: dict[str, list[str]] = {i: [] for i in unknown}
        excluded: dict[str, list[str]] = {i: [] for i in unknown}
        query = bind_values(
            "SELECT ?set ?code ?left WHERE {\n  #VALUES\n"
            "  { ?set cams:territory/cams:code ?code } UNION "
            "{ ?set cams:excludedTerritory/cams:code ?left } }",
            values_clause("set", [NamedNode(i) for i in sorted(unknown)]),
        )
        for row in store.select(query):
            target = included if "code" in row else excluded
            target[row["set"].value].append(row_text(row, "code") or row_text(row, "left") or "")
        for iri in unknown:
            mask = territory_mask(included[iri], excluded[iri])
            _SET_MEMBERS[iri] = masks[iri] = mask
    return masks


def _covering(nodes: list[_Node], right: int, territory: int, masks: dict[str, int]) -> list[_Node]:
    """The records or licences of ``nodes`` whose right and territory sets hold the cell."""
    return [
        n
        for n in nodes
        if (rights_of_set(n.one(_P_RIGHT_SET) or "") or 0) & right
        and masks.get(n.one(_P_TERRITORY_SET) or "", 0) & territory
    ]


def _in_force(node: _Node, day: str) -> bool:
    start, until = node.one(_P_FROM), node.one(_P_UNTIL)
    return (start is None or start <= day) and (until is None or day <= until)


def _status(work: _Work, right: str, day: str) -> tuple[str, str | None]:
    """Status and end of protection of a right of a work on a day, as ``title-status.rq``
    has it: moral rights other than publication never expire."""
    created = work.created
    expires = work.expires if right in _EXPIRING else None
    if created is not None and day < created:
        return "not_created", expires
    if expires is not None and day > expires:
        return "public_domain", expires
    return "protected", expires


def title(store: Store, work: str, right: str, territory: str, at: str | date) -> JSON:
    """The chain of title of (work, right, territory) on day ``at`` (``cams title``).

    What it needs is read with one query (``work-title-nodes.rq``) and the cell's
    record picked here; the documented queries ``title-status.rq``,
    ``title-owners.rq``, ``title-chain.rq``, ``title-licences.rq`` and
    ``title-conflicts.rq`` give the same answers (a test holds them to it).
    """
    check_right(right)
    check_territory(territory)
    day = at if isinstance(at, date) else check_day(at)
    read = _read_work(store, work)
    if read is None:
        raise UnknownTermError(f"unknown work {work!r}")
    nodes = read.nodes
    today = day.isoformat()
    status, expires = _status(read, right, today)
    records = [n for n in nodes.values() if _RECORD in n.all(_P_TYPE)]
    licence_nodes = [n for n in nodes.values() if _LICENCE in n.all(_P_TYPE)]
    masks = _territory_masks(
        store, {n.one(_P_TERRITORY_SET) or "" for n in (*records, *licence_nodes)} - {""}
    )
    cell = (right_bit(right), territory_bit(territory))
    record = next(iter(_covering(records, *cell, masks)), _Node())
    covering = _covering(licence_nodes, *cell, masks) if status == "protected" else []
    names = _name_by_key(
        store,
        [
            *(nodes[e] for e in (*record.all(_P_EVENT), *record.all(_P_HOLDING)) if e in nodes),
            *covering,
        ],
    )
    owners: list[str] = []
    chain: list[JSON] = []
    licences: list[JSON] = []
    if status != "not_created":
        horizon = today if status == "protected" or expires is None else min(today, expires)
        steps = sorted(
            (nodes[e] for e in record.all(_P_EVENT) if e in nodes),
            key=lambda n: int(n.one(_P_SEQUENCE) or 0),
        )
        for step in steps:
            when = step.one(_P_DATE)
            if when is not None and when > horizon:
                continue
            chain.append(
                {
                    "event": next((_EVENTS[c] for c in step.all(_P_TYPE) if c in _EVENTS), ""),
                    "agreement": next(iter(step.key_list(_P_AGREEMENT)), None),
                    "from": step.key_list(_P_FROM_PARTY),
                    "to": step.key_list(_P_TO_PARTY),
                    "date": when,
                }
            )
    if status == "protected":
        for h in record.all(_P_HOLDING):
            holding = nodes.get(h)
            if holding is not None and _in_force(holding, today):
                owners.extend(holding.key_list(_P_HOLDER))
        in_force = sorted(
            (n for n in covering if _in_force(n, today)),
            key=lambda n: (int(n.one(_P_SEQUENCE) or 0), n.one(_P_FROM) or ""),
        )
        for lic in in_force:
            kind, grantors, grantees = names.licence(lic.one(_P_AGREEMENT) or "")
            licences.append(
                {
                    "agreement": next(iter(lic.key_list(_P_AGREEMENT)), None),
                    "type": kind,
                    "grantors": grantors,
                    "grantees": grantees,
                    "start": lic.one(_P_FROM),
                    "end": lic.one(_P_UNTIL),
                    "parent": next(iter(lic.key_list(_P_UNDER)), None),
                }
            )
    found: list[Row] = []
    if read.conflicted:
        found = _run(
            store,
            "title-conflicts",
            ["work", "right", "territory"],
            [Literal(work), NamedNode(str(RIGHT[right])), NamedNode(str(TERRITORY[territory]))],
        )
    named = named_territories(store) if found else 0
    return {
        "work": work,
        "right": right,
        "territory": territory,
        "at": today,
        "status": status,
        "expires": expires,
        "owners": sorted(set(owners)),
        "licences": licences,
        "chain": chain,
        "conflicts": _sorted([_conflict(row, named) for row in found]),
    }


_P_TYPE = str(RDF.type)
_P_AGREEMENT = str(CAMS.agreement)
_P_FROM_PARTY = str(CAMS.fromParty)
_P_TO_PARTY = str(CAMS.toParty)
_P_HOLDER = str(CAMS.holder)
_P_UNDER = str(CAMS.judgedUnder)
_NAMED_BY_KEY = (_P_AGREEMENT, _P_FROM_PARTY, _P_TO_PARTY, _P_HOLDER, _P_UNDER)
"""Properties whose values (parties, agreements) answers name by their keys."""
_P_RIGHT_SET = str(CAMS.rightSet)
_P_TERRITORY_SET = str(CAMS.territorySet)
_P_EVENT = str(CAMS.event)
_P_HOLDING = str(CAMS.holding)
_P_SEQUENCE = str(CAMS.sequence)
_P_DATE = str(CAMS.date)
_P_FROM = str(CAMS.validFrom)
_P_UNTIL = str(CAMS.validUntil)
_RECORD = str(CAMS.TitleRecord)
_LICENCE = str(CAMS.LicenceInForce)
_EXPIRING = frozenset(ECONOMIC_RIGHTS) | {"publication"}
