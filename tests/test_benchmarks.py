"""The scripts of ``benchmarks/`` still run, on catalogues small enough for the suite.

No figure is checked (timings belong to the scripts, run on a quiet machine): each script
must finish, exit 0 and print the measures the docs quote from it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(script: str, *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_import_bench(tmp_path: Path) -> None:
    out = _run("import_bench.py", "--works", "60", "--pyshacl-works", "0", "--keep", str(tmp_path))
    for step in ("parse+map", "validate", "commit", "end to end", "peak memory"):
        assert step in out


def test_engine_bench(tmp_path: Path) -> None:
    out = _run("engine_bench.py", "--sizes", "50", "--repeat", "1", "--ledgers", str(tmp_path))
    assert "50" in out and "µs" in out


def test_shacl_bench() -> None:
    out = _run("shacl_bench.py", "40", "--no-pyshacl")
    assert "triples" in out


@pytest.mark.timeout(900)
def test_scale_series(tmp_path: Path) -> None:
    plot = tmp_path / "scale.png"
    out = _run(
        "scale.py",
        "--sizes",
        "60",
        "--stores",
        "embedded,oxigraph",
        "--titles",
        "5",
        "--out",
        str(tmp_path / "out"),
        "--plot",
        str(plot),
    )
    rows = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {(row["works"], row["store"]) for row in rows} == {(60, "embedded"), (60, "oxigraph")}
    for row in rows:
        assert row["derive_all_written"] == 0  # the facts did not change: nothing rewritten
        assert row["title_p50_ms"] > 0 and row["http_p50_ms"] > 0
    assert plot.stat().st_size > 0
    assert "embedded" in out and "oxigraph" in out


def test_derive_bench() -> None:
    out = _run("derive_bench.py", "--works", "60", "--runs", "1", "--workers", "1,2", "--reads")
    assert "now, 1 worker(s)" in out and "now, 2 worker(s)" in out
    assert "ms/work" in out and "read" in out and "every predicate" in out
