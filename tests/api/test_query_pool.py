"""The query pool: a query waits for a free worker, up to a bound, and is stopped at its limit."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pyoxigraph import Store

from cams_graph.errors import PoolBusyError, QueryTimeoutError, StoreError
from cams_graph.querypool import QueryJob, QueryPool, Snapshots, _receive, _send

SLOW = QueryJob(
    "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 9 10 } "
    + " ".join(f"VALUES ?x{i} {{ 1 2 3 4 5 6 7 8 9 10 }}" for i in range(9))
    + " }"
)
QUICK = QueryJob("ASK {}")


async def _pool(tmp_path: Path, queue_wait: float) -> AsyncIterator[QueryPool]:
    snapshot = tmp_path / "snapshot"
    Store(str(tmp_path / "store")).backup(str(snapshot))
    snapshots = Snapshots(tmp_path / "snapshots")
    snapshots.publish(snapshot)
    pool = QueryPool(snapshots, size=1, queue_wait=queue_wait)
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()


def test_a_query_waits_for_a_busy_worker_within_the_queue_bound(tmp_path: Path) -> None:
    async def scenario() -> None:
        async for pool in _pool(tmp_path, queue_wait=30):
            slow = asyncio.create_task(pool.run(SLOW, timeout=1.0))
            await asyncio.sleep(0.2)
            outcome = await pool.run(QUICK, timeout=0.1)  # waits past its own 0.1 s
            assert outcome.kind == "boolean"
            with pytest.raises(QueryTimeoutError):
                await slow

    asyncio.run(scenario())


def test_a_saturated_pool_answers_busy_after_the_queue_bound(tmp_path: Path) -> None:
    async def scenario() -> None:
        async for pool in _pool(tmp_path, queue_wait=0.2):
            slow = asyncio.create_task(pool.run(SLOW, timeout=2.0))
            await asyncio.sleep(0.2)
            with pytest.raises(PoolBusyError, match=r"stayed busy for 0\.2 s"):
                await pool.run(QUICK, timeout=0.1)
            with pytest.raises(QueryTimeoutError):
                await slow

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [0, 10, 65_000, 3_000_000])
def test_messages_of_any_size_cross_a_worker_pipe(size: int) -> None:
    parent, child = multiprocessing.Pipe()
    message = ("query", 1, "x" * size)
    for writer, reader, send in [
        (parent, child, _send),
        (child, parent, lambda c, m: c.send_bytes(pickle.dumps(m))),  # as Connection frames it
    ]:
        sending = threading.Thread(target=send, args=(writer, message))
        sending.start()
        assert _receive(reader) == message
        sending.join()


def test_two_frames_at_once_break_the_protocol() -> None:
    parent, child = multiprocessing.Pipe()
    _send(parent, ("one",))
    _send(parent, ("two",))
    with pytest.raises(StoreError, match="more than one answer"):
        _receive(child)


def test_a_closed_pipe_is_end_of_file() -> None:
    parent, child = multiprocessing.Pipe()
    parent.close()
    with pytest.raises(EOFError):
        _receive(child)
