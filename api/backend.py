"""What the server runs on: one interface over three kinds of store.

:class:`Backend` is all the routers know of the store:

* ``reading()`` -- a consistent, read-only view for the bounded questions the
  server answers itself (title, conflicts, avails, works);
* ``query(job, timeout)`` -- a user's SPARQL query, stopped past ``timeout``;
* ``write(function, *args)`` -- run ``function(store, *args)`` on the store,
  one write at a time (imports, retracts, SPARQL Update, Graph Store writes).

Implementations:

* :class:`EmbeddedBackend` -- an on-disk embedded store: a writer process owns
  it, readers use snapshots, queries run in killable worker processes
  (:mod:`cams_graph.querypool`);
* :class:`LocalBackend` -- an in-memory store (tests, trials): everything in
  this process; a query past its limit gets its error, but the engine cannot
  be stopped, so do not expose such a server;
* :class:`RemoteBackend` -- a SPARQL server as the store: queries are forwarded
  with the time limit as HTTP timeout (the remote server stops its own work).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from pyoxigraph import NamedNode

from cams_graph.errors import QueryTimeoutError, StoreError
from cams_graph.querypool import (
    QueryJob,
    QueryOutcome,
    QueryPool,
    Snapshots,
    WriterProcess,
    run_query,
)
from cams_graph.sparql import GRAPH_FORMATS, RESULT_FORMATS
from cams_graph.store import EmbeddedStore, Store, open_store

__all__ = ["Backend", "EmbeddedBackend", "LocalBackend", "RemoteBackend", "make_backend"]

T = TypeVar("T")


class Backend(Protocol):
    """The store as the server uses it."""

    kind: str
    location: str

    @property
    def generation(self) -> int:
        """Bumped after every write; caches keyed on it stay valid until the next write."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def reading(self) -> contextlib.AbstractContextManager[Store]:
        """A consistent read-only view of the store while the block runs."""
        ...

    def held_graphs(self) -> frozenset[str] | None:
        """The named graphs of the store (None when it cannot be known cheaply)."""
        ...

    async def query(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run a screened SPARQL query, stopped past ``timeout`` seconds."""
        ...

    async def write(
        self, function: Callable[..., T], *args: Any, timeout: float | None = None
    ) -> T:
        """Run ``function(store, *args)`` on the store, one write at a time."""
        ...

    def status(self) -> dict[str, Any]:
        """Figures for the health endpoint."""
        ...


def _snapshot_folder(location: str) -> Path:
    path = Path(location).expanduser().resolve()
    return path.with_name(path.name + ".snapshots")


class EmbeddedBackend:
    """An on-disk embedded store behind a writer process, snapshots and a query pool."""

    kind = "embedded"

    def __init__(self, location: str, workers: int = 2) -> None:
        self.location = location
        self.snapshots = Snapshots(_snapshot_folder(location))
        self.writer = WriterProcess(str(Path(location).expanduser()), self.snapshots)
        self.pool = QueryPool(self.snapshots, workers)

    @property
    def generation(self) -> int:
        return self.snapshots.generation

    async def start(self) -> None:
        folder = self.snapshots.folder
        if folder.exists():
            # Left over from a server that stopped without cleaning up. The writer
            # below takes the store's lock, so no other server can be using them.
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
        await self.writer.start()
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()
        await self.writer.close()
        self.snapshots.close()

    def reading(self) -> contextlib.AbstractContextManager[Store]:
        return self.snapshots.reading()

    def held_graphs(self) -> frozenset[str] | None:
        with self.snapshots.reading() as store:
            return store.named_graphs()

    async def query(self, job: QueryJob, timeout: float) -> QueryOutcome:
        return await self.pool.run(job, timeout)

    async def write(
        self, function: Callable[..., T], *args: Any, timeout: float | None = None
    ) -> T:
        try:
            return await self.writer.call(function, *args, timeout=timeout)
        finally:
            await self.pool.refresh()

    def status(self) -> dict[str, Any]:
        stats = self.pool.stats
        return {
            "generation": self.generation,
            "snapshot_seconds": round(self.snapshots.last_seconds, 4),
            "workers": stats.workers,
            "busy_workers": stats.busy,
            "queries": stats.queries,
            "timeouts": stats.timeouts,
            "worker_restarts": stats.restarts,
            "writes": self.writer.writes,
        }


class _ReadWriteLock:
    """Many readers or one writer (for a store that lives in this process)."""

    def __init__(self) -> None:
        self._readers = 0
        self._condition = threading.Condition()
        self._writing = False

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._condition:
            while self._writing:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._condition:
            while self._writing or self._readers:
                self._condition.wait()
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


def _named_graphs(store: Store) -> frozenset[str]:
    if isinstance(store, EmbeddedStore):
        return frozenset(g.value for g in store.oxigraph.named_graphs() if isinstance(g, NamedNode))
    rows = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    return frozenset(row["g"].value for row in rows if "g" in row)


class LocalBackend:
    """A store in this process (in memory): a readers-writer lock keeps answers whole."""

    kind = "memory"

    def __init__(self, store: Store) -> None:
        self.store = store
        self.location = store.location
        self._lock = _ReadWriteLock()
        self._generation = 1
        self._graphs: tuple[int, frozenset[str]] | None = None
        self._writes = asyncio.Lock()
        self.queries = 0
        self.timeouts = 0

    @property
    def generation(self) -> int:
        return self._generation

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self.store.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        with self._lock.read():
            yield self.store

    def held_graphs(self) -> frozenset[str] | None:
        if self._graphs is None or self._graphs[0] != self._generation:
            with self._lock.read():
                self._graphs = (self._generation, _named_graphs(self.store))
        return self._graphs[1]

    def _run(self, job: QueryJob) -> QueryOutcome:
        assert isinstance(self.store, EmbeddedStore)
        with self._lock.read():
            try:
                return run_query(self.store.oxigraph, job)
            except Exception as err:
                # Drop the frames (and Oxigraph's results in them) on this thread.
                raise err.with_traceback(None) from None

    async def query(self, job: QueryJob, timeout: float) -> QueryOutcome:
        self.queries += 1
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._run, job), timeout)
        except TimeoutError:
            self.timeouts += 1
            raise QueryTimeoutError(
                f"the query ran longer than the time limit of {timeout:g} s "
                "(an in-memory store cannot stop it; it finishes in the background)"
            ) from None

    def _write(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        with self._lock.write():
            try:
                return function(self.store, *args)
            finally:
                self._generation += 1

    async def write(
        self, function: Callable[..., T], *args: Any, timeout: float | None = None
    ) -> T:
        async with self._writes:
            return await asyncio.to_thread(self._write, function, args)

    def status(self) -> dict[str, Any]:
        return {"generation": self._generation, "queries": self.queries, "timeouts": self.timeouts}


class RemoteBackend(LocalBackend):
    """A SPARQL server as the store: user queries are forwarded with an HTTP timeout."""

    kind = "remote"

    def __init__(self, store: Store, endpoint: str) -> None:
        super().__init__(store)
        self.endpoint = endpoint
        self._client: httpx.AsyncClient | None = None
        self._graphs_checked = 0.0

    async def start(self) -> None:
        self._client = httpx.AsyncClient()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self.store.close()

    def held_graphs(self) -> frozenset[str] | None:
        if self._graphs is None or time.monotonic() - self._graphs_checked > 10:
            self._graphs = (self._generation, _named_graphs(self.store))
            self._graphs_checked = time.monotonic()
        return self._graphs[1]

    async def query(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Forward the query; the remote server answers in the negotiated format."""
        assert self._client is not None
        accept = ", ".join(
            f.media_type
            for key, table in (
                (job.result_format, RESULT_FORMATS),
                (job.graph_format, GRAPH_FORMATS),
            )
            if key is not None
            for f in [table[key]]
        )
        data: list[tuple[str, str]] = [("query", job.text)]
        data += [("default-graph-uri", g) for g in job.default_graphs or ()]
        data += [("named-graph-uri", g) for g in job.named_graphs or ()]
        began = time.perf_counter()
        self.queries += 1
        try:
            response = await self._client.post(
                self.endpoint,
                data=dict(data) if len(data) == 1 else data,  # type: ignore[arg-type]
                headers={"Accept": accept},
                timeout=timeout,
            )
        except httpx.TimeoutException:
            self.timeouts += 1
            raise QueryTimeoutError(
                f"the SPARQL server did not answer within the time limit of {timeout:g} s"
            ) from None
        except httpx.HTTPError as err:
            raise StoreError(f"the SPARQL server {self.endpoint} failed: {err}") from None
        if response.status_code >= 400:
            from cams_graph.errors import InputError

            raise InputError(f"the SPARQL server refused the query: {response.text[:500]}")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        for key, table, kind in (
            (job.result_format, RESULT_FORMATS, "solutions"),
            (job.graph_format, GRAPH_FORMATS, "graph"),
        ):
            if key is not None and table[key].media_type == media:
                if len(response.content) > job.max_bytes:
                    from cams_graph.errors import ResultTooLargeError

                    raise ResultTooLargeError(f"the result is larger than {job.max_bytes} bytes")
                return QueryOutcome(
                    kind,  # type: ignore[arg-type]
                    key,
                    table[key].content_type,
                    0,
                    time.perf_counter() - began,
                    body=response.content,
                )
        raise StoreError(f"the SPARQL server answered in an unexpected format {media!r}")


def make_backend(location: str, workers: int = 2) -> Backend:
    """The backend for a store location (folder, ``:memory:`` or URL)."""
    from cams_graph.config import is_remote

    if is_remote(location):
        return RemoteBackend(open_store(location), location)
    if location == ":memory:":
        return LocalBackend(open_store(location))
    return EmbeddedBackend(location, workers)
