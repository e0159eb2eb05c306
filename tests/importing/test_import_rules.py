"""One failing ledger per blocking rule of ledger.md: rejected, located, store unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from cams_graph.importer import import_paths
from cams_graph.report import ImportReport
from cams_graph.store import Store

from .conftest import read_rows, set_cell, snapshot, write_rows


@pytest.fixture
def store(any_store: Store) -> Store:
    """These tests run on the embedded store and on each server."""
    return any_store


# (case, file, row, column, new value, expected columns of the problem, expected rule or None)
CELL_CASES = [
    ("required cell", "works.csv", 2, "title", "", {"title"}, None),
    ("type outside list", "agreements.csv", 2, "type", "sale", {"type"}, "value-not-in-list"),
    ("kind outside list", "parties.csv", 2, "kind", "human", {"kind"}, "value-not-in-list"),
    ("category outside list", "works.csv", 2, "category", "novel", {"category"}, None),
    ("role outside list", "contributions.csv", 2, "role", "editor", {"role"}, "value-not-in-list"),
    (
        "right code outside list",
        "agreements.csv",
        2,
        "rights",
        "reproduction;printing",
        {"rights"},
        None,
    ),
    (
        "territory outside list",
        "agreements.csv",
        2,
        "territories",
        "WORLD;-ZZ",
        {"territories"},
        None,
    ),
    ("authorship outside list", "works.csv", 2, "authorship", "natrual", {"authorship"}, None),
    ("derivation outside list", "works.csv", 3, "derivation", "remake", {"derivation"}, None),
    ("malformed date", "agreements.csv", 2, "start", "2006-13-01", {"start"}, None),
    ("malformed birth date", "parties.csv", 2, "born", "02/04/1970", {"born"}, None),
    ("malformed boolean", "agreements.csv", 2, "written", "yes", {"written"}, None),
    ("unknown party", "agreements.csv", 2, "grantees", "P9", {"grantees"}, None),
    ("unknown contributor", "contributions.csv", 2, "party_id", "P9", {"party_id"}, None),
    ("unknown contributed work", "contributions.csv", 2, "work_id", "W9", {"work_id"}, None),
    ("unknown agreement", "agreements.csv", 3, "parent", "A9", {"parent"}, None),
    ("unknown source work", "works.csv", 3, "derived_from", "W9", {"derived_from"}, None),
    ("end before start", "agreements.csv", 3, "end", "2009-01-01", {"start", "end"}, None),
    ("died before born", "parties.csv", 5, "died", "1960-01-01", {"born", "died"}, None),
    (
        "derived_from without derivation",
        "works.csv",
        3,
        "derivation",
        "",
        {"derived_from", "derivation"},
        None,
    ),
    ("derived from itself", "works.csv", 3, "derived_from", "W2", {"derived_from"}, None),
    (
        "derivation cycle",
        "works.csv",
        2,
        "derived_from",
        "W2",
        {"derived_from"},
        "derivation-cycle",
    ),
    ("termination without parent", "agreements.csv", 4, "parent", "", {"parent"}, None),
]


def _rejected(store: Store, ledger: Path) -> ImportReport:
    before = snapshot(store)
    report = import_paths(store, [ledger])
    assert report.status == "rejected", report.problems
    assert report.exit_code == 1
    assert snapshot(store) == before, "a rejected batch must store nothing"
    return report


def _assert_located(
    report: ImportReport, file: str, row: int, columns: set[str], rule: str | None
) -> None:
    found = [
        p
        for p in report.violations
        if p.file is not None
        and Path(p.file).name == file
        and p.row == row
        and p.column in columns
        and (rule is None or p.rule == rule)
    ]
    assert found, [(p.file, p.row, p.column, p.rule, p.message) for p in report.problems]
    assert all(p.message for p in found)


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "columns", "rule"),
    [case[1:] for case in CELL_CASES],
    ids=[case[0] for case in CELL_CASES],
)
def test_a_broken_cell_is_rejected_where_it_is(
    store: Store,
    ledger: Path,
    derived: list[Store],
    file: str,
    row: int,
    column: str,
    value: str,
    columns: set[str],
    rule: str | None,
) -> None:
    set_cell(ledger / file, row, column, value)
    _assert_located(_rejected(store, ledger), file, row, columns, rule)
    assert derived == []


def test_missing_required_column(store: Store, ledger: Path) -> None:
    rows = [r[:2] + r[3:] for r in read_rows(ledger / "works.csv")]  # drop "category"
    write_rows(ledger / "works.csv", rows)
    _assert_located(_rejected(store, ledger), "works.csv", 1, {"category"}, "missing-column")


def test_unknown_column_suggests_the_closest_name(store: Store, ledger: Path) -> None:
    set_cell(ledger / "works.csv", 1, "title", "titel")
    report = _rejected(store, ledger)
    _assert_located(report, "works.csv", 1, {"titel"}, "unknown-column")
    assert any("did you mean 'title'" in p.message for p in report.problems)


def test_duplicate_key_in_one_file(store: Store, ledger: Path) -> None:
    rows = read_rows(ledger / "parties.csv")
    write_rows(ledger / "parties.csv", [*rows, ["P1", "Lin Wen again", "person", "", "", ""]])
    report = _rejected(store, ledger)
    _assert_located(report, "parties.csv", 6, {"party_id"}, "duplicate-key")
    assert any("parties.csv:2" in p.message for p in report.problems)


def test_duplicate_key_across_two_folders(store: Store, ledger: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    write_rows(other / "works.csv", [["work_id", "title", "category"], ["W3", "Other", "literary"]])
    before = snapshot(store)
    report = import_paths(store, [ledger, other])
    assert report.status == "rejected"
    assert snapshot(store) == before
    _assert_located(report, "works.csv", 2, {"work_id"}, "duplicate-key")


def test_termination_whose_parent_is_a_termination(store: Store, ledger: Path) -> None:
    rows = read_rows(ledger / "agreements.csv")
    extra = [
        "A4",
        "termination",
        "",
        "",
        "",
        "",
        "",
        "2016-01-01",
        "",
        "",
        "",
        "",
        "A3",
        "",
        "contracts/A4.pdf",
    ]
    write_rows(ledger / "agreements.csv", [*rows, extra])
    _assert_located(_rejected(store, ledger), "agreements.csv", 5, {"parent"}, None)


def test_changed_row_under_a_stored_key(store: Store, ledger: Path, derived: list[Store]) -> None:
    first = import_paths(store, [ledger])
    assert first.status == "stored"
    set_cell(ledger / "works.csv", 2, "title", "The River Bend (revised)")
    report = _rejected(store, ledger)
    _assert_located(report, "works.csv", 2, {"work_id"}, "key-exists")
    assert any(first.batch_id and first.batch_id in p.message for p in report.violations)


def test_a_cycle_through_the_store_is_found(
    store: Store, ledger: Path, tmp_path: Path, derived: list[Store]
) -> None:
    assert import_paths(store, [ledger]).status == "stored"
    more = tmp_path / "more"
    more.mkdir()
    write_rows(
        more / "works.csv",
        [
            ["work_id", "title", "category", "created", "derived_from", "derivation"],
            ["W1", "The River Bend", "literary", "2005-03-01", "W2", "adaptation"],
        ],
    )
    before = snapshot(store)
    report = import_paths(
        store,
        [more / "works.csv"],
    )
    assert report.status == "rejected"
    assert snapshot(store) == before
    assert any(p.rule == "derivation-cycle" for p in report.violations)
