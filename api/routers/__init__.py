"""One router per resource; :func:`api.create_app` includes them all."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    avails,
    conflicts,
    graph_store,
    health,
    imports,
    pages,
    sparql,
    title,
    tokens,
    works,
)

__all__ = [
    "ROUTERS",
    "avails",
    "conflicts",
    "graph_store",
    "health",
    "imports",
    "pages",
    "sparql",
    "title",
    "tokens",
    "works",
]

ROUTERS: list[APIRouter] = [
    m.router
    for m in (health, works, title, conflicts, avails, imports, tokens, sparql, graph_store, pages)
]
"""Every router, in the order the app includes them (the pages, with ``/``, last)."""
