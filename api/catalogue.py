"""Works as the API and the pages show them: search, detail, agreements, conflict counts.

>>> from cams_graph.store import open_store
>>> from cams_graph.demo import import_demo
>>> store = open_store(":memory:")
>>> _ = import_demo(store)
>>> page = find_works(store, "river", limit=2)
>>> page["total"], [w["key"] for w in page["items"]]
(5, ['W-FILM', 'W-NOVEL'])
>>> detail = work_detail(store, "W-SONG")
>>> [a["key"] for a in detail["agreements"]], [p["key"] for p in detail["owners"]]
(['A-030', 'A-031'], ['P-MEI', 'P-PARK'])
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pyoxigraph import Literal

from cams_graph.catalogue import load_catalogue, work_iris_by_key
from cams_graph.errors import UnknownTermError
from cams_graph.facts import Agreement, Catalogue, Work
from cams_graph.store import Store, row_text, values_clause
from cams_graph.title import conflicts

__all__ = [
    "WorkFacts",
    "agreement_dict",
    "conflict_counts",
    "find_works",
    "load_work",
    "work_detail",
]

JSON = dict[str, Any]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def find_works(store: Store, query: str | None, limit: int = 20, offset: int = 0) -> JSON:
    """Works whose key or title contains ``query`` (case-insensitive), by key, one page."""
    needle = (query or "").strip().lower()
    match = ""
    if needle:
        match = (
            values_clause("q", [Literal(needle)])
            + "\n  FILTER(CONTAINS(LCASE(?key), ?q) || CONTAINS(LCASE(STR(?title)), ?q))"
        )
    body = f"""
      ?w a cams:Work ; dcterms:identifier ?key .
      OPTIONAL {{ ?w dcterms:title ?title }}
      {match}"""
    counted = store.select(f"SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ {body} }}")
    total = int(counted[0]["n"].value) if counted and "n" in counted[0] else 0
    rows = store.select(
        f"""SELECT ?key (SAMPLE(?title) AS ?t) (SAMPLE(?category) AS ?c) (SAMPLE(?created) AS ?d)
        WHERE {{ {body}
          OPTIONAL {{ ?w cams:category/cams:code ?category }}
          OPTIONAL {{ ?w dcterms:created ?created }}
        }} GROUP BY ?key ORDER BY ?key LIMIT {int(limit)} OFFSET {int(offset)}"""
    )
    keys = [row["key"].value for row in rows]
    counts = conflict_counts(store, keys)
    items = [
        {
            "key": row["key"].value,
            "title": row_text(row, "t"),
            "category": row_text(row, "c"),
            "created": row_text(row, "d"),
            "errors": counts.get(row["key"].value, (0, 0))[0],
            "warnings": counts.get(row["key"].value, (0, 0))[1],
        }
        for row in rows
    ]
    return {"query": query, "total": total, "limit": limit, "offset": offset, "items": items}


def conflict_counts(store: Store, keys: list[str]) -> dict[str, tuple[int, int]]:
    """Errors and warnings that name each work."""
    if not keys:
        return {}
    found: dict[str, list[int]] = {}
    for row in store.select(
        f"""SELECT ?key ?severity (COUNT(DISTINCT ?c) AS ?n) WHERE {{
          {values_clause("key", [Literal(k) for k in keys])}
          ?w a cams:Work ; dcterms:identifier ?key .
          ?c a cams:Conflict ; cams:affectedWork ?w ; cams:severity/cams:code ?severity .
        }} GROUP BY ?key ?severity"""
    ):
        counts = found.setdefault(row["key"].value, [0, 0])
        counts[0 if row["severity"].value == "error" else 1] += int(row["n"].value)
    return {k: (v[0], v[1]) for k, v in found.items()}


@dataclass(frozen=True)
class WorkFacts:
    """A work with the facts around it, as the title engine reads them."""

    work: Work
    title: str | None
    expires: str | None
    catalogue: Catalogue
    agreements: list[Agreement]


def load_work(store: Store, key: str) -> WorkFacts:
    """The facts of one work (404 as :class:`UnknownTermError` when there is none)."""
    iris = work_iris_by_key(store, [key])
    if not iris:
        raise UnknownTermError(f"unknown work {key!r}")
    catalogue = load_catalogue(store, iris).catalogue
    work = catalogue.works.get(key)
    if work is None:
        raise UnknownTermError(f"unknown work {key!r}")
    rows = store.select(
        f"""SELECT ?title ?expires WHERE {{
          {values_clause("key", [Literal(key)])}
          ?w a cams:Work ; dcterms:identifier ?key .
          OPTIONAL {{ ?w dcterms:title ?title }}
          OPTIONAL {{ ?w cams:protectionExpires ?expires }}
        }} LIMIT 1"""
    )
    title = row_text(rows[0], "title") if rows else None
    expires = row_text(rows[0], "expires") if rows else None
    own = {a.key for a in catalogue.agreements.values() if key in a.works}
    agreements = sorted(
        (
            a
            for a in catalogue.agreements.values()
            if a.key in own or (a.type == "termination" and a.parent in own)
        ),
        key=lambda a: (a.start, a.key),
    )
    return WorkFacts(work, title, expires, catalogue, agreements)


def agreement_dict(a: Agreement) -> JSON:
    """An agreement as the API shows it (``AgreementPublic``)."""
    return {
        "key": a.key,
        "type": a.type,
        "grantors": list(a.grantors),
        "grantees": list(a.grantees),
        "works": list(a.works),
        "rights": list(a.rights),
        "territories": list(a.territories) + ["-" + t for t in a.excluded_territories],
        "start": _day(a.start) if a.start != date.min else None,
        "end": _day(a.end),
        "signed": _day(a.signed),
        "written": a.is_written,
        "sublicensable": a.sublicensable,
        "parent": a.parent,
        "registration": a.registration,
        "document": a.document,
    }


def _party(catalogue: Catalogue, key: str) -> JSON:
    party = catalogue.parties.get(key)
    return {
        "key": key,
        "name": party.name if party else None,
        "kind": party.kind if party else None,
    }


def work_detail(store: Store, key: str, facts: WorkFacts | None = None) -> JSON:
    """A work with its parties, agreements and conflicts (``WorkPublic``)."""
    facts = facts or load_work(store, key)
    work, catalogue = facts.work, facts.catalogue
    territories = sorted(
        {
            t
            for a in facts.agreements
            for t in (*a.territories, *a.excluded_territories)
            if t != "WORLD"
        }
    )
    return {
        "key": work.key,
        "title": facts.title,
        "category": work.category,
        "created": _day(work.created),
        "first_published": _day(work.first_published),
        "authorship": work.authorship,
        "derived_from": work.derived_from,
        "derivation": work.derivation,
        "expires": facts.expires,
        "authors": [_party(catalogue, p) for p in work.authors],
        "owners": [_party(catalogue, p) for p in work.initial_owners],
        "agreements": [agreement_dict(a) for a in facts.agreements],
        "conflicts": conflicts(store, work=key),
        "territories": territories,
    }
