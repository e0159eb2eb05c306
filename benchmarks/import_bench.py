"""Benchmark of `cams import`: triples per second for parse, validate and commit, peak memory.

usage: python benchmarks/import_bench.py [--works 100000] [--pyshacl-works 5000] [--keep DIR]

--pyshacl-works 0 leaves the pyshacl comparison out.

1. Generates a ledger of --works works (`cams generate`), imports it into a
   fresh on-disk store and prints the triples per second of each stage and end to end
   (the title engine's derivation afterwards is not counted: it is the engine's benchmark).
2. Compares with pyshacl over the whole resulting graph: at --pyshacl-works works
   (pyshacl over 100 000 works would run for hours), it times the whole import and
   pyshacl.validate on the store's union graph, and prints the ratio.
Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cams_graph import importer
from cams_graph.generate import generate
from cams_graph.importer import import_paths
from cams_graph.report import ImportReport
from cams_graph.store import EmbeddedStore, open_store


def _import(ledger: Path, store_dir: Path) -> tuple[ImportReport, EmbeddedStore]:
    store = open_store(str(store_dir))
    assert isinstance(store, EmbeddedStore)
    report = import_paths(store, [ledger])
    if report.status != "stored":
        sys.exit(f"the generated ledger was not stored: {report.status} {report.problems[:3]}")
    return report, store


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} triples/s  ({seconds:6.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--pyshacl-works", type=int, default=5_000)
    parser.add_argument("--keep", type=Path, help="keep the ledgers and stores in this folder")
    args = parser.parse_args()
    importer.derive_pending = lambda store, facts=None: None  # type: ignore[assignment]  # not counted
    work = args.keep or Path(tempfile.mkdtemp(prefix="cams-bench-"))
    try:
        ledger = work / f"ledger-{args.works}"
        generate(ledger, args.works, seed=1)
        report, store = _import(ledger, work / f"store-{args.works}")
        store.close()
        n = report.triples_read
        t = report.timings
        total = t["read"] + t["validate"] + t["commit"]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"import of {args.works:,} works: {n:,} triples")
        print(f"  parse+map  {_rate(n, t['read'])}")
        print(f"  validate   {_rate(n, t['validate'])}")
        print(f"  commit     {_rate(n, t['commit'])}")
        print(f"  end to end {_rate(n, total)}")
        print(f"  peak memory (max RSS) {peak:,.0f} MiB")
        if args.pyshacl_works > 0:
            _against_pyshacl(work, args.pyshacl_works)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _against_pyshacl(work: Path, works: int) -> None:
    """The whole import of a small ledger against pyshacl over the graph it leaves."""
    import pyshacl

    from cams_graph.shacl import shapes_graph

    small = work / f"ledger-pyshacl-{works}"
    generate(small, works, seed=2)
    began = time.perf_counter()
    small_report, small_store = _import(small, work / f"store-pyshacl-{works}")
    ours = time.perf_counter() - began
    began = time.perf_counter()
    conforms, _, _ = pyshacl.validate(small_store.oxigraph, shacl_graph=shapes_graph())
    theirs = time.perf_counter() - began
    small_store.close()
    print(
        f"whole import of {works:,} works ({small_report.triples_read:,} "
        f"triples): {ours:.2f} s; pyshacl over the resulting graph: {theirs:.2f} s "
        f"(conforms={conforms}); pyshacl / import = {theirs / ours:.1f}x"
    )


if __name__ == "__main__":
    main()
