"""The full derivation of a stored catalogue, by phase, each run in a fresh process; and
what reading the facts back costs the store, predicate by predicate.

usage: python benchmarks/derive_bench.py (--store DIR | --works N [--seed 1])
                                         [--workers 1,2] [--runs 2] [--against REV]
                                         [--reads]

``--store DIR`` is an embedded store made by ``cams import`` (it is not
changed: with the same facts, ``derive_all`` writes nothing); ``--works N``
generates a ledger of N works and imports it into a temporary store first.
Each run calls ``derive_all`` in a process of its own, once per ``--workers``
value, and prints its seconds, its phases (``DeriveStats.phases``: the
engine's and the rendering's seconds added up over the workers) and peak
memory (the caller's and the largest worker's). ``--against REV`` also runs
the code of git revision REV (checked out beside, on the same store),
alternating with today's. ``--reads`` then times, for each predicate the
engine reads, the store's own work on ``SELECT ?s ?o WHERE { ?s p ?o }``
over the fact graphs (answers serialized, not parsed), and on the same
query with only ``?s``, only ``?o`` and ``COUNT(*)``: µs per row.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys
from cams_graph.derive import derive_all
from cams_graph.store import open_store
store = open_store(sys.argv[1])
options = {} if sys.argv[2] == "-" else {"workers": int(sys.argv[2])}
stats = derive_all(store, **options)
store.close()
print(json.dumps({
    "works": stats.works, "seconds": stats.seconds, "written": stats.written,
    "workers": getattr(stats, "workers", 1), "phases": stats.phases,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
}))
"""


def derive_once(store: Path, workers: int | None, code: Path | None) -> dict[str, Any]:
    """One ``derive_all`` in a fresh process, with the package of ``code`` (default: today's)."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(store), "-" if workers is None else str(workers)],
        capture_output=True,
        text=True,
        env=env,
        cwd=code or ROOT,  # the code's own folder first on the path (``-c`` puts the cwd there)
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"derive_bench: the derivation failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _checkout(rev: str, folder: Path) -> Path:
    target = folder / "against"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(target), rev],
        check=True,
        capture_output=True,
    )
    return target


def _row(label: str, found: dict[str, Any]) -> str:
    phases = found["phases"]
    parts = " ".join(f"{k} {v:6.2f}" for k, v in sorted(phases.items()))
    per_work = found["seconds"] / max(found["works"], 1) * 1e3
    return (
        f"{label:<22} {found['works']:>8} {found['seconds']:8.2f} s {per_work:6.3f} ms/work  "
        f"{parts}  peak {found['peak_mb']} MB, worker {found['worker_peak_mb']} MB"
    )


def reads(store_path: Path) -> None:
    """The store's cost per row of each predicate the engine reads."""
    from pyoxigraph import QueryResultsFormat

    from cams_graph.catalogue import _READ, _fact_graphs
    from cams_graph.store import EmbeddedStore, open_store

    store = open_store(str(store_path))
    assert isinstance(store, EmbeddedStore)
    graphs = _fact_graphs(store)

    def cost(select: str, predicate: str) -> tuple[float, int]:
        began = time.perf_counter()
        result = store.oxigraph.query(
            f"SELECT {select} WHERE {{ ?s <{predicate}> ?o }}", default_graph=graphs
        )
        data = result.serialize(format=QueryResultsFormat.TSV)  # type: ignore[union-attr]
        return time.perf_counter() - began, (data or b"").count(b"\n") - 1

    print(f"\n{'predicate':<28} {'rows':>9}  µs per row: count    ?o    ?s  ?s ?o")
    total_s = total_rows = 0.0
    for predicate in _READ:
        both, rows = cost("?s ?o", predicate)
        if rows <= 0:
            continue
        counted, _ = cost("(COUNT(*) AS ?n)", predicate)
        objects, _ = cost("?o", predicate)
        subjects, _ = cost("?s", predicate)
        name = predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        us = [x / rows * 1e6 for x in (counted, objects, subjects, both)]
        print(f"{name:<28} {rows:>9}  " + " ".join(f"{u:5.2f}" for u in us))
        total_s += both
        total_rows += rows
    print(f"{'every predicate, ?s ?o':<28} {int(total_rows):>9}  {total_s:.2f} s")
    store.close()


def _imported(works: int, seed: int, folder: Path) -> Path:
    from cams_graph.generate import generate
    from cams_graph.importer import import_paths
    from cams_graph.store import open_store

    generate(folder / "ledger", works, seed)
    store = open_store(str(folder / "store"))
    import_paths(store, [folder / "ledger"])
    store.close()
    return folder / "store"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", type=Path, help="An embedded store made by cams import.")
    source.add_argument("--works", type=int, help="Generate and import this many works first.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1,2", help="Worker counts, comma-separated.")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--against", metavar="REV", help="Also run this git revision's code.")
    parser.add_argument("--reads", action="store_true", help="Also time the store's reads.")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",") if w]
    with tempfile.TemporaryDirectory(prefix="derive-bench-") as scratch:
        folder = Path(scratch)
        store = args.store or _imported(args.works, args.seed, folder)
        other = _checkout(args.against, folder) if args.against else None
        try:
            for run in range(1, args.runs + 1):
                if other is not None:
                    print(_row(f"run {run} {args.against}", derive_once(store, None, other)))
                for count in counts:
                    found = derive_once(store, count, None)
                    print(_row(f"run {run} now, {count} worker(s)", found))
        finally:
            if other is not None:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                    check=False,
                    capture_output=True,
                )
        if args.reads:
            reads(store)


if __name__ == "__main__":
    main()
