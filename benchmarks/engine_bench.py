"""Benchmark of the title engine alone: microseconds per work of ``derive()``, no store.

usage: python benchmarks/engine_bench.py [--sizes 1000,10000,100000] [--seed 1] [--repeat 3]
                                         [--ledgers DIR] [--against REV]
                                         [--save-reference DIR] [--check-reference DIR]
                                         [--reference-sizes 1000,10000] [--reference-seeds 1,2]

For each size N it generates a ledger of N works (``cams generate``, defects
5 %; kept in ``--ledgers`` and reused), reads it straight into a
:class:`~cams_graph.facts.Catalogue` (no store, no validation: the reader
below), and times ``derive(catalogue)`` of every work, ``--repeat`` times, with
the garbage collector as the process has it. Each run starts from a catalogue
whose derived indexes are emptied, so building them is counted. It prints the
best and median wall-clock µs per work and the best CPU µs per work (the
process's own time: steadier when other jobs share the cores), each with its
growth from one size to the next (1.00 = linear).

``--against REV`` also times the engine of the git revision ``REV``
(``engine.py``, ``cells.py`` and ``protection.py`` of that revision, loaded as
a package of their own beside the current one), alternating the runs, prints
the speed-up, and checks that both give the same derivation.

``--save-reference DIR`` pickles the derivation of each reference ledger
(``--reference-sizes`` × ``--reference-seeds``) in ``DIR``; ``--check-reference
DIR`` derives them again and exits with status 1 unless every one is equal to
its pickle. A derivation is pickled in a plain form (tuples of strings, numbers
and dates, in the derivation's order: works, records, events, licences,
conflicts, messages), so that a reference stays readable when the engine's
classes change.
"""

from __future__ import annotations

import argparse
import csv
import gc
import importlib
import importlib.util
import pickle
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import astuple
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from cams_graph.engine import derive
from cams_graph.facts import Agreement, Catalogue, Party, Work
from cams_graph.generate import generate

ROOT = Path(__file__).resolve().parent.parent
Derive = Callable[[Catalogue], Any]


# -- ledgers and catalogues ------------------------------------------------------


def ledger(folder: Path, works: int, seed: int) -> Path:
    """The generated ledger of ``works`` works and ``seed``, generated once in ``folder``."""
    out = folder / f"ledger-{works}-{seed}"
    if not (out / "parties.csv").exists():  # parties.csv is written last
        generate(out, works, seed)
    return out


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _keys(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(";") if k)


def _flag(text: str) -> bool | None:
    return None if not text else text == "true"


def read_catalogue(folder: Path) -> Catalogue:
    """A generated ledger read straight into the engine's facts (no store, no validation)."""
    cat = Catalogue()
    for r in _rows(folder, "parties.csv"):
        cat.parties[r["party_id"]] = Party(
            r["party_id"], r["kind"], r["name"], _day(r["born"]), _day(r["died"])
        )
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(folder, "contributions.csv"):
        roles[r["work_id"]][r["role"]].append(r["party_id"])
    for r in _rows(folder, "works.csv"):
        got = roles[r["work_id"]]
        cat.works[r["work_id"]] = Work(
            r["work_id"],
            r["category"],
            r["title"],
            _day(r["created"]),
            _day(r["first_published"]),
            r["authorship"] or "natural",
            r["derived_from"] or None,
            r["derivation"] or None,
            tuple(sorted(got["author"])),
            tuple(sorted(got["owner"])),
        )
    for r in _rows(folder, "agreements.csv"):
        places = _keys(r["territories"])
        cat.agreements[r["agreement_id"]] = Agreement(
            r["agreement_id"],
            r["type"],
            _keys(r["grantors"]),
            _keys(r["grantees"]),
            _keys(r["works"]),
            _keys(r["rights"]),
            tuple(p for p in places if not p.startswith("-")),
            tuple(p[1:] for p in places if p.startswith("-")),
            _day(r["start"]) or date.min,
            _day(r["end"]),
            _day(r["signed"]),
            _flag(r["written"]),
            _flag(r["sublicensable"]),
            r["parent"] or None,
            r["registration"] or None,
            r["document"] or None,
        )
    cat.derived.clear()
    return cat


# -- the engine of another revision ------------------------------------------------


def engine_of(rev: str, folder: Path) -> ModuleType:
    """The title engine of git revision ``rev``, loaded as the package ``cams_engine_<rev>``.

    Its ``engine.py``, ``cells.py`` and ``protection.py`` are copied to ``folder``;
    the modules they import from the rest of the package are today's.
    """
    name = "cams_engine_" + re.sub(r"\W", "_", rev)
    package = folder / name
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for module in ("engine", "cells", "protection"):
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:cams_graph/{module}.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        text = re.sub(
            r"^from \.(?!cells\b|protection\b)(\w+) import",
            r"from cams_graph.\1 import",
            text,
            flags=re.MULTILINE,
        )
        (package / f"{module}.py").write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[name])
    return importlib.import_module(f"{name}.engine")


# -- a derivation in plain values --------------------------------------------------


def plain(derivation: Any) -> tuple[Any, ...]:
    """Everything a derivation holds, in its order, as tuples of plain values.

    Works in the order of ``derivation.works``; per work its facts, term,
    records and moral records (rights, territories, events, licences); then
    the conflicts with every field, message included.
    """
    works = tuple(
        (
            key,
            astuple(title.work),
            title.expires,
            tuple(astuple(record) for record in title.records),
            tuple(astuple(record) for record in title.moral),
        )
        for key, title in derivation.works.items()
    )
    return works, tuple(astuple(c) for c in derivation.conflicts)


def _reference_path(folder: Path, works: int, seed: int) -> Path:
    return folder / f"derivation-{works}-{seed}.pickle"


def _first_difference(a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
    """Where two plain derivations first differ, in words."""
    for part, (x, y) in zip(("works", "conflicts"), zip(a, b, strict=True), strict=True):
        if len(x) != len(y):
            return f"{part}: {len(x)} against {len(y)}"
        for k, (u, v) in enumerate(zip(x, y, strict=True)):
            if u != v:
                return f"{part}[{k}]:\n  got      {str(u)[:600]}\n  expected {str(v)[:600]}"
    return "none"


# -- timing ---------------------------------------------------------------------------


def _time(run: Derive, catalogue: Catalogue) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one derivation, and its result."""
    catalogue.derived.clear()
    gc.collect()
    began, cpu = time.perf_counter(), time.process_time()
    result = run(catalogue)
    return time.perf_counter() - began, time.process_time() - cpu, result


def _us(seconds: float, works: int) -> float:
    return seconds / works * 1e6


def bench(args: argparse.Namespace, folder: Path) -> int:
    """Time every size; returns the exit status (1 when the two engines disagree)."""
    engines: dict[str, Derive] = {"current": derive}
    if args.against:
        engines[args.against] = engine_of(args.against, folder / "engines").derive
    status = 0
    previous: dict[str, tuple[float, float]] = {}
    print(
        f"{'works':>8} {'agreements':>10} {'engine':>10} {'µs/work':>8} {'median':>8} "
        f"{'growth':>7} {'speed-up':>8} {'CPU µs/work':>11} {'growth':>7} {'speed-up':>8}"
    )
    for size in args.sizes:
        catalogue = read_catalogue(ledger(folder, size, args.seed))
        wall: dict[str, list[float]] = {name: [] for name in engines}
        cpu: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(args.repeat):
            for name, run in engines.items():
                seconds, cpu_seconds, result = _time(run, catalogue)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
                del result
        for name in engines:
            best, best_cpu = _us(min(wall[name]), size), _us(min(cpu[name]), size)
            median = _us(statistics.median(wall[name]), size)
            growth, growth_cpu = f"{'':7}", f"{'':7}"
            if name in previous:
                growth = f"{best / previous[name][0]:7.2f}"
                growth_cpu = f"{best_cpu / previous[name][1]:7.2f}"
            speedup = speedup_cpu = ""
            if name != "current":
                speedup = f"{min(wall[name]) / min(wall['current']):7.2f}×"
                speedup_cpu = f"{min(cpu[name]) / min(cpu['current']):7.2f}×"
            print(
                f"{size:>8,} {len(catalogue.agreements):>10,} {name:>10} {best:>8,.1f} "
                f"{median:>8,.1f} {growth} {speedup:>8} {best_cpu:>11,.1f} {growth_cpu} "
                f"{speedup_cpu:>8}",
                flush=True,
            )
            previous[name] = (best, best_cpu)
        if len(engines) > 1:  # compared after the timed runs, so that no run holds the others'
            current = plain(derive(catalogue))
            for name, run in engines.items():
                if name == "current":
                    continue
                other = plain(run(catalogue))
                if current != other:
                    status = 1
                    print(f"  DIFFERENT from {name}: {_first_difference(current, other)}")
                else:
                    print(f"  same derivation as {name}")
                del other
            del current
        del catalogue
    return status


def references(args: argparse.Namespace, folder: Path) -> int:
    """Save or check the reference derivations; returns the exit status."""
    status = 0
    for size in args.reference_sizes:
        for seed in args.reference_seeds:
            catalogue = read_catalogue(ledger(folder, size, seed))
            got = plain(derive(catalogue))
            if args.save_reference:
                path = _reference_path(args.save_reference, size, seed)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(pickle.dumps(got, protocol=pickle.HIGHEST_PROTOCOL))
                print(f"saved {path}: {len(got[0])} works, {len(got[1])} conflicts")
            if args.check_reference:
                path = _reference_path(args.check_reference, size, seed)
                expected = pickle.loads(path.read_bytes())
                if got == expected:
                    print(f"equal to {path}: {len(got[0])} works, {len(got[1])} conflicts")
                else:
                    status = 1
                    print(f"DIFFERENT from {path}: {_first_difference(got, expected)}")
    return status


def _numbers(text: str) -> list[int]:
    return [int(n) for n in text.split(",") if n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_numbers, default=[1000, 10000, 100000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs per size and engine.")
    parser.add_argument("--ledgers", type=Path, help="Keep (and reuse) the ledgers here.")
    parser.add_argument("--against", metavar="REV", help="Also time the engine of this revision.")
    parser.add_argument("--save-reference", type=Path, metavar="DIR")
    parser.add_argument("--check-reference", type=Path, metavar="DIR")
    parser.add_argument("--reference-sizes", type=_numbers, default=[1000, 10000])
    parser.add_argument("--reference-seeds", type=_numbers, default=[1, 2])
    args = parser.parse_args()
    folder = args.ledgers or Path(tempfile.mkdtemp(prefix="cams-engine-bench-"))
    status = 0
    if args.save_reference or args.check_reference:
        status |= references(args, folder)
    if args.sizes:
        status |= bench(args, folder)
    sys.exit(status)


if __name__ == "__main__":
    main()
