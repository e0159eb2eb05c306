"""``/api/works/{work}/avails``: when an exclusive licence of a cell could still be granted."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from cams_graph.avails import avails
from cams_graph.errors import UnknownTermError
from cams_graph.title import check_work

from ..deps import ReadStore
from ..schemas import AvailsPublic
from .title import check_cell, parse_day

__all__ = ["router"]

router = APIRouter(prefix="/api/works", tags=["avails"])


@router.get(
    "/{work}/avails",
    response_model=AvailsPublic,
    operation_id="get_avails",
    responses={404: {"description": "Unknown work"}, 422: {"description": "Bad cell or period"}},
)
def get_avails(
    store: ReadStore,
    work: Annotated[str, Path(description="The work's key.", examples=["W-FILM"])],
    right: Annotated[str, Query(description="One economic right code.", examples=["screening"])],
    territory: Annotated[str, Query(description="One country code.", examples=["US"])],
    start: Annotated[
        str, Query(alias="from", description="First day, YYYY-MM-DD.", examples=["2024-01-01"])
    ],
    end: Annotated[
        str, Query(alias="to", description="Last day, YYYY-MM-DD.", examples=["2030-12-31"])
    ],
) -> dict[str, Any]:
    """Windows in which an exclusive licence could be granted without any conflict."""
    check_cell(right, territory)
    first, last = parse_day(start, "from"), parse_day(end, "to")
    check_work(store, work)
    try:
        return avails(store, work, right, territory, first, last)
    except UnknownTermError as err:  # a moral right, or a period that ends before it starts
        raise HTTPException(422, str(err)) from None
