"""Batches in the store: RDF form, provenance, re-import, --update, dry run, retract, reports."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from cams_graph.errors import ConflictingStateError, UnknownTermError
from cams_graph.importer import ImportOptions, import_paths
from cams_graph.namespaces import EVERY_WORK, PROVENANCE_GRAPH, SYSTEM_GRAPH, batch_graph
from cams_graph.provenance import list_batches, retract
from cams_graph.report import to_json_dict
from cams_graph.store import Store

from .conftest import REPO, SCENARIOS, set_cell, snapshot, write_rows

SCENARIO_DIRS = sorted(p for p in SCENARIOS.iterdir() if (p / "works.csv").exists())


@pytest.fixture
def store(any_store: Store) -> Store:
    """These tests run on the embedded store and on each server."""
    return any_store


def test_scenarios_are_found() -> None:
    assert len(SCENARIO_DIRS) >= 3


@pytest.mark.parametrize("scenario", SCENARIO_DIRS, ids=[p.name for p in SCENARIO_DIRS])
def test_example_ledgers_import_cleanly(store: Store, scenario: Path, derived: list[Store]) -> None:
    report = import_paths(store, [scenario])
    assert report.status == "stored", [p.message for p in report.violations]
    assert report.violations == []
    assert derived == [store]


def _ask(store: Store, pattern: str) -> bool:
    return store.ask("ASK { " + pattern + " }")


def test_rows_become_the_rdf_form(store: Store, ledger: Path, derived: list[Store]) -> None:
    report = import_paths(store, [ledger])
    graph = f"<{batch_graph(report.batch_id or '')}>"
    for pattern in [
        'work:W2 a cams:Work ; dcterms:identifier "W2" ; dcterms:title "The River Bend (film)" ;'
        " cams:category category:audiovisual ; cams:derivedFrom work:W1 ;"
        ' cams:derivation derivation:filming ; dcterms:created "2012-06-01"^^xsd:date ;'
        " cams:author party:P4 ; cams:initialOwner party:P3",
        'party:P1 a cams:Person ; cams:name "Lin Wen" ; cams:born "1970-04-02"^^xsd:date ;'
        " cams:country territory:CN",
        "party:P2 a cams:Organization",
        "agreement:A1 a cams:Assignment ; cams:grantor party:P1 ; cams:grantee party:P2 ;"
        " cams:right right:reproduction , right:distribution ; cams:territory territory:WORLD ;"
        ' cams:excludedTerritory territory:HK ; cams:signed "2005-12-20"^^xsd:date ;'
        ' cams:written true ; cams:document "contracts/A1.pdf"',
        "agreement:A3 a cams:Termination ; cams:parent agreement:A2",
    ]:
        assert _ask(store, f"GRAPH {graph} {{ {pattern} }}"), pattern
    # absent cells give no triple; defaults are the title engine's
    assert not _ask(store, "agreement:A2 cams:signed ?d")
    assert not _ask(store, "work:W3 cams:authorship ?a")


def test_provenance_of_a_batch(store: Store, ledger: Path, derived: list[Store]) -> None:
    report = import_paths(store, [ledger], ImportOptions(by="Zhang San 张三"))
    assert report.batch_id is not None and re.fullmatch(
        r"\d{8}T\d{6}Z-[0-9a-f]{6}", report.batch_id
    )
    [batch] = list_batches(store)
    assert batch.batch_id == report.batch_id
    assert batch.by == "Zhang San 张三"
    assert batch.created.as_dict() == {"parties": 4, "works": 3, "agreements": 3}
    assert batch.triples == store.graph_sizes()[str(batch_graph(report.batch_id))]
    files = {Path(f.path).name: f for f in batch.files}
    assert set(files) == {"parties.csv", "works.csv", "contributions.csv", "agreements.csv"}
    digest = hashlib.sha256((ledger / "works.csv").read_bytes()).hexdigest()
    assert files["works.csv"].sha256 == digest and files["works.csv"].rows == 3
    assert _ask(
        store,
        f"GRAPH <{PROVENANCE_GRAPH}> {{ ?b a cams:Batch ; prov:wasGeneratedBy ?a ."
        " ?a a cams:Import ; prov:startedAtTime ?s ; prov:endedAtTime ?e ;"
        " prov:wasAssociatedWith ?who ; prov:used ?f . ?f a cams:SourceFile }",
    )
    # a first import: every work waits for derivation, marked with one marker
    pending = {
        r["w"].value
        for r in store.select(
            f"SELECT ?w WHERE {{ GRAPH <{SYSTEM_GRAPH}> {{ ?w cams:derivationPending true }} }}"
        )
    }
    assert pending == {str(EVERY_WORK)}


def test_reimport_is_a_no_op(store: Store, ledger: Path, derived: list[Store]) -> None:
    assert import_paths(store, [ledger]).status == "stored"
    before = snapshot(store)
    again = import_paths(store, [ledger])
    assert again.status == "nothing_new" and again.exit_code == 0
    assert again.unchanged.as_dict() == {"parties": 4, "works": 3, "agreements": 3}
    assert snapshot(store) == before
    assert len(list_batches(store)) == 1
    assert len(derived) == 1


def test_a_new_contribution_to_a_stored_work_is_added(
    store: Store, ledger: Path, tmp_path: Path, derived: list[Store]
) -> None:
    assert import_paths(store, [ledger]).status == "stored"
    extra = tmp_path / "contributions.csv"
    write_rows(
        extra, [["work_id", "party_id", "role"], ["W1", "P1", "author"], ["W3", "P4", "author"]]
    )
    report = import_paths(store, [extra])
    assert report.status == "stored"
    assert report.triples_stored == 1
    assert _ask(
        store, f"GRAPH <{batch_graph(report.batch_id or '')}> {{ work:W3 cams:author party:P4 }}"
    )


def test_update_replaces_the_changed_entity(
    store: Store, ledger: Path, derived: list[Store]
) -> None:
    first = import_paths(store, [ledger])
    set_cell(ledger / "works.csv", 2, "title", "The River Bend (revised)")
    set_cell(ledger / "works.csv", 2, "first_published", "")
    report = import_paths(store, [ledger], ImportOptions(update=True))
    assert report.status == "stored", report.problems
    assert report.updated.as_dict() == {"parties": 0, "works": 1, "agreements": 0}
    assert report.replaced_batches == [first.batch_id]
    titles = [r["t"].value for r in store.select("SELECT ?t WHERE { work:W1 dcterms:title ?t }")]
    assert titles == ["The River Bend (revised)"]
    assert not _ask(store, "work:W1 cams:firstPublished ?d")
    assert _ask(store, "work:W1 cams:author party:P1")  # contributions are kept
    assert _ask(
        store,
        f"GRAPH <{PROVENANCE_GRAPH}> {{ <{batch_graph(report.batch_id or '')}>"
        f" cams:replacedBatch <{batch_graph(first.batch_id or '')}> }}",
    )
    [entry] = [b for b in list_batches(store) if b.batch_id == report.batch_id]
    assert entry.replaced == [first.batch_id]


def test_dry_run_stores_nothing(store: Store, ledger: Path, derived: list[Store]) -> None:
    before = snapshot(store)
    report = import_paths(store, [ledger], ImportOptions(dry_run=True))
    assert report.status == "valid" and report.exit_code == 0
    assert report.triples_stored > 0 and report.batch_id is None
    assert snapshot(store) == before
    assert derived == []


def test_retract_removes_a_batch(store: Store, ledger: Path, derived: list[Store]) -> None:
    before = snapshot(store)
    report = import_paths(store, [ledger])
    result = retract(store, report.batch_id or "")
    assert result.triples == report.triples_stored
    after = snapshot(store)
    pending = (
        f'derivationPending> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> <{SYSTEM_GRAPH}>'
    )
    assert {q for q in after if pending not in q} == before
    assert list_batches(store) == []
    with pytest.raises(UnknownTermError):
        retract(store, report.batch_id or "")


def test_retract_refuses_when_later_batches_refer(
    store: Store, ledger: Path, tmp_path: Path, derived: list[Store]
) -> None:
    first = import_paths(store, [ledger])
    later = tmp_path / "agreements.csv"
    write_rows(
        later,
        [
            [
                "agreement_id",
                "type",
                "grantors",
                "grantees",
                "works",
                "rights",
                "territories",
                "start",
                "document",
            ],
            [
                "A9",
                "non_exclusive_licence",
                "P2",
                "P3",
                "W1",
                "reproduction",
                "CN",
                "2020-01-01",
                "contracts/A9.pdf",
            ],
        ],
    )
    second = import_paths(store, [later])
    assert second.status == "stored", second.problems
    before = snapshot(store)
    with pytest.raises(ConflictingStateError, match=second.batch_id or "-"):
        retract(store, first.batch_id or "")
    assert snapshot(store) == before
    result = retract(store, first.batch_id or "", force=True)
    assert result.dependents == [second.batch_id]
    assert [b.batch_id for b in list_batches(store)] == [second.batch_id]


def test_a_reference_to_a_stored_party_is_fine(
    store: Store, ledger: Path, tmp_path: Path, derived: list[Store]
) -> None:
    assert import_paths(store, [ledger / "parties.csv"]).status == "stored"
    report = import_paths(store, [ledger / "works.csv", ledger / "contributions.csv"])
    assert report.status == "stored", report.problems


# -- the JSON report and its schema ------------------------------------------------------

SCHEMA = json.loads((REPO / "docs" / "import-report.schema.json").read_text(encoding="utf-8"))
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "integer": int,
}


def _check(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """A small JSON Schema checker: the keywords docs/import-report.schema.json uses."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            isinstance(value, _TYPES[t]) and not (t == "integer" and isinstance(value, bool))
            for t in types
        )
        assert ok, f"{where}: {value!r} is not {types}"
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r}"
    if isinstance(value, str) and "minLength" in schema:
        assert len(value) >= schema["minLength"], where
    if isinstance(value, int) and "minimum" in schema:
        assert value >= schema["minimum"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{where}: extra {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{where}[{index}]")


def test_json_report_follows_the_schema(store: Store, ledger: Path, derived: list[Store]) -> None:
    stored = to_json_dict(import_paths(store, [ledger]))
    _check(stored, SCHEMA)
    assert stored["status"] == "stored" and stored["summary"]["created"]["works"] == 3
    set_cell(ledger / "works.csv", 3, "category", "novel")
    rejected = to_json_dict(import_paths(store, [ledger]))
    _check(rejected, SCHEMA)
    assert rejected["status"] == "rejected" and rejected["problems"]
    problem = rejected["problems"][0]
    assert problem["message_zh"]
    with pytest.raises(AssertionError):
        _check({**rejected, "status": "maybe"}, SCHEMA)


def test_the_documented_example_follows_the_schema() -> None:
    text = (REPO / "docs" / "import-report.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert example is not None
    _check(json.loads(example.group(1)), SCHEMA)


def test_shacl_report_is_written_as_turtle(store: Store, ledger: Path, tmp_path: Path) -> None:
    set_cell(ledger / "works.csv", 2, "category", "novel")
    out = tmp_path / "report.ttl"
    import_paths(store, [ledger], shacl_report=out)
    from rdflib import Graph
    from rdflib.namespace import SH

    graph = Graph().parse(out, format="turtle")
    assert any(str(o) == "false" for o in graph.objects(None, SH.conforms))
    assert any(True for _ in graph.subjects(SH.focusNode, None))
    _ = NamedNode  # the store's terms are pyoxigraph's
