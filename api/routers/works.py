"""``/api/works``: search works by key or title, and one work with its agreements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ..catalogue import find_works, work_detail
from ..deps import ReadStore
from ..schemas import WorkPage, WorkPublic

__all__ = ["router"]

router = APIRouter(prefix="/api/works", tags=["works"])

WorkKey = Annotated[str, Path(description="The work's ledger key.", examples=["W-NOVEL"])]


@router.get("", response_model=WorkPage, operation_id="search_works")
def search_works(
    store: ReadStore,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of a key or title.", examples=["river"])
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Works whose key or title contains ``q`` (any case), sorted by key, one page at a time."""
    return find_works(store, q, limit, offset)


@router.get(
    "/{work}",
    response_model=WorkPublic,
    operation_id="get_work",
    responses={404: {"description": "Unknown work"}},
)
def get_work(store: ReadStore, work: WorkKey) -> dict[str, Any]:
    """A work: its facts, authors, initial owners, every agreement naming it, its conflicts."""
    return work_detail(store, work)
