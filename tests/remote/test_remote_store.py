"""The Store interface on every kind of store, and what only a remote store does (staging)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Triple

from cams_graph import store as store_module
from cams_graph.errors import QuerySyntaxError, StoreError
from cams_graph.remote import STAGED_AT, STAGING_PREFIX, RemoteConfig, RemoteStore
from cams_graph.store import Store, open_store

EX = "https://example.org/"
G1, G2 = EX + "g1", EX + "g2"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _q(s: str, o: str | Literal, g: str) -> Quad:
    obj = o if isinstance(o, Literal) else NamedNode(EX + o)
    return Quad(NamedNode(EX + s), LABEL, obj, NamedNode(g))


def _ours(store: Store) -> dict[str, int]:
    return {g: n for g, n in store.graph_sizes().items() if g.startswith(EX)}


@pytest.fixture
def store(store_location: str) -> Store:
    opened = open_store(store_location)
    yield opened  # type: ignore[misc]
    opened.close()


def test_add_query_and_graphs(store: Store) -> None:
    store.add([_q("a", Literal('River, "Bend"\n河'), G1), _q("b", "a", G2)])
    assert _ours(store) == {G1: 1, G2: 1}
    rows = store.select("SELECT ?s ?l WHERE { ?s rdfs:label ?l }", {"s": NamedNode(EX + "a")})
    assert [r["l"] for r in rows] == [Literal('River, "Bend"\n河')]
    assert store.ask(f"ASK {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}")
    assert not store.ask(f"ASK {{ GRAPH <{G2}> {{ ?s ?p <{EX}nothing> }} }}")
    built = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert not isinstance(built, QuerySolutions)
    assert len(list(built)) == 1


def test_dates_and_booleans_come_back_as_written(store: Store) -> None:
    day = Literal("1955-01-01", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    store.add([_q("a", day, G1), _q("b", Literal(True), G2)])
    rows = store.select(
        f'SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} FILTER(?o <= "2010-12-31"^^xsd:date) }}'
    )
    assert [r["o"] for r in rows] == [day]  # Virtuoso 7.2 needs the <= rewrite for this
    [flag] = store.select(f"SELECT ?o WHERE {{ <{EX}b> ?p ?o }}")
    assert flag["o"].value in ("true", "1")


def test_replace_and_drop_graph(store: Store) -> None:
    store.add([_q("a", "x", G1), _q("b", "x", G1)])
    store.replace_graph(G1, [Triple(NamedNode(EX + "c"), LABEL, Literal("new"))])
    assert [
        r["s"].value for r in store.select(f"SELECT ?s WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    ] == [EX + "c"]
    store.drop_graph(G1)
    assert _ours(store) == {}


def test_drop_a_graph_in_slices(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "DROP_SLICE", 3)
    value = BlankNode()
    store.add(
        [_q(f"s{i}", Literal(f"v{i}"), G1) for i in range(8)]
        + [Quad(NamedNode(EX + "w"), LABEL, value, NamedNode(G1)), _q("kept", "x", G2)]
    )
    store.drop_graph(G1, atomic=False)
    assert _ours(store) == {G2: 1}


def test_load_and_blank_nodes(store: Store) -> None:
    data = (
        b"<https://example.org/w> <https://example.org/v> _:v .\n"
        b'_:v <https://example.org/amount> "12.50" .\n'
    )
    store.load(data, RdfFormat.N_TRIPLES, G1)
    rows = store.select(f"SELECT ?a WHERE {{ <{EX}w> <{EX}v> ?v . ?v <{EX}amount> ?a }}")
    assert [r["a"].value for r in rows] == ["12.50"]


def test_update_with_many_and_blank_triples(store: Store) -> None:
    """Large INSERT DATA parts are staged on a server; blank nodes too (Virtuoso refuses them)."""
    from cams_graph.store import insert_data

    many = [Triple(NamedNode(f"{EX}s{i}"), LABEL, Literal(str(i))) for i in range(5000)]
    node = BlankNode()
    blank = [
        Triple(NamedNode(EX + "w"), NamedNode(EX + "v"), node),
        Triple(node, NamedNode(EX + "amount"), Literal("1")),
    ]
    store.update(
        f"DROP SILENT GRAPH <{G2}> ;\n" + insert_data(G1, many) + " ;\n" + insert_data(G2, blank)
    )
    assert _ours(store) == {G1: 5000, G2: 2}
    assert store.select(f"SELECT ?a WHERE {{ <{EX}w> <{EX}v> ?v . ?v <{EX}amount> ?a }}")


def test_bindings_in_updates(store: Store) -> None:
    store.add([_q("a", "x", G1)])
    store.update(
        f"DELETE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} WHERE {{ #BIND\n GRAPH <{G1}> {{ ?s ?p ?o }} }}",
        {"s": NamedNode(EX + "a")},
    )
    assert _ours(store) == {}


def test_dump(store: Store) -> None:
    store.add([_q("a", "x", G1)])
    out = io.BytesIO()
    store.dump(out)
    assert f"<{EX}a> <{LABEL.value}> <{EX}x> <{G1}> .".encode() in out.getvalue()


def test_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.select("SELECT ?s WHERE { ?s ?p }")


# -- only on servers -------------------------------------------------------------------


@pytest.fixture
def remote(server_location: str) -> RemoteStore:
    store = open_store(server_location)
    assert isinstance(store, RemoteStore)
    return store


def test_large_results_are_read_whole(remote: RemoteStore) -> None:
    """Virtuoso cuts results at ResultSetMaxRows (10 000 by default): they are paged."""
    remote.bulk_add(_q(f"s{i}", Literal(str(i)), G1) for i in range(10_050))
    rows = remote.select(f"SELECT ?s WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert len(rows) == 10_050


def test_staged_triples_are_hidden_and_left_ones_dropped(remote: RemoteStore) -> None:
    graph = f"{STAGING_PREFIX}left-by-a-crash:0"
    remote._upload(graph, [_q("hidden", "x", G1)])
    assert not remote.ask(f"ASK {{ <{EX}hidden> rdfs:label ?o }}")
    assert remote.ask(f"ASK {{ GRAPH <{graph}> {{ <{graph}> <{STAGED_AT}> ?t }} }}")
    assert graph in remote.staging_graphs()
    assert remote.drop_stale_staging(older_than=3600) == []  # too young to be left behind
    assert remote.drop_stale_staging(older_than=0) == [graph]
    assert remote.staging_graphs() == {}


def test_a_failed_add_leaves_nothing(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real = remote._send

    def fail_on_commit(text: str, **kw: object) -> object:
        if "INSERT { GRAPH ?target" in text:
            raise StoreError("the server went away")
        return real(text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(remote, "_send", fail_on_commit)
    with pytest.raises(StoreError, match="nothing was stored"):
        remote.add([_q("a", "x", G1), _q("b", "x", G2)])
    monkeypatch.undo()
    assert _ours(remote) == {}
    assert remote.staging_graphs() == {}


@pytest.mark.server
def test_wrong_credentials_are_a_store_error(store_servers: Any, tmp_path: Path) -> None:
    """Virtuoso takes updates with HTTP digest authentication (Oxigraph server has none)."""
    target = store_servers.target("virtuoso", tmp_path)
    config = RemoteConfig.from_environment(target.location, target.environ)
    assert config.user
    env = {
        "CAMS_STORE_USER": config.user,
        "CAMS_STORE_PASSWORD": "wrong",
        "CAMS_STORE_AUTH": config.auth or "basic",
        "CAMS_STORE_UPDATE_URL": config.update_url,
    }
    bad = RemoteStore.from_environment(config.query_url, env, drop_stale=False)
    with pytest.raises(StoreError):
        bad.drop_graph(G1)


def test_configuration_from_the_environment() -> None:
    config = RemoteConfig.from_environment(
        "https://db.example.org/sparql",
        {
            "CAMS_STORE_USER": "u",
            "CAMS_STORE_PASSWORD": "p",
            "CAMS_STORE_AUTH": "Digest",
            "CAMS_STORE_GRAPH_STORE_URL": "https://db.example.org/gsp",
        },
        update_url="https://db.example.org/update",
    )
    assert (config.auth, config.user, config.update_url, config.graph_store_url) == (
        "digest",
        "u",
        "https://db.example.org/update",
        "https://db.example.org/gsp",
    )
    assert "password" not in repr(config)
    with pytest.raises(StoreError):
        RemoteConfig.from_environment("https://x/sparql", {"CAMS_STORE_AUTH": "kerberos"})
