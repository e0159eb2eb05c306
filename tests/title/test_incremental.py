"""Incremental derivation: after each import or retract the affected works, and only they,
are derived again — and an import interrupted before its commit record leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad

from cams_graph import importer, materialize
from cams_graph.cli import cli
from cams_graph.derive import derive_all, pending_works
from cams_graph.namespaces import WORK, WRITE_IN_PROGRESS, batch_graph
from cams_graph.store import EmbeddedStore, open_store
from tests.title.helpers import agreement, catalogue, person, work, write_ledger


def _cams(store: Path, *args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(store), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def _title(store: Path, at: str, work_key: str = "W1") -> Any:
    return json.loads(
        _cams(
            store,
            "title",
            work_key,
            "--right",
            "reproduction",
            "--territory",
            "CN",
            "--at",
            at,
            "--format",
            "json",
        )
    )


def _write(folder: Path, name: str, header: str, *rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


AGREEMENT_HEADER = "agreement_id,type,grantors,grantees,works,rights,territories,start,end,parent"


def _base(tmp_path: Path) -> Path:
    cat = catalogue(
        person("P1"),
        person("P2"),
        person("P3"),
        work("W1", "P1"),
        work("W2", "P3"),
        agreement("A1", "assignment", "P1", "P2", start="2010-01-01", document="c"),
    )
    store = tmp_path / "store"
    _cams(store, "import", str(write_ledger(cat, tmp_path / "base")))
    return store


def _non_owner_licence(tmp_path: Path) -> Path:
    """A2: an exclusive licence of W1 from P3, who does not own it (NON_OWNER_GRANT)."""
    return _write(
        tmp_path / "b",
        "agreements.csv",
        AGREEMENT_HEADER,
        "A2,exclusive_licence,P3,P2,W1,reproduction,CN,2012-01-01,,",
    )


def _termination(tmp_path: Path) -> Path:
    """T1: the termination of A1 from 2015-01-01 (W1 reverts to P1)."""
    return _write(
        tmp_path / "t", "agreements.csv", AGREEMENT_HEADER, "T1,termination,,,,,,2015-01-01,,A1"
    )


def test_a_later_termination_rederives_the_works_of_the_agreement_it_ends(tmp_path: Path) -> None:
    store = _base(tmp_path)
    assert _title(store, "2016-01-01")["owners"] == ["P2"]
    _cams(store, "import", str(_termination(tmp_path)))
    answer = _title(store, "2016-01-01")
    assert answer["owners"] == ["P1"]
    assert [e["event"] for e in answer["chain"]] == ["creation", "assignment", "reversion"]


def test_an_updated_death_day_changes_the_term(tmp_path: Path) -> None:
    store = _base(tmp_path)
    assert _title(store, "2016-01-01")["expires"] is None
    parties = _write(
        tmp_path / "u",
        "parties.csv",
        "party_id,name,kind,born,died",
        "P1,Person P1,person,,1970-05-01",
    )
    _cams(store, "import", str(parties), code=1)  # a changed row needs --update
    _cams(store, "import", "--update", str(parties))
    assert _title(store, "2016-01-01")["expires"] == "2020-12-31"


def test_retract_removes_the_conflicts_of_the_batch(tmp_path: Path) -> None:
    store = _base(tmp_path)
    out = _cams(store, "import", "--format", "json", str(_non_owner_licence(tmp_path)))
    batch = json.loads(out)["batch"]
    conflicts = json.loads(_cams(store, "conflicts", "--format", "json"))
    assert [(c["code"], c["agreement"]) for c in conflicts] == [("NON_OWNER_GRANT", "A2")]
    _cams(store, "retract", batch)
    assert json.loads(_cams(store, "conflicts", "--format", "json")) == []
    assert _title(store, "2016-01-01")["owners"] == ["P2"]


def test_an_import_interrupted_before_its_record_leaves_nothing(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    store = open_store(location)
    graph = str(batch_graph("20260101T000000Z-abcdef"))
    store.bulk_add(
        [
            Quad(
                NamedNode("https://example.org/w"),
                NamedNode("https://example.org/p"),
                Literal("half a batch"),
                NamedNode(graph),
            )
        ]
    )
    assert graph in store.graph_sizes()
    store.close()
    reopened = open_store(location)
    assert graph not in reopened.graph_sizes()
    reopened.close()


def test_a_derivation_interrupted_between_its_deletions_and_additions_is_finished_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _base(tmp_path / "clean")
    _cams(expected, "import", str(_termination(tmp_path / "clean")))
    store = _base(tmp_path)
    monkeypatch.setattr(materialize, "ATOMIC_LIMIT", 0)  # every write in several steps

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies after the old triples were deleted

    monkeypatch.setattr(EmbeddedStore, "bulk_load", crash)
    assert "Aborted" in _cams(store, "import", str(_termination(tmp_path)), code=1)
    monkeypatch.undo()
    opened = open_store(str(store))
    assert str(WRITE_IN_PROGRESS) in pending_works(opened)
    opened.close()
    for day in ("2012-01-01", "2016-01-01"):
        assert _title(store, day) == _title(expected, day)
    reopened = open_store(str(store))
    assert pending_works(reopened) == set()
    reopened.close()


def test_a_full_derivation_of_unchanged_facts_writes_nothing(tmp_path: Path) -> None:
    store = open_store(str(_base(tmp_path)))
    stats = derive_all(store)
    assert (stats.works, stats.unchanged, stats.written, stats.triples) == (2, 2, 0, 0)
    store.close()


def test_markers_left_by_an_interrupted_import_are_honoured_by_every_reading_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _base(tmp_path)
    # killed after its commit, before the derivation
    monkeypatch.setattr(importer, "derive_pending", lambda store, facts=None: None)
    _cams(store, "import", str(_non_owner_licence(tmp_path)))
    monkeypatch.undo()
    opened = open_store(str(store))
    assert str(WORK["W1"]) in pending_works(opened)
    opened.close()
    conflicts = json.loads(_cams(store, "conflicts", "--format", "json"))
    assert [(c["code"], c["agreement"]) for c in conflicts] == [("NON_OWNER_GRANT", "A2")]
