"""The title engine: replays each work's agreements and derives its chain of title and conflicts.

This module implements ``title.md`` of the specification. For one work, the
cells (right × territory) are split into the few classes that every agreement
covers whole (:func:`~cams_graph.cells.covered_parts`); each class is replayed
through the agreements that cover it, in the specified order:

* ownership is a stack of *titles* (:class:`Title`): creation at the bottom,
  then one per effective assignment or succession. The owners on a day are
  those of the topmost title in force that day, so when a title's last day
  passes the cell goes back, through every title already ended, to the first
  one still in force (a *reversion*);
* licences and pledges are kept with their periods in force and the licence
  they were judged under;
* each agreement is judged on the facts as they stand on its start day (or the
  work's creation day, when it starts before), and conflicts are recorded per
  class, then summed up per (code, agreement, related).

The result (:class:`Derivation`) holds, per work, *records* — sets of cells
with the same history — that :mod:`cams_graph.materialize` writes as RDF.

A catalogue of a million works must be derived in minutes, so the engine does
each thing once: the order of judgement and the terms of every agreement (its
cells as bit sets, its parties as sets) are read once per catalogue
(:func:`index`); a work's classes are found from bit sets of the grants that
cover each part, and each distinct set of grants is replayed once; the events
of a work's chains are made once and shared by its classes; records are merged
on the numbers of their histories. The cyclic garbage collector is paused while
:func:`derive` runs (:class:`_CollectorPause`). ``benchmarks/engine_bench.py``
measures it.

>>> from datetime import date
>>> from cams_graph.facts import Agreement, Catalogue, Party, Work
>>> cat = Catalogue().add(
...     Party("P1"), Party("P2", "organization"),
...     Work("W1", "literary", created=date(2005, 3, 1), authors=("P1",)),
...     Agreement("A1", "assignment", ("P1",), ("P2",), ("W1",), ("reproduction",), ("WORLD",),
...               start=date(2006, 1, 1)))
>>> d = derive(cat)
>>> t = d.title("W1", "reproduction", "CN", date(2020, 1, 1))
>>> t.status, t.owners, [(e.kind, e.agreement) for e in t.chain]
('protected', ('P2',), [('creation', None), ('assignment', 'A1')])
>>> d.conflicts
[]
"""

from __future__ import annotations

import gc
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from .cells import (
    ALL_TERRITORIES,
    ECONOMIC,
    MORAL,
    RIGHT_BIT,
    covered_parts,
    right_bit,
    rights_codes,
    rights_mask,
    territory_bit,
    territory_codes,
    territory_mask,
)
from .facts import Agreement, Catalogue, Party, Work
from .protection import expires, moral_holders
from .vocabularies import CONFLICT_CODES, DERIVATION_RIGHT, MORAL_RIGHTS

__all__ = [
    "CellHistory",
    "ChainEvent",
    "Conflict",
    "Derivation",
    "LicenceInForce",
    "Record",
    "TitleAnswer",
    "WorkTitle",
    "cell_history",
    "clusters",
    "derive",
    "judging_order",
]

_DAY = timedelta(days=1)
_NOBODY: frozenset[str] = frozenset()
_DEALINGS = frozenset(("assignment", "exclusive_licence", "sole_licence", "non_exclusive_licence"))
"""The agreements that deal in a pledged right unless the pledgee joins."""


def _min(a: date | None, b: date | None) -> date | None:
    """The earlier of two last days, ``None`` meaning open."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _in_force(start: date | None, last: date | None, day: date) -> bool:
    return (start is None or start <= day) and (last is None or day <= last)


def _overlap(s1: date, e1: date | None, s2: date, e2: date | None) -> bool:
    return (e2 is None or s1 <= e2) and (e1 is None or s2 <= e1)


def _keys(parties: Iterable[str]) -> str:
    return ", ".join(sorted(parties)) or "nobody"


# -- results ------------------------------------------------------------------


@dataclass(frozen=True)
class ChainEvent:
    """One step of a chain of title: how the owners of a cell changed."""

    kind: str  # "creation" | "assignment" | "succession" | "reversion"
    agreement: str | None
    from_: tuple[str, ...]
    to: tuple[str, ...]
    date: date | None


@dataclass(frozen=True)
class LicenceInForce:
    """An effective licence on a set of cells, with its period in force."""

    agreement: str
    start: date
    end: date | None
    parent: str | None
    exclusive: bool


@dataclass(frozen=True)
class Record:
    """Cells of one work (rights × territories) that share the same history."""

    rights: int
    territories: int
    events: tuple[ChainEvent, ...]
    licences: tuple[LicenceInForce, ...]

    def holders(self, day: date) -> tuple[str, ...]:
        """The owners after the last event on or before ``day``."""
        owners: tuple[str, ...] = ()
        for event in self.events:
            if event.date is not None and event.date > day:
                break
            owners = event.to
        return owners


@dataclass(frozen=True)
class WorkTitle:
    """What the engine derived for one work."""

    work: Work
    expires: date | None
    records: tuple[Record, ...]
    moral: tuple[Record, ...]

    def record(self, right: str, territory: str) -> Record:
        """The record holding the cell (right, territory)."""
        r, t = right_bit(right), territory_bit(territory)
        for rec in (*self.records, *self.moral):
            if rec.rights & r and rec.territories & t:
                return rec
        raise LookupError(f"no record for {right} in {territory}")  # pragma: no cover


@dataclass(frozen=True)
class Conflict:
    """One conflict, summed up over the cells it touches."""

    code: str
    severity: str
    agreement: str | None
    related: tuple[str, ...]
    works: tuple[str, ...]
    rights: int
    territories: int
    start: date | None
    end: date | None
    message: str
    derived_work: str | None = None
    """For ``DERIVATIVE_WITHOUT_LICENCE``: the work made without the licence."""


@dataclass(frozen=True)
class TitleAnswer:
    """The answer to: who holds this cell on that day, and how."""

    work: str
    right: str
    territory: str
    at: date
    status: str
    expires: date | None
    owners: tuple[str, ...]
    licences: tuple[LicenceInForce, ...]
    chain: tuple[ChainEvent, ...]
    conflicts: tuple[Conflict, ...]


@dataclass
class Derivation:
    """The engine's results for a set of works."""

    works: dict[str, WorkTitle]
    conflicts: list[Conflict]

    def title(self, work: str, right: str, territory: str, at: date) -> TitleAnswer:
        """The chain of title of one cell on one day, as ``title.md`` describes the answer."""
        wt = self.works[work]
        record = wt.record(right, territory)
        is_moral = bool(right_bit(right) & MORAL)
        expiry = wt.expires if (not is_moral or right == "publication") else None
        created = wt.work.created
        if created is not None and at < created:
            status = "not_created"
        elif expiry is not None and at > expiry:
            status = "public_domain"
        else:
            status = "protected"
        if status == "not_created":
            chain: tuple[ChainEvent, ...] = ()
        else:
            horizon = at if status == "protected" else expiry
            assert horizon is not None
            chain = tuple(e for e in record.events if e.date is None or e.date <= horizon)
        owners = record.holders(at) if status == "protected" else ()
        licences: tuple[LicenceInForce, ...] = ()
        if status == "protected":
            licences = tuple(lic for lic in record.licences if _in_force(lic.start, lic.end, at))
        r, t = right_bit(right), territory_bit(territory)
        conflicts = tuple(
            c
            for c in self.conflicts
            if work in c.works
            and (not c.rights or c.rights & r)
            and (not c.territories or c.territories & t)
        )
        return TitleAnswer(
            work,
            right,
            territory,
            at,
            status,
            expiry,
            tuple(sorted(owners)),
            licences,
            chain,
            conflicts,
        )


# -- the garbage collector --------------------------------------------------------


class _CollectorPause:
    """A context that pauses Python's cyclic garbage collector, then restores it.

    A derivation makes many small objects and keeps most of them in its result;
    each full pass of the collector scans every live object, the catalogue's
    included, and those passes cost about as much as the derivation itself. The
    engine makes no reference cycles, so what it drops is still freed at once by
    reference counting; only cyclic garbage made by other threads meanwhile
    waits for the next pass. Nested and concurrent derivations pause the
    collector once: the last one to leave restores the state the first one found
    (enabled or not). Other code that enables or disables the collector while a
    derivation runs is not undone until that derivation ends.

    >>> import gc
    >>> pause = _CollectorPause()
    >>> with pause:
    ...     with pause:
    ...         gc.isenabled()
    ...     gc.isenabled()
    False
    False
    >>> gc.isenabled()
    True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPause()


# -- the order of judgement -----------------------------------------------------


def judging_order(agreements: Iterable[Agreement]) -> list[Agreement]:
    """Agreements in the order they are judged.

    By start, then signing day; among equals terminations, then assignments and
    successions, then licences and pledges; then an agreement before any that
    names it as ``parent`` (directly or through a chain); then by key.

    >>> from datetime import date
    >>> d = date(2020, 1, 1)
    >>> order = judging_order([Agreement("B", "non_exclusive_licence", start=d, parent="C"),
    ...                        Agreement("C", "exclusive_licence", start=d),
    ...                        Agreement("A", "assignment", start=d)])
    >>> [a.key for a in order]
    ['A', 'C', 'B']
    """
    items = list(agreements)
    # By (start, signing day, rank, key); `n` keeps agreements of equal keys in their order.
    decorated = sorted((a.start, a.signed_on, a.rank, a.key, n) for n, a in enumerate(items))
    ordered = [items[d[-1]] for d in decorated]
    # Then, among agreements of the same (start, signing day, rank), parents first.
    by_key = {a.key: a for a in items}
    for start, signed, rank in {
        (a.start, a.signed_on, a.rank) for a in items if a.parent is not None
    }:
        first = bisect_left(decorated, (start, signed, rank))
        end = bisect_left(decorated, (start, signed, rank + 1))
        if end - first > 1:
            ordered[first:end] = _parents_first(ordered[first:end], by_key)
    return ordered


def _parents_first(group: list[Agreement], by_key: Mapping[str, Agreement]) -> list[Agreement]:
    """``group`` (in key order) with each agreement after those of the group it names as
    parent, directly or through a chain; otherwise in key order."""
    members = {a.key for a in group}
    ancestors: dict[str, set[str]] = {}
    for a in group:
        seen: set[str] = set()
        parent = a.parent
        while parent is not None and parent not in seen and parent != a.key:
            seen.add(parent)
            parent = by_key[parent].parent if parent in by_key else None
        ancestors[a.key] = seen & members
    ordered: list[Agreement] = []
    placed: set[str] = set()
    remaining = list(group)
    while remaining:
        ready = next(
            (a for a in remaining if ancestors[a.key] <= placed),
            remaining[0],  # a cycle of parents: fall back to key order
        )
        ordered.append(ready)
        placed.add(ready.key)
        remaining.remove(ready)
    return ordered


# Agreements name the same few sets of rights and territories: their masks are kept.
_rights_mask = lru_cache(maxsize=1024)(rights_mask)
_territory_mask = lru_cache(maxsize=1024)(territory_mask)


@lru_cache(maxsize=1 << 16)
def _parties(keys: tuple[str, ...]) -> frozenset[str]:
    """The set of ``keys``: one set for every agreement naming the same parties (memory)."""
    return frozenset(keys)


class _Terms(NamedTuple):
    """The terms of one agreement as the replay reads them: its cells as bit sets, its
    parties as sets."""

    rights: int
    """Every right it names, moral ones included."""
    economic: int
    """The economic rights it names: the only ones that pass by agreement."""
    territories: int
    grantors: frozenset[str]
    grantees: frozenset[str]
    dead_grantor: tuple[str, date] | None
    """The first grantor (by key) who had died before the agreement was signed, and when."""

    @classmethod
    def of(cls, a: Agreement, parties: Mapping[str, Party]) -> _Terms:
        """The terms of ``a``; ``parties`` tell who had died."""
        rights = _rights_mask(tuple(a.rights))
        signed = a.signed_on
        dead = None
        for g in a.grantors:
            party = parties.get(g)
            if party is None or party.died is None or signed <= party.died:
                continue
            if dead is None or g < dead[0]:
                dead = (g, party.died)
        return cls(
            rights,
            rights & ECONOMIC,
            _territory_mask(tuple(a.territories), tuple(a.excluded_territories)),
            _parties(tuple(a.grantors)),
            _parties(tuple(a.grantees)),
            dead,
        )


@dataclass(frozen=True)
class _Index:
    """The agreements of a catalogue in the order of judgement, by work and by the agreement
    a termination ends; and the terms of each, read once."""

    ordered: list[Agreement]
    position: dict[str, int]
    by_work: dict[str, list[Agreement]]
    terminations: dict[str, list[Agreement]]
    parties: Mapping[str, Party]
    ended: set[str] = field(default_factory=set)
    """The works named by an agreement that some termination ends."""
    read: dict[str, _Terms] = field(default_factory=dict)

    def of(self, work: str) -> list[Agreement]:
        """The agreements naming ``work`` and the terminations of those, in order."""
        mine = self.by_work.get(work, [])
        if work not in self.ended:
            return mine
        extra = [t for a in mine for t in self.terminations.get(a.key, ())]
        if not extra:
            return mine
        chosen = {a.key: a for a in (*mine, *extra)}
        return sorted(chosen.values(), key=lambda a: self.position[a.key])

    def terms(self, a: Agreement) -> _Terms:
        """The terms of ``a``, read on first use (so a term unknown to the vocabularies is
        reported only when the agreement is judged)."""
        found = self.read.get(a.key)
        if found is None:
            found = self.read[a.key] = _Terms.of(a, self.parties)
        return found


def index(catalogue: Catalogue) -> _Index:
    """The order of judgement and indexes of ``catalogue``, computed once per state of it."""
    found = catalogue.derived.get("index")
    if isinstance(found, _Index):
        return found
    ordered = judging_order(catalogue.agreements.values())
    by_work: dict[str, list[Agreement]] = defaultdict(list)
    terminations: dict[str, list[Agreement]] = defaultdict(list)
    for a in ordered:
        if a.type == "termination":
            if a.parent is not None:
                terminations[a.parent].append(a)
            continue
        for w in a.works if len(a.works) == 1 else dict.fromkeys(a.works):
            by_work[w].append(a)
    ended = {
        w
        for key in terminations
        if key in catalogue.agreements
        for w in catalogue.agreements[key].works
    }
    made = _Index(
        ordered,
        {a.key: i for i, a in enumerate(ordered)},
        by_work,
        terminations,
        catalogue.parties,
        ended,
    )
    catalogue.derived["index"] = made
    return made


# -- replay of one class of cells -----------------------------------------------


@dataclass(slots=True)
class Title:
    """Owners of the cells through one agreement (or creation), from ``start`` to ``last``."""

    agreement: str | None
    kind: str
    owners: frozenset[str]
    before: frozenset[str]
    start: date | None
    last: date | None
    under: Title | None = None


@dataclass(slots=True)
class Grant:
    """An effective licence or pledge on the class, as judged."""

    agreement: Agreement
    start: date
    last: date | None  # last day in force, not counting the term of protection
    exclusive: bool
    parent: str | None
    ancestors: frozenset[str]

    def last_in_force(self, expiry: date | None) -> date | None:
        return _min(self.last, expiry)


@dataclass(slots=True)
class _Hit:
    """One conflict found on one class of cells, before they are summed up."""

    code: str
    agreement: str | None
    related: tuple[str, ...]
    reason: str


class _Setting:
    """What every class of one work is replayed against: the work, its term, the terms of
    the agreements, how the work began; and the events of its chains, made once."""

    __slots__ = ("_events", "creation", "creation_event", "expiry", "terms", "work")

    def __init__(self, work: Work, expiry: date | None, idx: _Index) -> None:
        owners = frozenset(work.initial_owners)
        self.work = work
        self.expiry = expiry
        self.terms = idx.terms
        # The bottom of every class's stack of titles. It names no agreement, so no
        # termination ever changes it: the classes of the work share it.
        self.creation = Title(None, "creation", owners, _NOBODY, work.created, None)
        self.creation_event = ChainEvent("creation", None, (), tuple(sorted(owners)), work.created)
        self._events: dict[
            tuple[str, str | None, frozenset[str], frozenset[str], date], ChainEvent
        ] = {}

    def event(
        self,
        kind: str,
        agreement: str | None,
        before: frozenset[str],
        after: frozenset[str],
        day: date,
    ) -> ChainEvent:
        """The event by which the owners went from ``before`` to ``after`` on ``day``; the
        classes of the work share each event (most transfers cover several classes)."""
        key = (kind, agreement, before, after, day)
        found = self._events.get(key)
        if found is None:
            found = self._events[key] = ChainEvent(
                kind, agreement, tuple(sorted(before)), tuple(sorted(after)), day
            )
        return found


class _ClassReplay:
    """The replay of one class of cells of one work."""

    __slots__ = (
        "expiry",
        "hits",
        "licences",
        "pledges",
        "setting",
        "terminated",
        "terms",
        "titles",
        "work",
    )

    def __init__(self, setting: _Setting) -> None:
        self.setting = setting
        self.work = setting.work
        self.expiry = setting.expiry
        self.terms = setting.terms
        self.titles: list[Title] = [setting.creation]
        self.licences: list[Grant] = []
        self.pledges: list[Grant] = []
        self.terminated: dict[str, date] = {}
        self.hits: list[_Hit] = []

    # ownership
    def title_on(self, day: date) -> Title:
        """The topmost title in force on ``day`` (creation, before the work exists)."""
        for title in reversed(self.titles):
            if (title.start is None or title.start <= day) and (
                title.last is None or day <= title.last
            ):
                return title
        return self.titles[0]

    def _hit(
        self, code: str, a: Agreement | None, reason: str, related: Sequence[str] = ()
    ) -> None:
        self.hits.append(_Hit(code, a.key if a else None, tuple(sorted(related)), reason))

    def _lost_reason(self, grantors: frozenset[str], day: date, holders: frozenset[str]) -> str:
        """Why ``grantors`` could not grant on ``day``: the transfer that took it from them."""
        for title in reversed(self.titles):
            if title.agreement is None or not _in_force(title.start, None, day):
                continue
            if title.before & grantors and not title.owners & grantors:
                return (
                    f"no longer owned it: it had passed to {_keys(title.owners)} by the "
                    f"{title.kind} {title.agreement} on {title.start}"
                )
        if not holders:
            return "held neither the right nor a licence of it: nobody owned it"
        return f"held neither the right nor a licence of it: it was owned by {_keys(holders)}"

    def terminate(self, t: Agreement) -> None:
        target, day = t.parent, t.start
        if target is None:
            return
        if target in self.terminated and self.terminated[target] <= day:
            return
        self.terminated[target] = day
        for title in self.titles:
            if title.agreement == target:
                title.last = _min(title.last, day - _DAY)
        for grant in (*self.licences, *self.pledges):
            if grant.agreement.key == target or target in grant.ancestors:
                grant.last = _min(grant.last, day - _DAY)

    def judge(self, a: Agreement, terms: _Terms) -> None:
        """Judge the grant ``a`` (whose terms are ``terms``) on the class as it stands."""
        created = self.work.created
        day = a.start if created is None or a.start >= created else created
        if self.expiry is not None and day > self.expiry:
            return  # public domain on the grant's start day: not judged for authority
        grantors, grantees = terms.grantors, terms.grantees
        own_last = a.end
        if a.key in self.terminated:
            own_last = _min(own_last, self.terminated[a.key] - _DAY)

        if self.pledges and a.type in _DEALINGS:
            self._check_dealing(a, day, grantors, grantees)

        if a.type != "succession" and terms.dead_grantor is not None:
            g, died = terms.dead_grantor
            self._hit(
                "NON_OWNER_GRANT",
                a,
                f"could not grant it: {g} had died on {died}, before it was "
                f"signed on {a.signed_on}",
            )
            return

        title = self.title_on(day)
        owners = title.owners
        cap = title.last if title.agreement is not None else None

        if a.is_licence and not owners & grantors:
            self._judge_sublicence(a, day, own_last, grantors)
            return

        if a.type == "succession":
            if not owners & grantors:
                self._hit("NON_OWNER_GRANT", a, self._lost_reason(grantors, day, owners))
                return
        elif not owners or not owners & grantors:
            self._hit("NON_OWNER_GRANT", a, self._lost_reason(grantors, day, owners))
            return
        elif not owners <= grantors and a.type != "non_exclusive_licence":
            self._hit("CO_OWNER_CONSENT_MISSING", a, _keys(owners - grantors))
            return

        last = own_last
        if cap is not None and (own_last is None or own_last > cap):
            self._hit(
                "EXCEEDS_GRANTOR_TITLE",
                a,
                f"{_keys(grantors & owners)} held only until {cap} through {title.agreement}",
            )
            last = cap
        if last is not None and last < day:
            return  # empty period in force: judged, but creates nothing

        if a.is_transfer:
            new_owners = grantees if a.type == "assignment" else (owners - grantors) | grantees
            self.titles.append(
                Title(a.key, a.type, frozenset(new_owners), owners, day, last, title)
            )
        elif a.type == "pledge":
            self.pledges.append(Grant(a, day, last, False, None, _NOBODY))
        else:
            grant = Grant(a, day, last, a.is_exclusive, None, _NOBODY)
            self._check_overlaps(grant)
            self.licences.append(grant)

    def _judge_sublicence(
        self, a: Agreement, day: date, own_last: date | None, grantors: frozenset[str]
    ) -> None:
        candidates = [
            lic
            for lic in self.licences
            if (a.parent is None or lic.agreement.key == a.parent)
            and self.terms(lic.agreement).grantees & grantors
            and _in_force(lic.start, lic.last_in_force(self.expiry), day)
            and (lic.last is None or lic.last >= lic.start)
        ]
        if not candidates:
            title = self.title_on(day)
            self._hit("NON_OWNER_GRANT", a, self._lost_reason(grantors, day, title.owners))
            return
        under = next((lic for lic in candidates if lic.agreement.may_sublicense), None)
        if under is None:
            names = ", ".join(lic.agreement.key for lic in candidates)
            self._hit("SUBLICENCE_NOT_PERMITTED", a, names)
            return
        last = own_last
        exclusive = a.is_exclusive
        reasons = []
        if under.last is not None and (own_last is None or own_last > under.last):
            reasons.append(
                f"the licence {under.agreement.key} it is granted under ends on {under.last}"
            )
            last = under.last
        if exclusive and not under.exclusive:
            reasons.append(
                f"it is exclusive but {under.agreement.key} is not, so it counts as non-exclusive"
            )
            exclusive = False
        if reasons:
            self._hit("EXCEEDS_GRANTOR_TITLE", a, "; ".join(reasons))
        if last is not None and last < day:
            return
        grant = Grant(
            a, day, last, exclusive, under.agreement.key, under.ancestors | {under.agreement.key}
        )
        self._check_overlaps(grant)
        self.licences.append(grant)

    def _check_overlaps(self, new: Grant) -> None:
        new_last = new.last_in_force(self.expiry)
        for old in self.licences:
            if not (new.exclusive or old.exclusive):
                continue
            if old.agreement.key in new.ancestors or new.agreement.key in old.ancestors:
                continue
            old_last = old.last_in_force(self.expiry)
            if old_last is not None and old_last < old.start:
                continue
            if not _overlap(new.start, new_last, old.start, old_last):
                continue
            code = (
                "OVERLAPPING_EXCLUSIVE"
                if new.exclusive and old.exclusive
                else "NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE"
            )
            until = f"until {old_last}" if old_last else "with no end"
            self._hit(
                code,
                new.agreement,
                f"{old.agreement.key} is in force {until}",
                (old.agreement.key,),
            )

    def _check_dealing(
        self, a: Agreement, day: date, grantors: frozenset[str], grantees: frozenset[str]
    ) -> None:
        for pledge in self.pledges:
            p = pledge.agreement
            if not p.registration:
                continue
            if not _in_force(pledge.start, pledge.last_in_force(self.expiry), day):
                continue
            pledged = self.terms(p)
            if grantors & pledged.grantors and not grantees & pledged.grantees:
                self._hit(
                    "DEALING_UNDER_PLEDGE",
                    a,
                    f"pledged to {_keys(p.grantees)} by {p.key}",
                    (p.key,),
                )

    # results
    def _live(self) -> list[Title]:
        """The titles created by effective transfers whose period in force is not empty."""
        return [
            t for t in self.titles[1:] if t.last is None or t.start is None or t.last >= t.start
        ]

    def events(self) -> tuple[ChainEvent, ...]:
        """The chain of title of the class, oldest first.

        On each day, first the reversions (the visible title has ended: the cell
        goes back through every title it was taken from that has ended too, the
        most recent first), then the transfers that start that day.
        """
        base = self.titles[0]
        live = self._live()
        if not live:
            return (self.setting.creation_event,)
        events = [self.setting.creation_event]
        days = sorted(
            {t.start for t in live if t.start is not None}
            | {t.last + _DAY for t in live if t.last is not None}
        )
        for day in days:
            visible = self.title_on(day - _DAY)
            if visible is not base and visible.last is not None and visible.last < day:
                title: Title | None = visible
                while title is not None and title is not base:
                    if _in_force(title.start, title.last, day):
                        break
                    back = title.under if title.under is not None else base
                    events.append(
                        self.setting.event(
                            "reversion", title.agreement, title.owners, back.owners, day
                        )
                    )
                    title = back
            for t in live:
                if t.start == day:
                    events.append(self.setting.event(t.kind, t.agreement, t.before, t.owners, day))
        return tuple(events)

    def licences_in_force(self) -> tuple[LicenceInForce, ...]:
        out = []
        expiry = self.expiry
        for grant in self.licences:
            last = _min(grant.last, expiry)
            if last is not None and last < grant.start:
                continue
            out.append(
                LicenceInForce(
                    grant.agreement.key, grant.start, last, grant.parent, grant.exclusive
                )
            )
        return tuple(out)


# -- a whole work, and the whole derivation -------------------------------------


@dataclass
class _WorkReplay:
    """The replays of every class of cells of one work."""

    work: Work
    expiry: date | None
    grants: list[tuple[Agreement, _Terms]] = field(default_factory=list)
    """The agreements naming the work, but terminations, in order, with their terms."""
    classes: list[tuple[int, int, _ClassReplay]] = field(default_factory=list)
    """(rights, territories, replay): for each territory part, in order, the rights whose
    class the same grants cover (so that share one replay), in the order first met."""
    hits: bool = False
    """Whether the replay of some class found a conflict."""

    def owns_or_licensed(self, right: int, day: date, parties: frozenset[str]) -> bool:
        """Whether ``parties`` own ``right`` somewhere on ``day``, or hold a licence of it."""
        for rights, _territories, replay in self.classes:
            if not rights & right:
                continue
            if replay.title_on(day).owners & parties:
                return True
            for lic in replay.licences:
                last = lic.last_in_force(self.expiry)
                if (
                    (last is None or last >= lic.start)
                    and _in_force(lic.start, last, day)
                    and (replay.terms(lic.agreement).grantees & parties)
                ):
                    return True
        return False


def _replay_work(work: Work, idx: _Index, parties: Mapping[str, Party]) -> _WorkReplay:
    agreements = idx.of(work.key)
    expiry = expires(work, parties)
    result = _WorkReplay(work, expiry)
    setting = _Setting(work, expiry, idx)
    # The steps of a replay: each grant with its bit and terms, each termination with neither.
    scopes: list[_Terms] = []
    steps: list[tuple[Agreement, int, _Terms | None]] = []
    for a in agreements:
        if a.type == "termination":
            steps.append((a, 0, None))
        else:
            scope = idx.terms(a)
            steps.append((a, 1 << len(scopes), scope))
            scopes.append(scope)
            result.grants.append((a, scope))
    # A class (a right part × a territory part) is covered by the grants that cover both its
    # parts; classes that the same grants cover have the same history: replay each set once.
    right_parts = covered_parts(ECONOMIC, [s.economic for s in scopes])
    territory_parts = covered_parts(
        ALL_TERRITORIES, [s.territories if s.economic else 0 for s in scopes]
    )
    replays: dict[int, _ClassReplay] = {}
    for t_part, by_territory in territory_parts:
        rights_by_covering: dict[int, int] = {}
        for r_part, by_right in right_parts:
            covering = by_territory & by_right
            rights_by_covering[covering] = rights_by_covering.get(covering, 0) | r_part
        for covering, rights in rights_by_covering.items():
            replay = replays.get(covering)
            if replay is None:
                replay = replays[covering] = _ClassReplay(setting)
                if covering:  # cells that no grant covers keep their creation alone
                    for a, bit, terms in steps:
                        if terms is None:
                            replay.terminate(a)
                        elif covering & bit:
                            replay.judge(a, terms)
            result.classes.append((rights, t_part, replay))
    result.hits = any(replay.hits for replay in replays.values())
    return result


def _records(replay: _WorkReplay) -> tuple[Record, ...]:
    """Merge classes with the same history into records (rights × territories).

    The history (chain of title, licences in force) of each class is computed once and
    numbered; classes are merged by those numbers, first over rights within a territory
    part, then over territories with the same rights.
    """
    histories: list[tuple[tuple[ChainEvent, ...], tuple[LicenceInForce, ...]]] = []
    numbers: dict[tuple[tuple[ChainEvent, ...], tuple[LicenceInForce, ...]], int] = {}
    number_of_class: dict[_ClassReplay, int] = {}
    rights_of: dict[tuple[int, int], int] = {}  # (territories, history) → rights
    for r_part, t_part, cls in replay.classes:
        number = number_of_class.get(cls)
        if number is None:
            history = (cls.events(), cls.licences_in_force())
            number = numbers.setdefault(history, len(histories))
            if number == len(histories):
                histories.append(history)
            number_of_class[cls] = number
        key = (t_part, number)
        rights_of[key] = rights_of.get(key, 0) | r_part
    territories_of: dict[tuple[int, int], int] = {}  # (rights, history) → territories
    for (t_part, number), rights in rights_of.items():
        key = (rights, number)
        territories_of[key] = territories_of.get(key, 0) | t_part
    return tuple(
        Record(rights, territories, *histories[number])
        for rights, territories, number in sorted(
            (rights, territories, number)
            for (rights, number), territories in territories_of.items()
        )
    )


def _moral_records(work: Work) -> tuple[Record, ...]:
    by_holders: dict[tuple[str, ...], int] = defaultdict(int)
    for code in MORAL_RIGHTS:
        by_holders[tuple(sorted(moral_holders(work, code)))] |= RIGHT_BIT[code]
    return tuple(
        Record(
            rights, ALL_TERRITORIES, (ChainEvent("creation", None, (), holders, work.created),), ()
        )
        for holders, rights in sorted(by_holders.items(), key=lambda item: item[1])
    )


@dataclass
class _Summary:
    works: set[str] = field(default_factory=set)
    rights: int = 0
    territories: int = 0
    reason: str = ""


def _clusters(catalogue: Catalogue, works: Iterable[str]) -> set[str]:
    """The works to derive together with ``works``: those sharing an agreement, transitively."""
    by_work: dict[str, list[Agreement]] = defaultdict(list)
    for a in catalogue.agreements.values():
        for w in a.works:
            by_work[w].append(a)
    todo = [w for w in works if w in catalogue.works]
    seen = set(todo)
    while todo:
        w = todo.pop()
        for a in by_work.get(w, ()):
            for other in a.works:
                if other not in seen and other in catalogue.works:
                    seen.add(other)
                    todo.append(other)
    return seen


def clusters(catalogue: Catalogue) -> list[list[str]]:
    """Every work's cluster: the works that share agreements with it, transitively.

    A conflict sums up all the works of its agreement, so a cluster is derived
    whole. Sorted by their first work.

    >>> from cams_graph.facts import Work
    >>> clusters(Catalogue().add(Work("W2"), Work("W1"), Agreement("A", "assignment",
    ...     works=("W1", "W2"))))
    [['W1', 'W2']]
    """
    parent = {w: w for w in catalogue.works}

    def root(w: str) -> str:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    for a in catalogue.agreements.values():
        named = [w for w in a.works if w in parent]
        for other in named[1:]:
            parent[root(other)] = root(named[0])
    groups: dict[str, list[str]] = defaultdict(list)
    for w in sorted(parent):
        groups[root(w)].append(w)
    return sorted(groups.values())


def derive(
    catalogue: Catalogue, works: Iterable[str] | None = None, *, expand: bool = True
) -> Derivation:
    """Derive the chain of title and the conflicts of ``works`` (default: every work).

    The works are widened to every work that shares an agreement with them, so
    that each conflict is summed up over all the works of its agreement, unless
    ``expand`` is false (the caller has widened them already).

    The cyclic garbage collector is paused while the engine runs (see
    :class:`_CollectorPause`).
    """
    if works is None:
        targets = set(catalogue.works)
    elif expand:
        targets = _clusters(catalogue, works)
    else:
        targets = {w for w in works if w in catalogue.works}
    with _COLLECTOR_PAUSED:
        return _derive(catalogue, targets)


def _derive(catalogue: Catalogue, targets: set[str]) -> Derivation:
    """Replay the works one at a time, keeping of each replay only what the conflicts need:
    its term, its conflicts summed up, its agreements, and the whole replay only when
    another work was made from it."""
    idx = index(catalogue)
    sources = {catalogue.works[key].derived_from for key in targets}
    titles: dict[str, WorkTitle] = {}
    expiries: dict[str, date | None] = {}
    kept: dict[str, _WorkReplay] = {}
    summaries: dict[tuple[str, str | None, tuple[str, ...]], _Summary] = {}
    involved: list[tuple[Agreement, _Terms]] = []
    shared: set[str] = set()  # agreements of several works, listed once
    for key in sorted(targets):
        replay = _replay_work(catalogue.works[key], idx, catalogue.parties)
        titles[key] = WorkTitle(
            replay.work, replay.expiry, _records(replay), _moral_records(replay.work)
        )
        expiries[key] = replay.expiry
        if key in sources:
            kept[key] = replay
        if replay.hits:
            _sum_up(summaries, key, replay)
        for a, terms in replay.grants:
            if len(a.works) > 1:
                if a.key in shared:
                    continue
                shared.add(a.key)
            involved.append((a, terms))

    conflicts = [
        _conflict(
            code, catalogue.agreements[agreement] if agreement else None, related, s, catalogue
        )
        for (code, agreement, related), s in summaries.items()
    ]
    for a, terms in involved:
        conflicts.extend(_agreement_conflicts(a, terms, expiries))
    for key in titles:
        conflict = _derivative_conflict(catalogue, kept, key)
        if conflict is not None:
            conflicts.append(conflict)
    conflicts.sort(key=lambda c: (c.code, c.agreement or "", c.works))
    return Derivation(titles, conflicts)


def _sum_up(
    summaries: dict[tuple[str, str | None, tuple[str, ...]], _Summary],
    key: str,
    replay: _WorkReplay,
) -> None:
    """Add the conflicts found on the classes of one work to ``summaries``, by (code,
    agreement, related): the first reason found, and every work, right and territory."""
    for r_part, t_part, cls in replay.classes:
        for hit in cls.hits:
            summary = summaries.setdefault((hit.code, hit.agreement, hit.related), _Summary())
            if not summary.reason:
                summary.reason = hit.reason
            summary.works.add(key)
            summary.rights |= r_part
            summary.territories |= t_part


# -- conflicts that do not depend on cells ----------------------------------------


def _agreement_conflicts(
    a: Agreement, terms: _Terms, expiries: Mapping[str, date | None]
) -> list[Conflict]:
    """The conflicts of ``a`` itself, over the works derived (with their terms in ``expiries``)."""
    works: tuple[str, ...]
    if len(a.works) == 1:  # most agreements name one work
        works = a.works if a.works[0] in expiries else ()
    else:
        works = tuple(sorted({w for w in a.works if w in expiries}))
    out: list[Conflict] = []

    def add(code: str, works: tuple[str, ...], rights: int, message: str) -> None:
        out.append(
            Conflict(
                code, CONFLICT_CODES[code], a.key, (), works, rights, 0, a.start, a.end, message
            )
        )

    moral = terms.rights & MORAL
    if moral and (a.type in ("assignment", "pledge") or a.is_licence):
        if a.is_licence:
            moral &= ~right_bit("modification")
        if moral:
            add(
                "MORAL_RIGHT_TRANSFER",
                works,
                moral,
                f"{a.key} purports to {'license' if a.is_licence else 'transfer'} the moral "
                f"right{'s' if len(rights_codes(moral)) > 1 else ''} "
                f"{', '.join(rights_codes(moral))} of {', '.join(works)}, which never pass by "
                "agreement; only the economic rights it names are judged",
            )
    if (a.type in ("assignment", "pledge") or a.is_exclusive) and not a.is_written:
        add(
            "UNWRITTEN_CONTRACT",
            works,
            0,
            f"{a.key} ({a.type.replace('_', ' ')}) has no written contract, which the law "
            "requires for it; it is still treated as effective",
        )
    if a.type == "pledge" and not a.registration:
        add(
            "UNREGISTERED_PLEDGE",
            works,
            0,
            f"the pledge {a.key} of {', '.join(works)} to {_keys(a.grantees)} is not registered, "
            "so it encumbers nothing",
        )
    beyond = []
    for w in works:
        expiry = expiries[w]
        if expiry is not None and (a.start > expiry or (a.end is not None and a.end > expiry)):
            beyond.append((w, expiry))
    if beyond:
        ends = "; ".join(f"of {w} on {e}" for w, e in beyond)
        add(
            "BEYOND_TERM",
            tuple(w for w, _ in beyond),
            0,
            f"{a.key} runs past the end of protection {ends}",
        )
    return out


def _derivative_conflict(
    catalogue: Catalogue, replays: Mapping[str, _WorkReplay], key: str
) -> Conflict | None:
    work = catalogue.works[key]
    if work.derived_from is None or work.derivation is None or work.created is None:
        return None
    source = catalogue.works.get(work.derived_from)
    if source is None or work.derivation not in DERIVATION_RIGHT:
        return None
    day = work.created
    replay = replays.get(source.key)
    if replay is None:
        replay = _replay_work(source, index(catalogue), catalogue.parties)
    if source.created is not None and day < source.created:
        return None
    if replay.expiry is not None and day > replay.expiry:
        return None
    right = DERIVATION_RIGHT[work.derivation]
    people = frozenset(work.initial_owners) | frozenset(work.authors)
    if replay.owns_or_licensed(right_bit(right), day, people):
        return None
    message = (
        f"{key} was made from {source.key} by {work.derivation} on {day}, but none of its "
        f"authors or owners ({_keys(people)}) owned the {right} right of {source.key} or held "
        "a licence of it that day"
    )
    return Conflict(
        "DERIVATIVE_WITHOUT_LICENCE",
        CONFLICT_CODES["DERIVATIVE_WITHOUT_LICENCE"],
        None,
        (),
        tuple(sorted({key, source.key})),
        right_bit(right),
        0,
        None,
        None,
        message,
        key,
    )


# -- messages of the conflicts found on cells -------------------------------------


def _scope(rights: int, territories: int, works: Iterable[str]) -> str:
    """Rights, works and territories of a conflict in words, short even for large sets."""
    count = territories.bit_count()
    left_out = ALL_TERRITORIES & ~territories
    if not left_out:
        where = "worldwide"
    elif count <= 8:
        where = "in " + ", ".join(territory_codes(territories))
    elif left_out.bit_count() <= 8:
        where = "worldwide except " + ", ".join(territory_codes(left_out))
    else:
        where = f"in {count} territories"
    return f"{', '.join(rights_codes(rights))} of {', '.join(sorted(works))} {where}"


def _conflict(
    code: str,
    agreement: Agreement | None,
    related: tuple[str, ...],
    summary: _Summary,
    catalogue: Catalogue,
) -> Conflict:
    assert agreement is not None
    a = agreement
    scope = _scope(summary.rights, summary.territories, summary.works)
    who = _keys(a.grantors)
    reason = summary.reason
    if code == "NON_OWNER_GRANT":
        message = f"{who} granted {scope} by {a.key} on {a.start} but {reason}"
    elif code == "CO_OWNER_CONSENT_MISSING":
        message = (
            f"{a.key}: {reason} co-own {scope} but did not join the grant, and co-owners "
            "may transfer, pledge or license it exclusively only together"
        )
    elif code == "EXCEEDS_GRANTOR_TITLE":
        message = (
            f"{a.key} grants {scope} beyond what {who} held: {reason}; "
            "it is in force only within it"
        )
    elif code == "OVERLAPPING_EXCLUSIVE":
        message = (
            f"{a.key} and {', '.join(related)} are both exclusive licences of {scope} in force "
            f"at the same time: {reason}"
        )
    elif code == "NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE":
        message = (
            f"{a.key} and {', '.join(related)}: a non-exclusive licence inside an exclusive one "
            f"over {scope} ({reason})"
        )
    elif code == "SUBLICENCE_NOT_PERMITTED":
        message = (
            f"{who} granted {scope} by {a.key} on {a.start} as licensees under {reason}, which "
            "does not allow sublicences"
        )
    elif code == "DEALING_UNDER_PLEDGE":
        message = (
            f"{who} dealt in {scope} by {a.key} on {a.start} while it was {reason}, without "
            "the pledgee joining"
        )
    else:  # pragma: no cover - every cell-level code is handled above
        message = f"{a.key}: {code}"
    _ = catalogue
    return Conflict(
        code,
        CONFLICT_CODES[code],
        a.key,
        related,
        tuple(sorted(summary.works)),
        summary.rights,
        summary.territories,
        a.start,
        a.end,
        message,
    )


# -- one cell, for questions the records do not answer (avails) ---------------------


@dataclass(frozen=True)
class CellHistory:
    """Everything the engine knows of one cell: owners over time, licences, pledges."""

    work: Work
    expires: date | None
    titles: tuple[tuple[date | None, date | None, tuple[str, ...]], ...]
    """(first day, last day, owners) of each period of ownership, oldest first."""
    licences: tuple[tuple[str, date, date | None], ...]
    """(agreement, first day, last day) of each effective licence, as in force."""
    pledges: tuple[tuple[str, date, date | None], ...]
    """(agreement, first day, last day) of each effective, registered pledge."""

    def owners_on(self, day: date) -> tuple[str, ...]:
        owners: tuple[str, ...] = ()
        for start, _last, holders in self.titles:
            if start is None or start <= day:
                owners = holders
        return owners


def cell_history(catalogue: Catalogue, work: str, right: str, territory: str) -> CellHistory:
    """Replay one economic cell of ``work`` and return its history."""
    w = catalogue.works[work]
    r, t = right_bit(right), territory_bit(territory)
    replay = _replay_work(w, index(catalogue), catalogue.parties)
    cls = next(c for rp, tp, c in replay.classes if rp & r and tp & t)
    events = cls.events()
    periods = []
    for k, event in enumerate(events):
        following = next((e.date for e in events[k + 1 :] if e.date is not None), None)
        periods.append((event.date, following - _DAY if following else None, event.to))
    expiry = replay.expiry

    def spans(
        grants: Iterable[Grant], registered_only: bool
    ) -> tuple[tuple[str, date, date | None], ...]:
        out = []
        for g in grants:
            if registered_only and not g.agreement.registration:
                continue
            last = g.last_in_force(expiry)
            if last is None or last >= g.start:
                out.append((g.agreement.key, g.start, last))
        return tuple(out)

    return CellHistory(
        w, expiry, tuple(periods), spans(cls.licences, False), spans(cls.pledges, True)
    )
