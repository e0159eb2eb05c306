"""``/api/works/{work}/title``: who holds a right of a work in a territory on a day, and how."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from cams_graph.errors import UnknownTermError
from cams_graph.title import check_right, check_territory, check_work, title

from ..deps import ReadStore
from ..schemas import TitlePublic

__all__ = ["check_cell", "router"]

router = APIRouter(prefix="/api/works", tags=["title"])


def check_cell(right: str, territory: str) -> None:
    """422 for a right or territory that is not a single known code."""
    try:
        check_right(right)
        check_territory(territory)
    except UnknownTermError as err:
        raise HTTPException(422, str(err)) from None


def parse_day(text: str | None, name: str) -> date:
    """A YYYY-MM-DD query parameter (today when absent), or 422."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(
            422, f"invalid date {text!r} for '{name}' (expected YYYY-MM-DD)"
        ) from None


@router.get(
    "/{work}/title",
    response_model=TitlePublic,
    operation_id="get_title",
    responses={
        404: {"description": "Unknown work"},
        422: {"description": "Unknown right, territory or malformed date"},
    },
)
def get_title(
    store: ReadStore,
    work: Annotated[str, Path(description="The work's key.", examples=["W-NOVEL"])],
    right: Annotated[str, Query(description="One right code.", examples=["information_network"])],
    territory: Annotated[str, Query(description="One country code.", examples=["CN"])],
    at: Annotated[
        str | None,
        Query(description="The day, YYYY-MM-DD (default: today).", examples=["2020-01-01"]),
    ] = None,
) -> dict[str, Any]:
    """The chain of title of (work, right, territory) on a day, as ``cams title --format json``."""
    check_cell(right, territory)
    day = parse_day(at, "at")
    check_work(store, work)
    return title(store, work, right, territory, day)
