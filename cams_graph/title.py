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

from collections.abc import Sequence
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from pyoxigraph import Literal, NamedNode

from .cells import COUNTRY_CODES, render_territories, territory_mask
from .errors import UnknownTermError
from .namespaces import CAMS, PROVENANCE_GRAPH, RIGHT, TERRITORY, XSD
from .resources import query_text
from .store import Row, Store, Term, bind_values, values_rows
from .vocabularies import CONFLICT_CODES, RIGHT_CODES

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


def _text(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _keys(row: Row, name: str) -> list[str]:
    value = _text(row, name)
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
        "code": _text(row, "code"),
        "severity": _text(row, "severity"),
        "agreement": _text(row, "agreement"),
        "related": _keys(row, "related"),
        "works": _keys(row, "works"),
        "rights": [c for c in RIGHT_CODES if c in set(_keys(row, "rights"))],
        "territories": render_territories(mask, named) if mask else [],
        "start": _text(row, "start"),
        "end": _text(row, "end"),
        "message": _text(row, "message"),
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


def title(store: Store, work: str, right: str, territory: str, at: str | date) -> JSON:
    """The chain of title of (work, right, territory) on day ``at`` (``cams title``)."""
    check_right(right)
    check_territory(territory)
    day = at if isinstance(at, date) else check_day(at)
    check_work(store, work)
    work_term = Literal(work)
    right_term = NamedNode(str(RIGHT[right]))
    territory_term = NamedNode(str(TERRITORY[territory]))
    day_term = Literal(day.isoformat(), datatype=NamedNode(str(XSD.date)))
    cell = ["work", "right", "territory", "at"]
    cell_values: list[Term] = [work_term, right_term, territory_term, day_term]

    status_rows = _run(
        store, "title-status", ["work", "right", "at"], [work_term, right_term, day_term]
    )
    status = _text(status_rows[0], "status") if status_rows else "protected"
    expires = _text(status_rows[0], "expires") if status_rows else None

    owners = sorted({row["owner"].value for row in _run(store, "title-owners", cell, cell_values)})
    chain = [
        {
            "event": _EVENTS.get(_text(row, "class") or "", ""),
            "agreement": _text(row, "agreement"),
            "from": _keys(row, "from"),
            "to": _keys(row, "to"),
            "date": _text(row, "date"),
        }
        for row in sorted(
            _run(store, "title-chain", cell, cell_values),
            key=lambda r: int(r["sequence"].value),
        )
    ]
    licences = []
    if status == "protected":
        licences = [
            {
                "agreement": _text(row, "agreement"),
                "type": _LICENCES.get(_text(row, "class") or "", ""),
                "grantors": _keys(row, "grantors"),
                "grantees": _keys(row, "grantees"),
                "start": _text(row, "start"),
                "end": _text(row, "end"),
                "parent": _text(row, "parent"),
            }
            for row in sorted(
                _run(store, "title-licences", cell, cell_values),
                key=lambda r: int(r["sequence"].value),
            )
        ]
    named = named_territories(store)
    found = _run(
        store,
        "title-conflicts",
        ["work", "right", "territory"],
        [work_term, right_term, territory_term],
    )
    return {
        "work": work,
        "right": right,
        "territory": territory,
        "at": day.isoformat(),
        "status": status,
        "expires": expires,
        "owners": owners if status == "protected" else [],
        "licences": licences,
        "chain": chain if status != "not_created" else [],
        "conflicts": _sorted([_conflict(row, named) for row in found]),
    }
