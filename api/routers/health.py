"""``GET /api/health``: the server is up, and what it runs on."""

from __future__ import annotations

from fastapi import APIRouter

from cams_graph import __version__

from ..deps import BackendDep, SettingsDep
from ..schemas import HealthPublic

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthPublic, operation_id="health")
async def health(backend: BackendDep, settings: SettingsDep) -> HealthPublic:
    """Always 200 while the server runs; the store kind and the query pool's figures."""
    return HealthPublic(
        status="ok",
        version=__version__,
        store=backend.kind,
        query_timeout=settings.query_timeout,
        backend=backend.status(),
    )
