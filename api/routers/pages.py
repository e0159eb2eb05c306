"""The pages for legal teams: search works, a work's chain of title, conflicts, a report.

Server-rendered HTML (Jinja2 templates in ``api/templates``), usable without
JavaScript; the chain of title is an SVG drawn in Python (:mod:`api.timeline`).
The printable report (``/works/{work}/report``) has the picture, every
agreement naming the work with its document reference, and the defects.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cams_graph.avails import avails
from cams_graph.cells import MORAL, right_bit
from cams_graph.engine import cell_history
from cams_graph.errors import CamsError, UnknownTermError
from cams_graph.store import Store
from cams_graph.title import check_day, check_right, check_territory, conflicts, title
from cams_graph.vocabularies import (
    CONFLICT_CODES,
    ECONOMIC_RIGHTS,
    MORAL_RIGHTS,
    country_names,
)

from ..catalogue import WorkFacts, find_works, load_work, work_detail
from ..deps import ReadStore
from ..errors import status_of
from ..timeline import build_timeline, timeline_svg

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE = 25


def _render(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, name, context, status_code=status)
    return response


def _error(request: Request, error: CamsError) -> HTMLResponse:
    status = status_of(error)
    return _render(request, "error.html", {"status": status, "message": str(error)}, status)


def _totals(store: Store) -> dict[str, int]:
    counts = {"error": 0, "warning": 0}
    for row in store.select(
        "SELECT ?severity (COUNT(?c) AS ?n) WHERE { ?c a cams:Conflict ; "
        "cams:severity/cams:code ?severity } GROUP BY ?severity"
    ):
        counts[row["severity"].value] = int(row["n"].value)
    return counts


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    store: ReadStore,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """Search works; the list links to each work's chain of title."""
    found = find_works(store, q, PAGE, (page - 1) * PAGE)
    pages = max(1, -(-found["total"] // PAGE))
    return _render(
        request,
        "home.html",
        {"found": found, "q": q or "", "page": page, "pages": pages, "totals": _totals(store)},
    )


def _defaults(facts: WorkFacts) -> tuple[str, str]:
    for agreement in facts.agreements:
        rights = [r for r in agreement.rights if r in ECONOMIC_RIGHTS]
        if not rights and ("economic" in agreement.rights or "all" in agreement.rights):
            rights = ["reproduction"]
        countries = [t for t in agreement.territories if t != "WORLD"]
        if rights:
            return rights[0], (countries[0] if countries else "CN")
    return "reproduction", "CN"


def _territories(detail: dict[str, Any]) -> list[tuple[str, str]]:
    names = country_names()
    first = [(c, names.get(c, (c, None))[0]) for c in detail["territories"] if c in names]
    rest = sorted(
        ((c, n[0]) for c, n in names.items() if c not in detail["territories"]), key=lambda p: p[1]
    )
    return first + rest


def _cell_page(
    request: Request,
    store: Store,
    work: str,
    right: str | None,
    territory: str | None,
    at: str | None,
    avail_from: str | None,
    avail_to: str | None,
    template: str,
) -> HTMLResponse:
    try:
        facts = load_work(store, work)
    except CamsError as err:
        return _error(request, err)
    detail = work_detail(store, work, facts)
    default_right, default_territory = _defaults(facts)
    right = right or default_right
    territory = territory or default_territory
    problem = None
    try:
        check_right(right)
        check_territory(territory)
        day = check_day(at) if at else date.today()
    except UnknownTermError as err:
        problem = str(err)
        right, territory, day = default_right, default_territory, date.today()
    answer = title(store, work, right, territory, day)
    economic = not right_bit(right) & MORAL
    history = cell_history(facts.catalogue, work, right, territory) if economic else None
    picture = timeline_svg(build_timeline(answer, history, facts.catalogue))
    windows = None
    if economic:
        try:
            first = check_day(avail_from) if avail_from else day
            last = check_day(avail_to) if avail_to else first + timedelta(days=5 * 365)
            windows = avails(store, work, right, territory, first, last)
        except UnknownTermError as err:
            problem = problem or str(err)
    chain_agreements = {e["agreement"] for e in answer["chain"] if e["agreement"]}
    chain_agreements |= {lic["agreement"] for lic in answer["licences"]}
    parties = facts.catalogue.parties
    return _render(
        request,
        template,
        {
            "work": detail,
            "answer": answer,
            "picture": picture,
            "right": right,
            "territory": territory,
            "at": day.isoformat(),
            "rights": {"Economic rights": ECONOMIC_RIGHTS, "Moral rights": MORAL_RIGHTS},
            "territories": _territories(detail),
            "avails": windows,
            "problem": problem,
            "in_chain": chain_agreements,
            "names": {k: (p.name or k) for k, p in parties.items()},
            "today": date.today().isoformat(),
        },
        422 if problem else 200,
    )


@router.get("/works/{work}", response_class=HTMLResponse)
def work_page(
    request: Request,
    store: ReadStore,
    work: str,
    right: str | None = None,
    territory: str | None = None,
    at: str | None = None,
    avail_from: str | None = None,
    avail_to: str | None = None,
) -> HTMLResponse:
    """A work: pick right, territory and day; the chain of title, licences, conflicts, avails."""
    return _cell_page(request, store, work, right, territory, at, avail_from, avail_to, "work.html")


@router.get("/works/{work}/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    store: ReadStore,
    work: str,
    right: str | None = None,
    territory: str | None = None,
    at: str | None = None,
) -> HTMLResponse:
    """The chain-of-title report of a work, for print."""
    return _cell_page(request, store, work, right, territory, at, None, None, "report.html")


@router.get("/conflicts", response_class=HTMLResponse)
def conflicts_page(
    request: Request,
    store: ReadStore,
    code: str | None = None,
    severity: str | None = None,
) -> HTMLResponse:
    """Every conflict, filtered by code and severity."""
    code = code or None
    severity = severity or None
    try:
        found = conflicts(store, None, code, severity)
    except CamsError as err:
        return _error(request, err)
    by_code: dict[str, int] = {}
    for item in conflicts(store):
        by_code[item["code"]] = by_code.get(item["code"], 0) + 1
    return _render(
        request,
        "conflicts.html",
        {
            "found": found,
            "code": code or "",
            "severity": severity or "",
            "codes": sorted(CONFLICT_CODES),
            "by_code": by_code,
            "severities": CONFLICT_CODES,
        },
    )
