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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .catalogue import load_catalogue
from .engine import clusters, derive
from .materialize import add_derived, replace_derived
from .namespaces import CAMS, DERIVED_GRAPH, SYSTEM_GRAPH
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


def derive_all(store: Store, slice_size: int = 5000) -> DeriveStats:
    """Derive every work from scratch.

    Every work is marked pending first. Then the old results are deleted in
    slices (a single transaction would hold millions of deletions in memory),
    the new ones written back a slice of whole clusters at a time (bulk-loaded,
    so memory stays bounded by the slice), and the markers cleared last: until
    then readers see the works not yet written as pending, and a crash leaves
    the markers for the next run to finish.
    """
    began = time.perf_counter()
    loaded = load_catalogue(store, None)
    catalogue = loaded.catalogue
    store.update(
        f"INSERT {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w <{CAMS.derivationPending}> true }} }} "
        f"WHERE {{ GRAPH ?g {{ ?w a <{CAMS.Work}> }} }}"
    )
    store.drop_graph(str(DERIVED_GRAPH), atomic=False)  # every work is marked pending now
    works = conflicts = written = 0
    for chunk in _slices(clusters(catalogue), slice_size):
        derivation = derive(catalogue, chunk, expand=False)
        works += len(derivation.works)
        conflicts += len(derivation.conflicts)
        written += add_derived(store, derivation, catalogue)
    store.update(
        f"DELETE WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w <{CAMS.derivationPending}> ?x }} }}"
    )
    return DeriveStats(works, conflicts, written, time.perf_counter() - began)


def _slices(groups: list[list[str]], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for group in groups:
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
