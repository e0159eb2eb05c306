"""Keeping the derived graph up to date: after an import or a retract, and from scratch.

An import or retract marks the works it touches with ``cams:derivationPending``
in the same transaction as its facts; :func:`derive_pending` re-derives those
works (widened to their clusters and the works made from them) and replaces
their results and markers in one update. So a crash between the two leaves the
markers, and the next run finishes the job.

>>> from cams_graph.store import EmbeddedStore
>>> derive_pending(EmbeddedStore.in_memory()).works
0
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from .catalogue import load_catalogue
from .engine import derive
from .materialize import replace_derived
from .namespaces import CAMS, SYSTEM_GRAPH
from .store import Store

__all__ = ["DeriveStats", "derive_all", "derive_pending", "derive_works", "pending_works"]


@dataclass(frozen=True)
class DeriveStats:
    """What one derivation did."""

    works: int
    conflicts: int
    triples: int
    seconds: float


def pending_works(store: Store) -> set[str]:
    """IRIs of the works waiting for re-derivation."""
    rows = store.select(
        f"SELECT ?w WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w <{CAMS.derivationPending}> ?x }} }}"
    )
    return {row["w"].value for row in rows}


def derive_works(store: Store, works: Iterable[str]) -> DeriveStats:
    """Re-derive ``works`` (IRIs), with their clusters and the works made from them."""
    began = time.perf_counter()
    loaded = load_catalogue(store, works)
    derivation = derive(loaded.catalogue, loaded.targets, expand=False)
    written = replace_derived(store, derivation, loaded.catalogue, loaded.iris)
    return DeriveStats(
        len(derivation.works), len(derivation.conflicts), written, time.perf_counter() - began
    )


FULL_SHARE = 0.3
"""When more than this share of the works is pending, everything is derived again: reading
all facts at once is faster than reading many works one cluster at a time."""


def derive_pending(store: Store) -> DeriveStats:
    """Re-derive the works marked as pending, if any."""
    pending = pending_works(store)
    if not pending:
        return DeriveStats(0, 0, 0, 0.0)
    if len(pending) > FULL_SHARE * _work_count(store):
        return derive_all(store)
    return derive_works(store, pending)


def _work_count(store: Store) -> int:
    rows = store.select("SELECT (COUNT(?w) AS ?n) WHERE { ?w a cams:Work }")
    return int(rows[0]["n"].value) if rows else 0


def derive_all(store: Store) -> DeriveStats:
    """Derive every work from scratch, replacing the whole derived graph in one update."""
    began = time.perf_counter()
    loaded = load_catalogue(store, None)
    derivation = derive(loaded.catalogue)
    written = replace_derived(store, derivation, loaded.catalogue, (), everything=True)
    return DeriveStats(
        len(derivation.works), len(derivation.conflicts), written, time.perf_counter() - began
    )
