"""Small builders for title-engine tests: catalogues written in a few lines."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from cams_graph.engine import Derivation, derive
from cams_graph.facts import Agreement, Catalogue, Party, Work
from cams_graph.ledger import HEADERS


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def person(key: str, died: str | None = None, born: str | None = None) -> Party:
    return Party(key, "person", f"Person {key}", d(born), d(died))


def org(key: str) -> Party:
    return Party(key, "organization", f"Organization {key}")


def work(
    key: str,
    *authors: str,
    created: str | None = "2000-01-01",
    owners: tuple[str, ...] = (),
    **kw: Any,
) -> Work:
    for name in ("first_published",):
        if isinstance(kw.get(name), str):
            kw[name] = d(kw[name])
    return Work(
        key,
        kw.pop("category", "literary"),
        f"Work {key}",
        d(created),
        authors=authors,
        owners=owners,
        **kw,
    )


def split(value: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return value
    return tuple(v for v in value.split(";") if v)


def agreement(
    key: str,
    kind: str,
    grantors: str = "",
    grantees: str = "",
    *,
    works: str = "W1",
    rights: str = "reproduction",
    territories: str = "CN",
    start: str = "2010-01-01",
    end: str | None = None,
    signed: str | None = None,
    **kw: Any,
) -> Agreement:
    places = split(territories)
    if kind == "termination":
        works = rights = ""
        places = ()
    return Agreement(
        key,
        kind,
        split(grantors),
        split(grantees),
        split(works),
        split(rights),
        tuple(p for p in places if not p.startswith("-")),
        tuple(p[1:] for p in places if p.startswith("-")),
        d(start) or date.min,
        d(end),
        d(signed),
        **kw,
    )


def catalogue(*items: Party | Work | Agreement) -> Catalogue:
    return Catalogue().add(*items)


def run(*items: Party | Work | Agreement) -> Derivation:
    return derive(catalogue(*items))


def codes(derivation: Derivation) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return sorted((c.code, c.agreement, c.related) for c in derivation.conflicts)


def chain(
    derivation: Derivation,
    at: str,
    work_key: str = "W1",
    right: str = "reproduction",
    territory: str = "CN",
) -> list[tuple[str, str | None]]:
    answer = derivation.title(work_key, right, territory, date.fromisoformat(at))
    return [(e.kind, e.agreement) for e in answer.chain]


def owners(
    derivation: Derivation,
    at: str,
    work_key: str = "W1",
    right: str = "reproduction",
    territory: str = "CN",
) -> tuple[str, ...]:
    return derivation.title(work_key, right, territory, date.fromisoformat(at)).owners


def licences(
    derivation: Derivation,
    at: str,
    work_key: str = "W1",
    right: str = "reproduction",
    territory: str = "CN",
) -> list[tuple[str, str, str | None, str | None]]:
    answer = derivation.title(work_key, right, territory, date.fromisoformat(at))
    return [
        (lic.agreement, lic.start.isoformat(), lic.end.isoformat() if lic.end else None, lic.parent)
        for lic in answer.licences
    ]


# -- writing a catalogue as a ledger (for end-to-end tests through `cams import`) ----


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def write_ledger(cat: Catalogue, folder: Path, *, reverse: bool = False) -> Path:
    """Write ``cat`` as the four ledger CSV files; ``reverse`` writes the rows backwards."""
    folder.mkdir(parents=True, exist_ok=True)

    def rows(items: list[Any]) -> list[Any]:
        return list(reversed(items)) if reverse else items

    with (folder / "parties.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS["parties"])
        for p in rows(list(cat.parties.values())):
            out.writerow([p.key, p.name or p.key, p.kind, _day(p.born), _day(p.died), ""])
    with (folder / "works.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS["works"])
        for w in rows(list(cat.works.values())):
            out.writerow(
                [
                    w.key,
                    w.title or w.key,
                    w.category,
                    _day(w.created),
                    _day(w.first_published),
                    w.authorship,
                    w.derived_from or "",
                    w.derivation or "",
                ]
            )
    with (folder / "contributions.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS["contributions"])
        for w in rows(list(cat.works.values())):
            for a in w.authors:
                out.writerow([w.key, a, "author"])
            for o in w.owners:
                out.writerow([w.key, o, "owner"])
    with (folder / "agreements.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS["agreements"])
        for a in rows(list(cat.agreements.values())):
            places = list(a.territories) + ["-" + t for t in a.excluded_territories]
            out.writerow(
                [
                    a.key,
                    a.type,
                    ";".join(a.grantors),
                    ";".join(a.grantees),
                    ";".join(a.works),
                    ";".join(a.rights),
                    ";".join(places),
                    a.start.isoformat(),
                    _day(a.end),
                    _day(a.signed),
                    _bool(a.written),
                    _bool(a.sublicensable),
                    a.parent or "",
                    a.registration or "",
                    a.document or "",
                ]
            )
    return folder
