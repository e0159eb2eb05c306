"""A derivation of every work by worker processes writes what one process writes."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from cams_graph.catalogue import read_all_facts
from cams_graph.derive import derive_all
from cams_graph.engine import clusters
from cams_graph.generate import generate
from cams_graph.importer import import_paths
from cams_graph.namespaces import DERIVED_GRAPH
from cams_graph.store import EmbeddedStore
from cams_graph.workers import derive_slices, worker_count

pytestmark = pytest.mark.skipif(
    not hasattr(__import__("os"), "fork"), reason="worker processes are forked"
)


def _derived(store: EmbeddedStore) -> set[str]:
    graph = NamedNode(str(DERIVED_GRAPH))
    return {str(q.triple) for q in store.oxigraph.quads_for_pattern(None, None, None, graph)}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, set[str]]:
    """A generated catalogue of 400 works, imported (and derived in process)."""
    folder = tmp_path_factory.mktemp("ledger")
    generate(folder, works=400, seed=3)
    store = EmbeddedStore.in_memory()
    import_paths(store, [folder])
    return store, _derived(store)


def test_workers_write_the_same_derived_graph_as_one_process(
    imported: tuple[EmbeddedStore, set[str]],
) -> None:
    store, expected = imported
    assert len(expected) > 5_000
    store.drop_graph(str(DERIVED_GRAPH))
    stats = derive_all(store, slice_size=40, workers=2)
    assert (stats.workers, stats.works, stats.written) == (2, 400, 400)
    assert _derived(store) == expected
    again = derive_all(store, slice_size=40, workers=2)
    assert (again.written, again.unchanged, again.triples) == (0, 400, 0)
    assert _derived(store) == expected


def test_slices_come_back_in_order_with_the_lines_only_of_works_to_write(
    imported: tuple[EmbeddedStore, set[str]],
) -> None:
    store, _ = imported
    catalogue = read_all_facts(store)
    slices = clusters(catalogue)[:30]
    alone = list(derive_slices(catalogue, slices, {}, workers=1))
    digests = {w.iri: w.digest for done in alone for w in done.rendering.works}
    some = dict(list(digests.items())[::2])  # half the works stored as they are
    pooled = list(derive_slices(catalogue, slices, some, workers=2))
    assert [[w.iri for w in d.rendering.works] for d in pooled] == [
        [w.iri for w in d.rendering.works] for d in alone
    ]
    for mine, theirs in zip(pooled, alone, strict=True):
        assert (mine.works, mine.conflicts) == (theirs.works, theirs.conflicts)
        for w, full in zip(mine.rendering.works, theirs.rendering.works, strict=True):
            assert w.digest == full.digest
            assert w.lines == (() if w.iri in some else full.lines)


def test_a_few_works_are_derived_in_process_unless_workers_are_asked_for() -> None:
    assert worker_count(100) == 1
    assert worker_count(100, 2) == 2
    assert worker_count(100, 0) == 1
