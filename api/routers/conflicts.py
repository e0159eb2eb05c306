"""``/api/conflicts``: the defects of the chains of title, filtered by work, code or severity."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from cams_graph.title import conflicts
from cams_graph.vocabularies import CONFLICT_CODES

from ..deps import ReadStore
from ..schemas import ConflictPublic

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["conflicts"])


@router.get(
    "/conflicts",
    response_model=list[ConflictPublic],
    operation_id="list_conflicts",
    responses={404: {"description": "Unknown work"}, 422: {"description": "Unknown code"}},
)
def list_conflicts(
    store: ReadStore,
    work: Annotated[str | None, Query(description="Only those naming this work.")] = None,
    code: Annotated[
        str | None, Query(description="Only this code.", examples=["OVERLAPPING_EXCLUSIVE"])
    ] = None,
    severity: Annotated[Literal["error", "warning"] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """As ``cams conflicts --format json``: sorted by code, then agreement, then works."""
    if code is not None and code not in CONFLICT_CODES:
        raise HTTPException(
            422, f"unknown conflict code {code!r} (one of {', '.join(sorted(CONFLICT_CODES))})"
        )
    return conflicts(store, work, code, severity)
