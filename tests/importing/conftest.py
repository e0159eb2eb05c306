"""Fixtures of the import tests: an in-memory store, a valid base ledger, helpers."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cams_graph import importer
from cams_graph.store import EmbeddedStore, Store, open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = FIXTURES / "base"
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store with the ontology installed."""
    opened = open_store(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def any_store(store_location: str) -> Iterator[Store]:
    """A fresh store of each kind: embedded, Oxigraph server, Virtuoso (tests/conftest.py)."""
    opened = open_store(store_location)
    yield opened
    opened.close()


@pytest.fixture
def derived(monkeypatch: pytest.MonkeyPatch) -> list[Store]:
    """Record the calls to the title engine instead of running it (it is tested on its own)."""
    calls: list[Store] = []
    monkeypatch.setattr(importer, "derive_pending", lambda store, facts=None: calls.append(store))
    return calls


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A copy of the valid base ledger that a test may change."""
    target = tmp_path / "ledger"
    shutil.copytree(BASE, target)
    return target


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell, addressed as a spreadsheet shows it (row 2 is the first data row)."""
    rows = read_rows(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def snapshot(store: Store) -> set[str]:
    """Every quad of the store as text (the stores of these tests are small).

    On a server: every quad of the cams-graph graphs (a server keeps graphs of its own).
    """
    if not isinstance(store, EmbeddedStore):
        found = store.select(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/cams-graph/")) }'
        )
        return {f"{r['s']} {r['p']} {r['o']} {r['g']}" for r in found}
    return {str(q) for q in store.oxigraph}
