"""Avails: when could an exclusive licence of a cell still be granted without any conflict?

A day is *available* for a new exclusive (or sole) licence of (work, right,
territory) when, on that day and by the facts now in the store:

* the work is created and the right protected (not yet in the public domain);
* the cell has owners, none of whom (persons) has died — a grant signed after
  a grantor's death is a ``NON_OWNER_GRANT``;
* no effective licence of any kind is in force on the cell — over an exclusive
  or sole one a new exclusive licence gives ``OVERLAPPING_EXCLUSIVE``, over a
  non-exclusive one ``NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE``;
* no effective, registered pledge is in force on it — a dealing by the
  pledgor gives ``DEALING_UNDER_PLEDGE``.

Available days are joined into windows, split where the owners change (the
owners are who would grant the licence; a licence that runs past the end of a
capped owner's title would give ``EXCEEDS_GRANTOR_TITLE``, so a window never
spans such an end).

>>> from datetime import date
>>> from cams_graph.facts import Agreement, Catalogue, Party, Work
>>> cat = Catalogue().add(Party("P1"), Party("P2", "organization"),
...     Work("W1", "literary", created=date(2005, 3, 1), authors=("P1",)),
...     Agreement("A1", "exclusive_licence", ("P1",), ("P2",), ("W1",), ("reproduction",),
...               ("CN",), start=date(2020, 1, 1), end=date(2024, 12, 31)))
>>> found = windows(cat, "W1", "reproduction", "CN", date(2019, 1, 1), date(2026, 12, 31))
>>> [(str(w.start), str(w.end)) for w in found]
[('2019-01-01', '2019-12-31'), ('2025-01-01', '2026-12-31')]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from .catalogue import load_catalogue, work_iris_by_key
from .cells import MORAL, right_bit
from .engine import CellHistory, cell_history
from .errors import UnknownTermError
from .facts import Catalogue
from .store import Store
from .title import check_day, check_right, check_territory, check_work

__all__ = ["Window", "avails", "windows"]

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """Days on which an exclusive licence could be granted by ``owners`` without conflict."""

    start: date
    end: date
    owners: tuple[str, ...]


def _free_on(history: CellHistory, catalogue: Catalogue, day: date) -> tuple[str, ...] | None:
    """The owners who could grant on ``day``, or None when the day is not available."""
    work = history.work
    if work.created is not None and day < work.created:
        return None
    if history.expires is not None and day > history.expires:
        return None
    owners = history.owners_on(day)
    if not owners:
        return None
    for key in owners:
        party = catalogue.parties.get(key)
        if party is not None and party.died is not None and day > party.died:
            return None
    for _key, start, last in (*history.licences, *history.pledges):
        if start <= day and (last is None or day <= last):
            return None
    return owners


def windows(
    catalogue: Catalogue, work: str, right: str, territory: str, start: date, end: date
) -> list[Window]:
    """The available windows of a cell between ``start`` and ``end`` (inclusive)."""
    history = cell_history(catalogue, work, right, territory)
    cuts = {start, end + _DAY}
    for first, last, _owners in history.titles:
        if first is not None:
            cuts.add(first)
        if last is not None:
            cuts.add(last + _DAY)
    for _key, first, last in (*history.licences, *history.pledges):
        cuts.add(first)
        if last is not None:
            cuts.add(last + _DAY)
    if history.work.created is not None:
        cuts.add(history.work.created)
    if history.expires is not None:
        cuts.add(history.expires + _DAY)
    for party in catalogue.parties.values():
        if party.died is not None:
            cuts.add(party.died + _DAY)
    days = sorted(d for d in cuts if start <= d <= end + _DAY)
    found: list[Window] = []
    for first, following in pairwise(days):
        owners = _free_on(history, catalogue, first)
        if owners is None:
            continue
        last = following - _DAY
        if found and found[-1].owners == owners and found[-1].end + _DAY == first:
            found[-1] = Window(found[-1].start, last, owners)
        else:
            found.append(Window(first, last, owners))
    return found


def avails(
    store: Store, work: str, right: str, territory: str, start: str | date, end: str | date
) -> dict[str, Any]:
    """``cams avails``: the windows of a cell between two days, as JSON."""
    check_right(right)
    check_territory(territory)
    first = start if isinstance(start, date) else check_day(start)
    last = end if isinstance(end, date) else check_day(end)
    if last < first:
        raise UnknownTermError(f"the period ends ({last}) before it starts ({first})")
    if right_bit(right) & MORAL:
        raise UnknownTermError(
            f"{right} is a moral right: moral rights are not licensed; "
            "avails are for economic rights"
        )
    check_work(store, work)
    loaded = load_catalogue(store, work_iris_by_key(store, [work]))
    found = windows(loaded.catalogue, work, right, territory, first, last)
    return {
        "work": work,
        "right": right,
        "territory": territory,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "windows": [
            {"start": w.start.isoformat(), "end": w.end.isoformat(), "owners": list(w.owners)}
            for w in found
        ],
    }
