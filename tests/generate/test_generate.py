"""``cams generate``: deterministic, realistic, importable, with every conflict code on demand."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cams_graph.cli import cli
from cams_graph.engine import derive
from cams_graph.facts import Agreement, Catalogue, Party, Work
from cams_graph.generate import DEFECT_CODES, generate
from cams_graph.vocabularies import CONFLICT_CODES

TABLES = ("parties.csv", "works.csv", "contributions.csv", "agreements.csv")


def _cams(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _catalogue(folder: Path) -> Catalogue:
    """The ledger read straight into the title engine's facts (no store, no validation)."""

    def day(text: str) -> date | None:
        return date.fromisoformat(text) if text else None

    def keys(text: str) -> tuple[str, ...]:
        return tuple(k for k in text.split(";") if k)

    def flag(text: str) -> bool | None:
        return None if not text else text == "true"

    cat = Catalogue()
    for r in _rows(folder, "parties.csv"):
        cat.add(Party(r["party_id"], r["kind"], r["name"], day(r["born"]), day(r["died"])))
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(folder, "contributions.csv"):
        roles[r["work_id"]][r["role"]].append(r["party_id"])
    for r in _rows(folder, "works.csv"):
        got = roles[r["work_id"]]
        cat.add(
            Work(
                r["work_id"],
                r["category"],
                r["title"],
                day(r["created"]),
                day(r["first_published"]),
                r["authorship"] or "natural",
                r["derived_from"] or None,
                r["derivation"] or None,
                tuple(sorted(got["author"])),
                tuple(sorted(got["owner"])),
            )
        )
    for r in _rows(folder, "agreements.csv"):
        places = keys(r["territories"])
        start = day(r["start"])
        assert start is not None
        cat.add(
            Agreement(
                r["agreement_id"],
                r["type"],
                keys(r["grantors"]),
                keys(r["grantees"]),
                keys(r["works"]),
                keys(r["rights"]),
                tuple(p for p in places if not p.startswith("-")),
                tuple(p[1:] for p in places if p.startswith("-")),
                start,
                day(r["end"]),
                day(r["signed"]),
                flag(r["written"]),
                flag(r["sublicensable"]),
                r["parent"] or None,
                r["registration"] or None,
                r["document"] or None,
            )
        )
    return cat


def test_same_seed_same_ledger(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", works=300, seed=11)
    second = generate(tmp_path / "b", works=300, seed=11)
    other = generate(tmp_path / "c", works=300, seed=12)
    assert first == second
    for name in TABLES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "agreements.csv").read_bytes() != (
        tmp_path / "c" / "agreements.csv"
    ).read_bytes()
    assert other.works == 300


def test_ledger_shape(tmp_path: Path) -> None:
    stats = generate(tmp_path, works=2000, seed=5)
    works = _rows(tmp_path, "works.csv")
    agreements = _rows(tmp_path, "agreements.csv")
    assert len(works) == stats.works == 2000
    assert len(agreements) == stats.agreements
    assert 4.5 <= len(agreements) / len(works) <= 5.5, "about five agreements per work"
    kinds = Counter(a["type"] for a in agreements)
    for kind in (
        "assignment",
        "succession",
        "exclusive_licence",
        "sole_licence",
        "non_exclusive_licence",
        "pledge",
        "termination",
    ):
        assert kinds[kind] > 0, kind
    assert any(a["parent"] and a["type"] != "termination" for a in agreements), "sublicences"
    assert any(len(a["works"].split(";")) > 1 for a in agreements), "catalogue deals"
    assert any(w["derived_from"] for w in works), "derivatives"
    authors = Counter(r["party_id"] for r in _rows(tmp_path, "contributions.csv"))
    assert max(authors.values()) >= 10, "a long tail: some parties own large catalogues"
    multi = Counter(
        r["work_id"] for r in _rows(tmp_path, "contributions.csv") if r["role"] == "author"
    )
    assert any(n > 1 for n in multi.values()), "co-authors"
    assert sum(stats.defects.values()) > 0


def test_without_defects_there_is_no_conflict(tmp_path: Path) -> None:
    generate(tmp_path, works=1500, seed=21, defects=0)
    derivation = derive(_catalogue(tmp_path))
    assert [(c.code, c.agreement, c.message) for c in derivation.conflicts] == []


def test_defects_are_spread_over_every_code(tmp_path: Path) -> None:
    stats = generate(tmp_path, works=3000, seed=2, defects=0.1)
    assert set(stats.defects) == set(DEFECT_CODES) == set(CONFLICT_CODES)
    assert all(n > 0 for n in stats.defects.values()), stats.defects
    found = Counter(c.code for c in derive(_catalogue(tmp_path)).conflicts)
    assert set(found) == set(CONFLICT_CODES), found


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, works=0, seed=1)
    with pytest.raises(ValueError):
        generate(tmp_path, works=10, seed=1, defects=1.5)
    result = _cams("generate", "--works", "0", str(tmp_path))
    assert result.exit_code == 2


def test_cli(tmp_path: Path) -> None:
    result = _cams("generate", "--works", "40", "--seed", "3", "--defects", "0", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote 40 works, ")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)


@pytest.mark.slow
def test_imports_and_every_code_appears(tmp_path: Path) -> None:
    """N ≈ 2 000 imports (exit 0), and ``cams conflicts`` shows every conflict code."""
    ledger = tmp_path / "ledger"
    generate(ledger, works=2000, seed=1)
    store = str(tmp_path / "store")
    imported = _cams("--store", store, "import", "--format", "json", str(ledger))
    assert imported.exit_code == 0, imported.output[-2000:]
    report = json.loads(imported.output)
    assert report["status"] == "stored"
    shown = _cams("--store", store, "conflicts", "--format", "json")
    assert shown.exit_code == 0
    codes = Counter(c["code"] for c in json.loads(shown.output))
    assert set(codes) == set(CONFLICT_CODES), codes
