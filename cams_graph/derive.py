"""Keeping the derived graph up to date: after an import or a retract, and from scratch.

An import or retract marks the works it touches with ``cams:derivationPending``
in the same transaction as its facts (a first import of a catalogue marks the
derived graph itself: everything is pending). :func:`derive_pending` re-derives
those works, widened to their clusters and the works made from them, and writes
only what changed (:func:`cams_graph.materialize.write_results`): each work's
results carry a digest, so a work whose results come out the same is not
written again, and a changed one gets only its removed and added triples. The
markers are cleared last, so a crash leaves them and the next run finishes the
job.

>>> from cams_graph.store import EmbeddedStore
>>> derive_pending(EmbeddedStore.in_memory()).works
0
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .catalogue import load_catalogue
from .engine import clusters, derive
from .facts import Catalogue
from .materialize import (
    Rendering,
    WriteStats,
    clear_markers,
    render,
    stored_digests,
    write_results,
)
from .namespaces import CAMS, DERIVED_GRAPH, EVERY_WORK, SYSTEM_GRAPH, WRITE_IN_PROGRESS
from .store import Store
from .workers import derive_slices, worker_count

__all__ = [
    "DeriveStats",
    "derive_all",
    "derive_pending",
    "derive_works",
    "mark_everything",
    "pending_works",
]


@dataclass(frozen=True)
class DeriveStats:
    """What one derivation did."""

    works: int
    """Works derived."""
    conflicts: int
    triples: int
    """Derived triples added (deleted ones are in ``deleted``)."""
    seconds: float
    written: int = 0
    """Works whose stored results changed (written, rewritten or deleted)."""
    unchanged: int = 0
    """Works derived whose stored results were already right: nothing written."""
    deleted: int = 0
    """Derived triples deleted."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent reading the facts (``read``), deriving (``derive``), turning the
    results into triples (``render``) and comparing and writing them (``write``);
    ``derive`` and ``render`` are added up over the worker processes."""
    workers: int = 1
    """Processes that derived the works."""


_PENDING = f"<{CAMS.derivationPending}>"


def mark_everything(store: Store) -> None:
    """Mark every work pending, with one marker (:data:`~cams_graph.namespaces.EVERY_WORK`)."""
    store.update(f"INSERT DATA {{ GRAPH <{SYSTEM_GRAPH}> {{ <{EVERY_WORK}> {_PENDING} true }} }}")


def pending_works(store: Store) -> set[str]:
    """IRIs of the works waiting for re-derivation; :data:`~cams_graph.namespaces.EVERY_WORK`
    or :data:`~cams_graph.namespaces.WRITE_IN_PROGRESS` among them when every work is."""
    rows = store.select(f"SELECT ?w WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w {_PENDING} ?x }} }}")
    return {row["w"].value for row in rows}


def derive_works(store: Store, works: Iterable[str]) -> DeriveStats:
    """Re-derive ``works`` (IRIs), with their clusters and the works made from them, and
    clear their pending markers."""
    began, clock = time.perf_counter(), _Phases()
    asked = set(works)
    with clock("read"):
        loaded = load_catalogue(store, asked)
    with clock("derive"):
        derivation = derive(loaded.catalogue, loaded.targets, expand=False)
    with clock("render"):
        rendering = render(derivation, loaded.catalogue)
    rendered = {w.iri for w in rendering.works}
    with clock("write"):
        stats = write_results(
            store,
            rendering,
            stored_digests(store, rendered),
            gone=(loaded.iris | asked) - rendered,
            markers=asked,
        )
    return _stats(len(derivation.works), len(derivation.conflicts), stats, began, clock)


FULL_SHARE = 0.3
"""When more than this share of the works is pending, everything is derived again: reading
all facts at once is faster than reading many works one cluster at a time."""

_EVERYTHING = {str(EVERY_WORK), str(WRITE_IN_PROGRESS)}

_FEW = 2000
"""Up to this many pending works, the share is not worth counting the works for."""


def derive_pending(store: Store, *, facts: Catalogue | None = None) -> DeriveStats:
    """Re-derive the works marked as pending, if any.

    ``facts``: every fact of the store, when the caller has them (a first import), for a
    derivation of every work.
    """
    pending = pending_works(store)
    if not pending:
        return DeriveStats(0, 0, 0, 0.0)
    if _EVERYTHING & pending or (
        len(pending) > _FEW and len(pending) > FULL_SHARE * _work_count(store)
    ):
        return derive_all(store, facts=facts)
    return derive_works(store, pending)


def _work_count(store: Store) -> int:
    rows = store.select("SELECT (COUNT(?w) AS ?n) WHERE { ?w a cams:Work }")
    return int(rows[0]["n"].value) if rows else 0


def _has_results(store: Store) -> bool:
    return store.ask(f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")


def _works_with_results(store: Store) -> set[str]:
    rows = store.select(
        f"SELECT DISTINCT ?w WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s <{CAMS.work}> ?w }} }}"
    )
    return {row["w"].value for row in rows}


def derive_all(
    store: Store,
    slice_size: int = 5000,
    *,
    facts: Catalogue | None = None,
    workers: int | None = None,
) -> DeriveStats:
    """Derive every work from scratch, and write what changed.

    The works are derived a slice of whole clusters at a time (memory stays bounded
    by the slices in flight), by ``workers`` processes (default: one per core from
    :data:`~cams_graph.workers.PARALLEL_FROM` works on; see :mod:`cams_graph.workers`),
    and each slice's results are compared with the stored ones: by their digests, or
    triple by triple when every work was marked pending (the results of an interrupted
    write cannot be vouched for by their digests). Results of works no longer in the
    store are deleted, and the pending markers cleared last. A derived graph of an
    older form (without digests) is dropped first and written anew. ``facts`` are
    every fact of the store, when the caller has them; else they are read from the
    store.
    """
    began, clock = time.perf_counter(), _Phases()
    everything = bool(_EVERYTHING & pending_works(store))
    stored = _has_results(store)
    digests = stored_digests(store) if stored else {}
    if stored and not digests:
        mark_everything(store)  # until the new form is written whole
        store.drop_graph(str(DERIVED_GRAPH), atomic=False)
        everything, stored = True, False
    with clock("read"):
        catalogue = facts if facts is not None else load_catalogue(store, None).catalogue
    check_all = everything and stored
    if check_all:
        digests = {}
    count = worker_count(len(catalogue.works), workers)
    if count > 1:  # a few slices per worker, so that none waits long for the last
        slice_size = min(slice_size, max(500, -(-len(catalogue.works) // (4 * count))))
    slices = list(_slices(clusters(catalogue), slice_size))
    count = min(count, len(slices)) or 1
    known_sets: set[str] = set()
    total = WriteStats()
    works = conflicts = 0
    derived: set[str] = set()
    for done in derive_slices(catalogue, slices, digests, workers=count):
        for phase, seconds in done.phases.items():
            clock[phase] += seconds
        rendering = done.rendering
        iris = {w.iri for w in rendering.works}
        derived |= iris
        works += done.works
        conflicts += done.conflicts
        with clock("write"):
            total.add(
                write_results(
                    store,
                    rendering,
                    digests,
                    check=iris if check_all else (),
                    known_sets=known_sets,
                )
            )
    with clock("write"):
        gone = (_works_with_results(store) if check_all else set(digests)) - derived
        if gone:
            total.add(write_results(store, Rendering(), {}, gone=gone))
        store.update(clear_markers(None))
    return _stats(works, conflicts, total, began, clock, count)


class _Phases(defaultdict[str, float]):
    """Seconds per phase of a derivation, added up."""

    def __init__(self) -> None:
        super().__init__(float)

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self[phase] += time.perf_counter() - began


def _stats(
    works: int,
    conflicts: int,
    stats: WriteStats,
    began: float,
    phases: _Phases,
    workers: int = 1,
) -> DeriveStats:
    return DeriveStats(
        works,
        conflicts,
        stats.added_triples,
        time.perf_counter() - began,
        stats.written + stats.removed,
        stats.unchanged,
        stats.deleted_triples,
        dict(phases),
        workers,
    )


def _slices(groups: list[list[str]], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for group in groups:
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
