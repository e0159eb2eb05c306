"""One router per resource; :func:`api.create_app` includes them all."""

from __future__ import annotations

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
