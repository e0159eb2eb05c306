"""The documented queries of queries/ give a SPARQL endpoint consumer the answers of the command.

`cams title` reads a work's derived nodes in one query and picks the cell in Python;
title-status.rq, title-owners.rq, title-chain.rq, title-licences.rq and title-conflicts.rq answer
the same questions one at a time, as a consumer would ask them. conflicts.rq is what
`cams conflicts` runs. Checked on the example scenarios and on a generated catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode

from cams_graph.cli import cli
from cams_graph.generate import generate
from cams_graph.namespaces import RIGHT, TERRITORY, XSD
from cams_graph.resources import query_text
from cams_graph.store import Row, Store, bind_values, open_store, row_text, values_rows

SCENARIOS = sorted(p for p in (Path(__file__).parents[1] / "scenarios").iterdir() if p.is_dir())
EVENTS = {
    "CreationEvent": "creation",
    "AssignmentEvent": "assignment",
    "SuccessionEvent": "succession",
    "ReversionEvent": "reversion",
}
LICENCES = {
    "ExclusiveLicence": "exclusive_licence",
    "SoleLicence": "sole_licence",
    "NonExclusiveLicence": "non_exclusive_licence",
}
RIGHTS = ("reproduction", "filming", "information_network", "screening", "attribution")
TERRITORIES = ("CN", "US", "HK")


def _keys(row: Row, name: str) -> list[str]:
    value = row_text(row, name)
    return sorted(value.split()) if value else []


def _local(iri: str | None) -> str:
    return (iri or "").rsplit("#", 1)[-1]


def by_documented_queries(store: Store, work: str, right: str, territory: str, at: str) -> Any:
    """A consumer's answer: the five documented title queries, run one by one."""
    terms = {
        "work": Literal(work),
        "right": NamedNode(str(RIGHT[right])),
        "territory": NamedNode(str(TERRITORY[territory])),
        "at": Literal(at, datatype=NamedNode(str(XSD.date))),
    }

    def run(name: str, names: tuple[str, ...] = ("work", "right", "territory", "at")) -> list[Row]:
        clause = values_rows(list(names), [[terms[n] for n in names]])
        return store.select(bind_values(query_text(name), clause))

    (status_row,) = run("title-status", ("work", "right", "at"))
    status = row_text(status_row, "status")
    chain = [
        {
            "event": EVENTS[_local(row_text(r, "class"))],
            "agreement": row_text(r, "agreement"),
            "from": _keys(r, "from"),
            "to": _keys(r, "to"),
            "date": row_text(r, "date"),
        }
        for r in sorted(run("title-chain"), key=lambda r: int(r["sequence"].value))
    ]
    licences = [
        {
            "agreement": row_text(r, "agreement"),
            "type": LICENCES[_local(row_text(r, "class"))],
            "grantors": _keys(r, "grantors"),
            "grantees": _keys(r, "grantees"),
            "start": row_text(r, "start"),
            "end": row_text(r, "end"),
            "parent": row_text(r, "parent"),
        }
        for r in sorted(run("title-licences"), key=lambda r: int(r["sequence"].value))
    ]
    conflicts = sorted(
        (row_text(r, "code"), row_text(r, "agreement"), _keys(r, "related"), _keys(r, "works"))
        for r in run("title-conflicts", ("work", "right", "territory"))
    )
    return {
        "status": status,
        "expires": row_text(status_row, "expires"),
        "owners": sorted({r["owner"].value for r in run("title-owners")}),
        "chain": chain if status != "not_created" else [],
        "licences": licences if status == "protected" else [],
        "conflicts": conflicts,
    }


def _command(location: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(location), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _compare(location: Path, works: list[str], days: list[str]) -> int:
    store = open_store(str(location))
    answers = []
    try:
        for work in works:
            for right in RIGHTS:
                for territory in TERRITORIES:
                    for day in days:
                        answers.append(
                            (
                                (work, right, territory, day),
                                by_documented_queries(store, work, right, territory, day),
                            )
                        )
    finally:
        store.close()
    for (work, right, territory, day), theirs in answers:
        ours = _command(
            location, "title", work, "--right", right, "--territory", territory, "--at", day
        )
        ours["conflicts"] = sorted(
            (c["code"], c["agreement"], c["related"], c["works"]) for c in ours["conflicts"]
        )
        assert {k: ours[k] for k in theirs} == theirs, (work, right, territory, day)
    return len(answers)


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_documented_title_queries_answer_as_the_command(folder: Path, tmp_path: Path) -> None:
    location = tmp_path / "store"
    CliRunner().invoke(cli, ["--store", str(location), "import", str(folder)])
    days = sorted({q[3] for q in json.loads((folder / "queries.json").read_text())})
    works = sorted({q[0] for q in json.loads((folder / "queries.json").read_text())})
    assert _compare(location, works, [*days, "1990-01-01", "2040-06-30"]) > 0


def test_documented_queries_on_a_generated_catalogue(tmp_path: Path) -> None:
    generate(tmp_path / "ledger", 40, seed=11)
    location = tmp_path / "store"
    result = CliRunner().invoke(cli, ["--store", str(location), "import", str(tmp_path / "ledger")])
    assert result.exit_code == 0, result.output
    works = [f"W{i:05d}" for i in range(1, 41, 5)]
    store = open_store(str(location))
    known = {
        r["k"].value
        for r in store.select("SELECT ?k WHERE { ?w cams:category ?c ; dcterms:identifier ?k }")
    }
    store.close()
    assert (
        _compare(
            location,
            [w for w in works if w in known] or sorted(known)[:6],
            ["2005-06-30", "2016-01-01", "2024-03-01"],
        )
        > 0
    )


def test_conflicts_query_is_the_command(tmp_path: Path) -> None:
    generate(tmp_path / "ledger", 200, seed=5, defects=0.3)
    location = tmp_path / "store"
    CliRunner().invoke(cli, ["--store", str(location), "import", str(tmp_path / "ledger")])
    ours = _command(location, "conflicts")
    store = open_store(str(location))
    rows = store.select(bind_values(query_text("conflicts"), ""))
    store.close()
    theirs = sorted(
        (
            row_text(r, "code"),
            row_text(r, "agreement") or "",
            _keys(r, "related"),
            _keys(r, "works"),
            row_text(r, "message"),
        )
        for r in rows
    )
    assert len(ours) > 10
    assert (
        sorted(
            (c["code"], c["agreement"] or "", c["related"], c["works"], c["message"]) for c in ours
        )
        == theirs
    )
