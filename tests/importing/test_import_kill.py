"""A crash or kill at any moment leaves the whole batch or none of it.

`cams import` of a generated ledger runs as a subprocess on an on-disk store and is
killed with SIGKILL after a random (seeded) delay; the store must then hold either
the batch with its provenance and every one of its triples, or nothing of it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cams_graph.namespaces import PROVENANCE_GRAPH, SYSTEM_GRAPH
from cams_graph.provenance import BATCH_GRAPH_PREFIX
from cams_graph.store import EmbeddedStore

ROUNDS = 8
WORKS = 2000  # about 150 000 triples: the commit takes a few seconds


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ledger")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cams_graph",
            "generate",
            "--works",
            str(WORKS),
            "--seed",
            "7",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def _state(path: Path) -> str:
    """'none' or 'whole'; fails on anything in between."""
    store = EmbeddedStore(path)
    try:
        batches = store.select(
            f"SELECT ?b ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?b cams:tripleCount ?n }} }}"
        )
        sizes = {g: n for g, n in store.graph_sizes().items() if g.startswith(BATCH_GRAPH_PREFIX)}
        pending = store.select(
            f"SELECT ?w WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w cams:derivationPending ?t }} }}"
        )
        if not batches:
            assert sizes == {}, "batch triples without provenance"
            assert pending == [], "derivation markers without a batch"
            return "none"
        [row] = batches
        assert sizes == {row["b"].value: int(row["n"].value)}, "a partial batch"
        return "whole"
    finally:
        store.close()


@pytest.mark.slow
def test_killing_an_import_leaves_all_or_nothing(big_ledger: Path, tmp_path: Path) -> None:
    rng = random.Random(20261125)
    seen: list[tuple[float, str]] = []
    began = time.monotonic()
    for round_ in range(ROUNDS):
        store = tmp_path / f"store{round_}"
        delay = rng.uniform(0.5, 8.0)
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "cams"),
                "--store",
                str(store),
                "import",
                str(big_ledger),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        if not store.exists():
            seen.append((delay, "none"))
            continue
        seen.append((delay, _state(store)))
    assert time.monotonic() - began < 90
    assert {state for _, state in seen} <= {"none", "whole"}
    print("kill delays and outcomes:", [(round(d, 2), s) for d, s in seen])
