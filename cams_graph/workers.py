"""Deriving slices of works in worker processes, for a derivation of every work.

The engine and the renderer are pure Python and hold the interpreter: one
process uses one core. :func:`derive_slices` gives each slice of works (whole
clusters) to a pool of worker processes forked once the facts are read, so
that they share the catalogue (copy on write) instead of receiving it, and
hands their results back in the order of the slices, while the caller writes
the results of the slices already done. A worker sends back a work's lines
only when they are to be written: when the stored digest of the work is the
same, the digest alone comes back. A worker that dies (killed for want of
memory, say) fails the derivation with ``BrokenProcessPool`` instead of
leaving it waiting.

With one worker (or a few works, or no ``fork`` on the platform) the slices
are derived in the calling process, with the same results.

>>> from cams_graph.facts import Catalogue
>>> [done.works for done in derive_slices(Catalogue(), [[]], {}, workers=1)]
[0]
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from .engine import derive, index
from .facts import Catalogue
from .materialize import Rendering, render

__all__ = [
    "PARALLEL_FROM",
    "SliceResult",
    "default_workers",
    "derive_slice",
    "derive_slices",
    "worker_count",
]

PARALLEL_FROM = 4000
"""Below this many works a pool is not worth its start: the slices are derived in process."""


def default_workers() -> int:
    """The cores this process may run on (``sched_getaffinity``), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(works: int, asked: int | None = None) -> int:
    """How many processes derive ``works`` works: ``asked``, else :func:`default_workers`
    from :data:`PARALLEL_FROM` works on and 1 below; 1 where processes cannot be forked.

    >>> worker_count(10, 3), worker_count(10)
    (3, 1)
    """
    if not _can_fork():  # pragma: no cover - Linux forks
        return 1
    if asked is not None:
        return max(1, asked)
    return default_workers() if works >= PARALLEL_FROM else 1


@dataclass
class SliceResult:
    """The derived results of one slice of works."""

    rendering: Rendering
    works: int
    """Works derived."""
    conflicts: int
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent deriving (``derive``) and rendering (``render``), in the process that did."""


def derive_slice(
    catalogue: Catalogue, works: Sequence[str], digests: Mapping[str, str]
) -> SliceResult:
    """Derive and render the works ``works`` (keys of whole clusters) of ``catalogue``.

    ``digests`` are the stored digests by work IRI: a work whose digest is the same
    keeps its digest but not its lines, which are not going to be written.
    """
    began = time.perf_counter()
    derivation = derive(catalogue, works, expand=False)
    derived = time.perf_counter()
    rendering = render(derivation, catalogue)
    rendering.works = [
        replace(w, lines=()) if digests.get(w.iri) == w.digest else w for w in rendering.works
    ]
    phases = {"derive": derived - began, "render": time.perf_counter() - derived}
    return SliceResult(rendering, len(derivation.works), len(derivation.conflicts), phases)


_JOB: tuple[Catalogue, Mapping[str, str]] | None = None
"""What the workers of the running pool derive from; set before they are forked."""


def _run(works: Sequence[str]) -> SliceResult:
    assert _JOB is not None, "a worker is forked after the job is set"
    catalogue, digests = _JOB
    return derive_slice(catalogue, works, digests)


def derive_slices(
    catalogue: Catalogue,
    slices: Sequence[Sequence[str]],
    digests: Mapping[str, str],
    *,
    workers: int | None = None,
) -> Iterator[SliceResult]:
    """:func:`derive_slice` of each of ``slices``, in their order, by ``workers`` processes
    (default: :func:`worker_count`), never more than there are slices."""
    count = min(worker_count(sum(len(s) for s in slices), workers), len(slices))
    if count <= 1:
        for works in slices:
            yield derive_slice(catalogue, works, digests)
        return
    global _JOB
    index(catalogue)  # built once, before the fork, for every worker
    _JOB = (catalogue, digests)
    # What the parent holds is moved out of the collector's reach while the workers run,
    # so that a collection in a worker does not write to (and copy) every shared page.
    gc.freeze()
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(_run, slices)
    finally:
        pool.shutdown(cancel_futures=True)
        gc.unfreeze()
        _JOB = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
