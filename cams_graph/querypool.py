"""Queries that can be stopped: worker processes over snapshots of the store, and one writer.

The embedded engine cannot cancel a running query, and RocksDB lets one
process at a time open a store for writing (opening it read-only while another
process writes is undefined behaviour). So a server on an embedded store runs:

* one **writer process** (:class:`WriterProcess`) that owns the store: every
  write (import, retract, SPARQL Update, Graph Store write) runs there, one at
  a time, and after each one it takes a **snapshot** with
  ``pyoxigraph.Store.backup`` -- a RocksDB checkpoint, hard links on the same
  file system, a few milliseconds -- and returns its folder;
* a small **pool of query processes** (:class:`QueryPool`), each with the
  newest snapshot open read-only (snapshots never change, so this is safe);
  before a query a worker reopens the snapshot if a newer one exists. A query
  that runs past its time limit has its worker killed (``SIGKILL``) and
  replaced, and the caller gets :class:`~cams_graph.errors.QueryTimeoutError`;
  the other workers keep serving;
* :class:`Snapshots`, the bookkeeping of the main process: which snapshot is
  the newest (its *generation*), who uses which, and deleting the old ones once
  nobody does. The main process reads the newest snapshot too
  (:class:`SnapshotStore`), for the bounded questions it answers itself (title,
  conflicts, avails): a reader never sees half of a batch.

A write with a time limit (SPARQL Update) is stopped the same way: the writer
is killed, RocksDB discards the unfinished transaction when the store is
reopened, and a new writer takes over.

:func:`run_query` is the part that runs inside a worker (or in the calling
thread for an in-memory store): run one screened query on a
``pyoxigraph.Store`` and serialize the answer in the negotiated format, within
the row and byte caps.

>>> from pyoxigraph import Store
>>> outcome = run_query(Store(), QueryJob("ASK {}", result_format="json"))
>>> outcome.kind, outcome.body
('boolean', b'{"head":{},"boolean":true}')
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import re
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar, cast

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)
from pyoxigraph import Store as OxStore
from pyoxigraph import serialize as serialize_rdf

from .errors import (
    CamsError,
    InputError,
    NotAcceptableError,
    PoolBusyError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
)
from .namespaces import PREFIXES
from .sparql import GRAPH_FORMATS, RESULT_FORMATS, CappedOutput, Format
from .store import Bindings, QueryResult, Reads

if TYPE_CHECKING:
    from multiprocessing.context import SpawnProcess

__all__ = [
    "QueryJob",
    "QueryOutcome",
    "QueryPool",
    "SnapshotStore",
    "Snapshots",
    "WriterProcess",
    "quads",
    "read_graph",
    "run_query",
    "syntax_error",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

_SPAWN = multiprocessing.get_context("spawn")
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def syntax_error(err: SyntaxError) -> QuerySyntaxError:
    """Oxigraph's parser error as a :class:`QuerySyntaxError` with its line and column.

    >>> str(syntax_error(SyntaxError("error at 1:7: expected one of ALL")))
    'line 1, column 7: expected one of ALL'
    """
    text = str(err.args[0]) if err.args else str(err)
    match = _POSITION.match(text)
    if not match:
        return QuerySyntaxError(text)
    return QuerySyntaxError(match.group(3), line=int(match.group(1)), column=int(match.group(2)))


# -- one query -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryJob:
    """A screened query and how to answer it.

    ``default_graphs`` / ``named_graphs`` are the protocol's dataset (None: the
    query's own ``FROM``, or else the union of all graphs, as ``use_union``
    says). ``result_format`` / ``graph_format`` are the negotiated format keys
    for a SELECT/ASK and for a CONSTRUCT/DESCRIBE answer (None: the client
    accepts no format of that kind).
    """

    text: str
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    use_union: bool = True
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 100_000
    max_bytes: int = 200 * 1024 * 1024


@dataclass(frozen=True)
class QueryOutcome:
    """The serialized answer of a query: in ``body``, or in the file ``path`` when large.

    ``rows`` is the number of rows (triples) when they were counted; an answer of
    fewer bytes than the row cap cannot pass it and is not counted (None).
    """

    kind: Literal["solutions", "boolean", "graph"]
    format: str
    content_type: str
    rows: int | None
    seconds: float
    body: bytes = b""
    path: str | None = None

    def read(self) -> bytes:
        """The whole answer (reads and deletes the spill file if there is one)."""
        if self.path is None:
            return self.body
        try:
            return Path(self.path).read_bytes()
        finally:
            Path(self.path).unlink(missing_ok=True)


def _graphs(names: Sequence[str]) -> list[NamedNode | BlankNode | DefaultGraph]:
    return [NamedNode(g) for g in names]


_PREFIXES: dict[str, str] = dict(PREFIXES)
"""The predeclared prefixes as the engine takes them (made once, never changed)."""


def _evaluate(store: OxStore, job: QueryJob) -> QueryResult:
    kwargs: dict[str, Any] = {"base_iri": job.base_iri, "prefixes": _PREFIXES}
    if job.default_graphs is not None:
        kwargs["default_graph"] = _graphs(job.default_graphs)
    elif job.use_union:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    try:
        return store.query(job.text, **kwargs)
    except SyntaxError as err:
        raise syntax_error(err) from None
    except (OSError, ValueError, RuntimeError) as err:
        raise InputError(f"the query failed: {err}") from None


def _counted(triples: Iterable[Triple], out: CappedOutput) -> Iterator[Triple]:
    for triple in triples:
        out.add_rows()
        yield triple


def _serialize(
    result: QueryResult, job: QueryJob
) -> tuple[Literal["solutions", "boolean", "graph"], str, Format, CappedOutput]:
    if isinstance(result, QueryTriples):
        key = job.graph_format
        if key is None:
            raise NotAcceptableError(_refusal("a graph (CONSTRUCT or DESCRIBE)", GRAPH_FORMATS))
        fmt = GRAPH_FORMATS[key]
        out = CappedOutput("graph", max_rows=job.max_rows, max_bytes=job.max_bytes)
        assert fmt.rdf is not None
        prefixes = PREFIXES if fmt.rdf in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else None
        try:
            serialize_rdf(_counted(result, out), cast(IO[bytes], out), fmt.rdf, prefixes=prefixes)
        except OSError as err:
            raise _unwrap(err) from None
        return "graph", key, fmt, out
    key = job.result_format
    what = "solutions (SELECT)" if isinstance(result, QuerySolutions) else "a boolean (ASK)"
    if key is None:
        raise NotAcceptableError(_refusal(what, RESULT_FORMATS))
    fmt = RESULT_FORMATS[key]
    out = CappedOutput(key, max_rows=job.max_rows, max_bytes=job.max_bytes)
    assert fmt.results is not None
    try:
        result.serialize(cast(IO[bytes], out), fmt.results)
    except OSError as err:
        raise _unwrap(err) from None
    return ("solutions" if isinstance(result, QuerySolutions) else "boolean"), key, fmt, out


def run_query(store: OxStore, job: QueryJob, spill_dir: str | None = None) -> QueryOutcome:
    """Run a screened query on ``store`` and serialize its answer within the caps.

    Raises :class:`QuerySyntaxError`, :class:`NotAcceptableError`,
    :class:`~cams_graph.sparql.ResultTooLargeError` or :class:`InputError`.
    """
    began = time.perf_counter()
    result = _evaluate(store, job)
    try:
        kind, key, fmt, out = _serialize(result, job)
    finally:
        # Oxigraph's results may only be dropped on the thread that made them.
        del result
    seconds = time.perf_counter() - began
    if out.spilled:
        handle, path = tempfile.mkstemp(prefix="result-", dir=spill_dir)
        with os.fdopen(handle, "wb") as target:
            shutil.copyfileobj(out.file(), target)
        return QueryOutcome(kind, key, fmt.content_type, out.counted, seconds, path=path)
    return QueryOutcome(kind, key, fmt.content_type, out.counted, seconds, body=out.getvalue())


def _unwrap(err: OSError) -> Exception:
    """Oxigraph wraps errors of the output object in OSError; give back the cap error."""
    cause = err.__cause__ or err.__context__
    if isinstance(cause, ResultTooLargeError):
        return cause
    text = str(err)
    if "ResultTooLargeError" in text or "the result has more than" in text:
        return ResultTooLargeError(text.split(": ", 1)[-1])
    return InputError(f"the answer could not be written: {err}")


def _refusal(what: str, offers: dict[str, Any]) -> str:
    media = ", ".join(f.media_type for f in offers.values())
    return f"the answer is {what}; the Accept header allows none of its formats ({media})"


# -- a store over a snapshot ----------------------------------------------------------------


class SnapshotStore(Reads):
    """A read-only :class:`~cams_graph.store.Store` over a snapshot folder.

    Reads behave as on :class:`~cams_graph.store.EmbeddedStore` (the cams
    prefixes predeclared, the default graph the union of all graphs); writes
    raise :class:`~cams_graph.errors.StoreError`.
    """

    def __init__(self, path: Path, generation: int = 0) -> None:
        self.path = path
        self.generation = generation
        try:
            self._store = OxStore.read_only(str(path))
        except OSError as err:
            raise StoreError(f"cannot open the snapshot {path}: {err}") from None
        self._graphs: frozenset[str] | None = None

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def oxigraph(self) -> OxStore:
        """The underlying read-only ``pyoxigraph.Store``."""
        return self._store

    def named_graphs(self) -> frozenset[str]:
        """The IRIs of the named graphs of the snapshot (computed once)."""
        if self._graphs is None:
            self._graphs = frozenset(
                g.value for g in self._store.named_graphs() if isinstance(g, NamedNode)
            )
        return self._graphs

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        from pyoxigraph import Variable

        kwargs: dict[str, Any] = {"prefixes": dict(PREFIXES)}
        if bindings:
            kwargs["substitutions"] = {Variable(k): v for k, v in bindings.items()}
        if default_graphs is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = _graphs(default_graphs)
        if named_graphs is not None:
            kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as err:
            raise syntax_error(err) from None
        except OSError as err:
            raise StoreError(f"query failed: {err}") from None

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise StoreError("this is a read-only snapshot of the store")

    update = _read_only
    add = _read_only
    bulk_add = _read_only
    load = _read_only
    bulk_load = _read_only
    replace_graph = _read_only
    drop_graph = _read_only

    def graph_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for quad in self._store.quads_for_pattern(None, None, None, None):
            graph = quad.graph_name
            name = graph.value if isinstance(graph, NamedNode) else ""
            sizes[name] = sizes.get(name, 0) + 1
        return sizes

    def dump(self, out: IO[bytes], rdf_format: RdfFormat = RdfFormat.N_QUADS) -> None:
        self._store.dump(out, format=rdf_format)

    def close(self) -> None:
        self._store = None  # type: ignore[assignment]


# -- bookkeeping of snapshots ----------------------------------------------------------------


class Snapshots:
    """The snapshots of a store in the main process: the newest one, and who uses which.

    Every user of a snapshot (a worker that has it open, a request reading it)
    holds it with :meth:`hold` / :meth:`drop`; a snapshot that is no longer
    the newest is deleted when its last user drops it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generation = 0
        self.current: Path | None = None
        self._users: dict[int, int] = {}
        self._paths: dict[int, Path] = {}
        self._stores: dict[int, SnapshotStore] = {}
        self._lock = threading.Lock()
        self.last_seconds = 0.0

    def publish(self, path: Path, seconds: float = 0.0) -> int:
        """Make ``path`` the newest snapshot; returns its generation."""
        with self._lock:
            self.generation += 1
            self.current = path
            self._paths[self.generation] = path
            self._users.setdefault(self.generation, 0)
            self.last_seconds = seconds
            generation = self.generation
            self._collect()
        return generation

    def newest(self) -> tuple[int, Path]:
        if self.current is None:
            raise StoreError("no snapshot of the store yet")
        return self.generation, self.current

    def hold(self, generation: int) -> None:
        with self._lock:
            self._users[generation] = self._users.get(generation, 0) + 1

    def drop(self, generation: int) -> None:
        with self._lock:
            self._users[generation] = self._users.get(generation, 1) - 1
            self._collect()

    @contextlib.contextmanager
    def reading(self) -> Iterator[SnapshotStore]:
        """The newest snapshot as a read-only store, held while the block runs."""
        with self._lock:
            generation = self.generation
            if self.current is None:
                raise StoreError("no snapshot of the store yet")
            store = self._stores.get(generation)
            if store is None:
                store = SnapshotStore(self.current, generation)
                self._stores[generation] = store
            self._users[generation] = self._users.get(generation, 0) + 1
        try:
            yield store
        finally:
            self.drop(generation)

    def _collect(self) -> None:
        """Delete the snapshots nobody uses that are not the newest (lock held)."""
        for generation in [g for g, n in self._users.items() if n <= 0 and g != self.generation]:
            del self._users[generation]
            store = self._stores.pop(generation, None)
            if store is not None:
                store.close()
            path = self._paths.pop(generation, None)
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)

    def users(self) -> dict[int, int]:
        """Generation -> number of users (for the health endpoint and tests)."""
        with self._lock:
            return dict(self._users)

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


# -- processes -------------------------------------------------------------------------------


def _send(conn: Connection, message: object) -> None:
    """Send ``message`` pickled, as one frame (a single write when it is under 16 KB)."""
    conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))


_SIZE = struct.Struct("!i")
_LONG_SIZE = struct.Struct("!Q")


def _read(fd: int, data: bytearray, wanted: int) -> None:
    """Read from ``fd`` into ``data`` until it holds ``wanted`` bytes."""
    while len(data) < wanted:
        chunk = os.read(fd, max(wanted - len(data), 65536))
        if not chunk:
            raise EOFError("the other end of the pipe closed")
        data += chunk


def _receive(conn: Connection) -> Any:
    """The next message :func:`_send` sent on ``conn``, read in one call when it is small.

    ``Connection.recv_bytes`` reads the frame's size, then the frame: two system
    calls for every message. Each end of a worker's pipe sends one message and
    waits for the answer, so nothing ever follows a frame: reading ahead is safe,
    and anything past the frame is a broken protocol (:class:`StoreError`).
    """
    fd = conn.fileno()
    data = bytearray()
    _read(fd, data, _SIZE.size)
    size = _SIZE.unpack_from(data)[0]
    start = _SIZE.size
    if size == -1:  # a frame of 2 GB or more: the size follows in 8 bytes
        _read(fd, data, start + _LONG_SIZE.size)
        size = _LONG_SIZE.unpack_from(data, start)[0]
        start += _LONG_SIZE.size
    _read(fd, data, start + size)
    if len(data) != start + size:
        raise StoreError("a query worker sent more than one answer")
    return pickle.loads(memoryview(data)[start:])


def _query_worker(conn: Connection, spill_dir: str) -> None:
    """The loop of a query process: open snapshots, run queries, answer."""
    store: OxStore | None = None
    generation = -1
    try:
        _send(conn, ("ready", os.getpid()))
    except OSError:
        return  # the pool closed while this worker was starting
    while True:
        try:
            message = _receive(conn)
        except (EOFError, OSError):
            return
        command = message[0]
        if command == "stop":
            return
        try:
            if message[1] != generation:
                store = None
                store = OxStore.read_only(message[2])
                generation = message[1]
            if command == "open":
                _send(conn, ("ok", generation))
                continue
            assert store is not None
            _send(conn, ("ok", run_query(store, message[3], spill_dir)))
        except CamsError as err:
            _send(conn, ("error", err))
        except Exception as err:  # a bug: report it, keep serving
            _send(conn, ("error", StoreError(f"{type(err).__name__}: {err}")))


def _writer(conn: Connection, location: str, folder: str) -> None:
    """The loop of the writer process: own the store, run writes, take snapshots."""
    from .store import open_store

    try:
        store = open_store(location)
    except CamsError as err:
        conn.send(("failed", err))
        return
    counter = itertools.count(1)

    def snapshot() -> tuple[str, float]:
        began = time.perf_counter()
        target = Path(folder) / f"{os.getpid()}-{next(counter)}-{time.time_ns()}"
        store.oxigraph.backup(str(target))  # type: ignore[attr-defined]
        return str(target), time.perf_counter() - began

    conn.send(("ready", os.getpid(), *snapshot()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        if message[0] == "stop":
            break
        _, function, args = message
        try:
            result = function(store, *args)
            conn.send(("ok", result, *snapshot()))
        except CamsError as err:
            conn.send(("error", err, *snapshot()))
        except Exception as err:
            conn.send(("error", StoreError(f"{type(err).__name__}: {err}"), *snapshot()))
    store.close()


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


async def _readable(conn: Connection, timeout: float | None) -> bool:
    """Wait until ``conn`` has something to read; False on timeout.

    One future settled by whichever comes first, the file descriptor or the
    timer: no task, no cancellation, on the path of every query.
    """
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _settle, ready, True)
    timer = None if timeout is None else loop.call_later(timeout, _settle, ready, False)
    try:
        return await ready
    finally:
        loop.remove_reader(fd)
        if timer is not None:
            timer.cancel()


@dataclass(eq=False)
class _Worker:
    process: SpawnProcess
    conn: Connection
    generation: int = -1
    queries: int = 0


@dataclass
class PoolStats:
    """What the pool has done, for the health endpoint."""

    queries: int = 0
    timeouts: int = 0
    restarts: int = 0
    busy: int = 0
    workers: int = 0
    last_kill_ms: list[float] = field(default_factory=list)


QUEUE_WAIT = 30.0
"""Seconds a query may wait for a free worker (its time limit instead, if longer): a
burst of readers queues rather than failing, a server that stays saturated says so."""


class QueryPool:
    """Worker processes running queries on the newest snapshot, killed past a time limit."""

    def __init__(
        self,
        snapshots: Snapshots,
        size: int = 2,
        spill_dir: str | None = None,
        queue_wait: float = QUEUE_WAIT,
    ) -> None:
        self.snapshots = snapshots
        self.size = max(1, size)
        self.queue_wait = queue_wait
        self.spill_dir = spill_dir or tempfile.mkdtemp(prefix="cams-results-")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._closing = False
        self._starting: set[asyncio.Task[None]] = set()
        self.stats = PoolStats()

    async def start(self) -> None:
        """Start the workers and wait until they are ready."""
        self._idle = asyncio.Queue()
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    def _start_process(self) -> _Worker:
        parent, child = _SPAWN.Pipe()
        process = _SPAWN.Process(
            target=_query_worker, args=(child, self.spill_dir), daemon=True, name="cams-query"
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    async def _spawn(self) -> None:
        worker = await asyncio.to_thread(self._start_process)
        if not await _readable(worker.conn, 60) or self._closing:
            self._kill(worker)
            if not self._closing:
                raise StoreError("a query worker did not start within 60 s")
            return
        _receive(worker.conn)
        self._all.add(worker)
        self.stats.workers = len(self._all)
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _replace(self) -> None:
        if self._closing:
            return
        self.stats.restarts += 1
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError, ValueError):
            worker.process.kill()
        with contextlib.suppress(OSError):
            worker.conn.close()
        worker.process.join(timeout=5)
        if worker.generation >= 0:
            self.snapshots.drop(worker.generation)
            worker.generation = -1
        self._all.discard(worker)
        self.stats.workers = len(self._all)

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run ``job`` on a worker; past ``timeout`` seconds the worker is killed.

        Raises :class:`QueryTimeoutError` (the query was stopped),
        :class:`PoolBusyError` (no worker became free within :data:`QUEUE_WAIT` seconds,
        or ``timeout`` if longer) or whatever
        :func:`run_query` raises.
        """
        assert self._idle is not None, "the pool is not started"
        if self._idle.empty():
            wait = max(timeout, self.queue_wait)
            try:
                async with asyncio.timeout(wait):
                    worker = await self._idle.get()
            except TimeoutError:
                raise PoolBusyError(
                    f"every query worker stayed busy for {wait:g} s; try again later"
                ) from None
        else:
            worker = self._idle.get_nowait()
        self.stats.busy += 1
        done = False
        try:
            generation, path = self.snapshots.newest()
            if worker.generation != generation:
                self.snapshots.hold(generation)
                if worker.generation >= 0:
                    self.snapshots.drop(worker.generation)
                worker.generation = generation
            message = ("query", generation, str(path), job)
            if len(job.text) > 65536:
                await asyncio.to_thread(_send, worker.conn, message)
            else:
                _send(worker.conn, message)
            self.stats.queries += 1
            began = time.perf_counter()
            if not await _readable(worker.conn, timeout):
                self.stats.timeouts += 1
                self._kill(worker)
                self.stats.last_kill_ms = [
                    *self.stats.last_kill_ms[-9:],
                    (time.perf_counter() - began - timeout) * 1000,
                ]
                self._replace()
                raise QueryTimeoutError(
                    f"the query ran longer than the time limit of {timeout:g} s and was stopped"
                )
            status, payload = _receive(worker.conn)
            done = True
        except (EOFError, OSError) as err:
            self._kill(worker)
            self._replace()
            raise StoreError(f"the query worker failed: {err}") from None
        finally:
            self.stats.busy -= 1
            if worker in self._all:
                if done:
                    self._idle.put_nowait(worker)
                else:
                    self._kill(worker)
                    self._replace()
        if status == "error":
            raise payload
        assert isinstance(payload, QueryOutcome)
        return payload

    async def refresh(self) -> None:
        """Have the idle workers open the newest snapshot now (so old ones can go)."""
        if self._idle is None:
            return
        generation, path = self.snapshots.newest()
        waiting: list[_Worker] = []
        while not self._idle.empty():
            waiting.append(self._idle.get_nowait())
        try:
            for worker in waiting:
                if worker.generation == generation:
                    continue
                _send(worker.conn, ("open", generation, str(path)))
                if await _readable(worker.conn, 30):
                    _receive(worker.conn)
                    self.snapshots.hold(generation)
                    if worker.generation >= 0:
                        self.snapshots.drop(worker.generation)
                    worker.generation = generation
                else:
                    self._kill(worker)
                    self._replace()
        finally:
            for worker in waiting:
                if worker in self._all:
                    self._idle.put_nowait(worker)

    async def close(self) -> None:
        """Stop every worker."""
        self._closing = True
        for task in list(self._starting):
            task.cancel()
        for worker in list(self._all):
            with contextlib.suppress(OSError, BrokenPipeError):
                _send(worker.conn, ("stop",))
            self._kill(worker)
        shutil.rmtree(self.spill_dir, ignore_errors=True)


class WriterProcess:
    """The process that owns the embedded store; every write runs there, one at a time."""

    def __init__(self, location: str, snapshots: Snapshots) -> None:
        self.location = location
        self.snapshots = snapshots
        self._process: SpawnProcess | None = None
        self._conn: Connection | None = None
        self._lock: asyncio.Lock | None = None
        self.writes = 0
        self.restarts = 0

    async def start(self) -> None:
        """Start the writer, wait until it has the store open and its first snapshot."""
        self._lock = asyncio.Lock()
        await self._spawn()

    async def _spawn(self) -> None:
        self.snapshots.folder.mkdir(parents=True, exist_ok=True)
        parent, child = _SPAWN.Pipe()
        process = _SPAWN.Process(
            target=_writer,
            args=(child, self.location, str(self.snapshots.folder)),
            daemon=True,
            name="cams-writer",
        )
        await asyncio.to_thread(process.start)
        child.close()
        if not await _readable(parent, 600):
            process.kill()
            raise StoreError("the writer process did not open the store within 600 s")
        try:
            message = parent.recv()
        except EOFError:
            process.join(5)
            raise StoreError(
                f"the writer process could not open the store {self.location}"
            ) from None
        if message[0] == "failed":
            process.join(5)
            raise message[1]
        self._process, self._conn = process, parent
        self.snapshots.publish(Path(message[2]), message[3])

    async def call(self, function: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run ``function(store, *args)`` in the writer and publish the snapshot taken after it.

        Past ``timeout`` seconds the writer is killed (the unfinished
        transaction is lost, nothing of it is stored), restarted, and
        :class:`QueryTimeoutError` raised.
        """
        assert self._lock is not None, "the writer is not started"
        async with self._lock:
            assert self._conn is not None and self._process is not None
            conn = self._conn
            await asyncio.to_thread(conn.send, ("call", function, args))
            if not await _readable(conn, timeout):
                self._process.kill()
                await asyncio.to_thread(self._process.join, 30)
                conn.close()
                self.restarts += 1
                await self._spawn()
                raise QueryTimeoutError(
                    f"the update ran longer than the time limit of {timeout:g} s and was "
                    "stopped; nothing of it was stored"
                )
            try:
                status, payload, path, seconds = await asyncio.to_thread(conn.recv)
            except EOFError:
                self.restarts += 1
                await self._spawn()
                raise StoreError("the writer process died; it was restarted") from None
            self.writes += 1
            self.snapshots.publish(Path(path), seconds)
        if status == "error":
            raise payload
        return payload  # type: ignore[no-any-return]

    async def close(self) -> None:
        if self._conn is not None and self._process is not None:
            with contextlib.suppress(OSError, BrokenPipeError):
                self._conn.send(("stop",))
            await asyncio.to_thread(self._process.join, 30)
            if self._process.is_alive():
                self._process.kill()
            self._conn.close()
            self._conn = None


def _memory_triples(store: OxStore, graph: NamedNode | DefaultGraph) -> Iterator[Triple]:
    for quad in store.quads_for_pattern(None, None, None, graph):
        yield quad.triple


def read_graph(
    store: OxStore, graph: NamedNode | DefaultGraph, key: str, max_rows: int, max_bytes: int
) -> bytes:
    """Serialize one graph of ``store`` in the graph format ``key``, within the caps.

    >>> from pyoxigraph import Store, Literal
    >>> s = Store()
    >>> s.add(Quad(NamedNode("urn:s"), NamedNode("urn:p"), Literal("o"), NamedNode("urn:g")))
    >>> read_graph(s, NamedNode("urn:g"), "ntriples", 10, 1000)
    b'<urn:s> <urn:p> "o" .\\n'
    """
    fmt = GRAPH_FORMATS[key]
    out = CappedOutput("graph", max_rows=max_rows, max_bytes=max_bytes)
    assert fmt.rdf is not None
    prefixes = PREFIXES if fmt.rdf in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else None
    try:
        serialize_rdf(
            _counted(_memory_triples(store, graph), out),
            cast(IO[bytes], out),
            fmt.rdf,
            prefixes=prefixes,
        )
    except OSError as err:
        raise _unwrap(err) from None
    if out.spilled:
        return out.file().read()
    return out.getvalue()


def quads(triples: Iterable[Triple], graph: NamedNode | DefaultGraph) -> list[Quad]:
    """The triples as quads of ``graph``."""
    return [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
