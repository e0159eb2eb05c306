"""Large atomic writes on a server: staged in slices, published in steps, never read half done.

Every test runs on the Oxigraph server and on Virtuoso, with slices of a few triples so that
a handful of quads makes a "large" write.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

from cams_graph.errors import StoreError
from cams_graph.remote import (
    _GENERATION,
    LOG_GRAPH,
    PublicationIncompleteError,
    RemoteStore,
)
from cams_graph.store import insert_data, open_store

EX = "https://example.org/"
G1, G2 = EX + "g1", EX + "g2"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SELECT_LABELS = f'SELECT ?s ?o WHERE {{ ?s rdfs:label ?o FILTER(STRSTARTS(STR(?s), "{EX}")) }}'


def _q(s: str, o: str, g: str) -> Quad:
    return Quad(NamedNode(EX + s), LABEL, Literal(o), NamedNode(g))


def _ours(store: RemoteStore) -> dict[str, int]:
    return {g: n for g, n in store.graph_sizes().items() if g.startswith(EX)}


def _raw_count(store: RemoteStore, graph: str) -> int:
    """Triples in ``graph`` as any client of the server sees them, publication or not."""
    [row] = store._rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(row["n"].value)


def _log(store: RemoteStore) -> list[tuple[str, str]]:
    return [
        (row["p"].value, row["o"].value)
        for row in store._rows(f"SELECT ?p ?o WHERE {{ GRAPH <{LOG_GRAPH}> {{ ?s ?p ?o }} }}")
        if row["p"].value != _GENERATION
    ]


@pytest.fixture
def remote(server_location: str) -> RemoteStore:
    opened = open_store(server_location)
    assert isinstance(opened, RemoteStore)
    return opened


def _small(store: RemoteStore, **changes: Any) -> RemoteStore:
    """The same server, with slices of three triples and no grace (unless told)."""
    config = dataclasses.replace(store.config, publish_slice=3, stage_above=2, grace=0.0, **changes)
    small = RemoteStore(config)
    small.dialect = store.dialect
    return small


def _sent(store: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the text of every update request ``store`` sends."""
    texts: list[str] = []
    real = store._send

    def spy(text: str, **kw: Any) -> Any:
        if kw.get("update"):
            texts.append(text)
        return real(text, **kw)

    monkeypatch.setattr(store, "_send", spy)
    return texts


def _cut_after(store: RemoteStore, steps: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``store``'s publications stop (as if killed) after ``steps`` steps."""
    real = store._finish

    def finish(publication: str, named: Any = None) -> None:
        if named is None:
            return real(publication)
        real_send, done = store._send, [0]

        def send(text: str, **kw: Any) -> Any:
            if "urn:cams:step" in text and "DELETE WHERE" in text:
                if done[0] == steps:
                    raise StoreError("the server went away")
                done[0] += 1
            return real_send(text, **kw)

        monkeypatch.setattr(store, "_send", send)
        try:
            real(publication, named)
        finally:
            monkeypatch.setattr(store, "_send", real_send)

    monkeypatch.setattr(store, "_finish", finish)


def test_a_large_add_is_published_in_steps(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _small(remote)
    before = small._log_state()[0]
    sent = _sent(small, monkeypatch)
    small.add(
        [_q(f"a{i}", str(i), G1) for i in range(7)] + [_q(f"b{i}", "x", G2) for i in range(3)]
    )
    assert _ours(remote) == {G1: 7, G2: 3}
    steps = [t for t in sent if "urn:cams:step" in t and "DELETE WHERE" in t]
    assert len(steps) == 4  # G1 in slices of 3, 3 and 1, G2 in one
    assert small.staging_graphs() == {}
    assert _log(small) == []
    assert small._log_state()[0] != before


def test_a_small_add_is_one_request(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    small = _small(remote)
    sent = _sent(small, monkeypatch)
    small.add([_q("a", "1", G1), _q("b", "2", G2)])
    assert _ours(remote) == {G1: 1, G2: 1}
    assert not any("urn:cams:step" in t for t in sent)
    assert sum("INSERT { GRAPH ?target" in t for t in sent) == 1


def test_a_large_update_keeps_its_operations_in_order(remote: RemoteStore) -> None:
    small = _small(remote)
    remote.add([_q("old", "x", G2)])
    node = BlankNode()
    blank = [
        Triple(NamedNode(EX + "w"), NamedNode(EX + "v"), node),
        Triple(node, NamedNode(EX + "amount"), Literal("1")),
    ]
    many = [Triple(NamedNode(f"{EX}s{i}"), LABEL, Literal(str(i))) for i in range(8)]
    small.update(
        f"PREFIX ex: <{EX}>\n"
        f"DROP SILENT GRAPH <{G2}> ;\n"
        + insert_data(G1, many)
        + f' ;\nDELETE DATA {{ GRAPH <{G1}> {{ ex:s0 rdfs:label "0" }} }} # the first one\n;\n'
        + insert_data(G2, blank)
    )
    assert _ours(remote) == {G1: 7, G2: 2}
    assert remote.select(f"SELECT ?a WHERE {{ <{EX}w> <{EX}v> ?v . ?v <{EX}amount> ?a }}")
    assert small.staging_graphs() == {}
    assert _log(small) == []


def test_a_large_replace_drops_the_old_content_first(remote: RemoteStore) -> None:
    remote.add([_q("old", "x", G1)])
    small = _small(remote)
    small.replace_graph(
        G1, [Triple(NamedNode(f"{EX}n{i}"), LABEL, Literal("new")) for i in range(7)]
    )
    assert _ours(remote) == {G1: 7}
    assert not remote.ask(f"ASK {{ <{EX}old> ?p ?o }}")


def test_readers_never_see_half_a_publication(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer killed half way: its steps so far are there for any client of the server,
    but a cams reader waits for the rest, and finishes it once the writer is taken as dead."""
    writer = _small(remote)
    _cut_after(writer, 2, monkeypatch)
    with pytest.raises(PublicationIncompleteError):
        writer.add([_q(f"a{i}", str(i), G1) for i in range(9)])
    assert _raw_count(remote, G1) == 6  # two slices of three copied
    patient = _small(remote, timeout=2.0)
    with pytest.raises(StoreError, match="still being made visible"):
        patient.select(SELECT_LABELS)
    assert _raw_count(remote, G1) == 6
    finisher = _small(remote, stale_publication=0.0)
    assert len(finisher.select(SELECT_LABELS)) == 9
    assert _log(remote) == []
    assert remote.staging_graphs() == {}


def test_opening_the_store_finishes_a_dead_publication(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = _small(remote)
    _cut_after(writer, 1, monkeypatch)
    with pytest.raises(PublicationIncompleteError):
        writer.add([_q(f"a{i}", str(i), G1) for i in range(7)])
    left = remote.staging_graphs()
    assert len(left) == 2
    assert remote.drop_stale_staging(older_than=0) == []  # the publication needs them
    assert remote.finish_stale_publications() == []  # its writer may still live
    opener = _small(remote, stale_publication=0.0)
    [publication] = opener.finish_stale_publications()
    assert publication.startswith("urn:cams:publication:")
    assert _raw_count(remote, G1) == 7
    assert remote.staging_graphs() == {}
    assert _log(remote) == []


def test_a_publication_that_never_committed_leaves_nothing(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = _small(remote)
    real = writer._send

    def fail_on_commit(text: str, **kw: Any) -> Any:
        if "urn:cams:heartbeat> ?now" in text and "urn:cams:generation" in text:
            raise StoreError("the server went away")
        return real(text, **kw)

    monkeypatch.setattr(writer, "_send", fail_on_commit)
    with pytest.raises(StoreError, match="nothing was stored"):
        writer.add([_q(f"a{i}", str(i), G1) for i in range(7)])
    assert _raw_count(remote, G1) == 0
    assert remote.staging_graphs() == {}
    assert _log(remote) == []


def test_a_crash_before_the_commit_is_cleaned_up_when_stale(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between logging the steps and committing: the steps and the staging graphs
    stay, hidden, until the staging graphs are stale."""
    writer = _small(remote)
    real = writer._send

    def die_on_commit(text: str, **kw: Any) -> Any:
        if "urn:cams:heartbeat> ?now" in text and "urn:cams:generation" in text:
            raise KeyboardInterrupt  # no clean-up runs in a killed process
        return real(text, **kw)

    monkeypatch.setattr(writer, "_send", die_on_commit)
    monkeypatch.setattr(writer, "_forget", lambda publication: None)
    monkeypatch.setattr(writer, "_drop_quietly", lambda graphs: None)
    with pytest.raises(KeyboardInterrupt):
        writer.add([_q(f"a{i}", str(i), G1) for i in range(7)])
    assert _raw_count(remote, G1) == 0
    assert len(remote.staging_graphs()) == 3
    assert _log(remote)  # steps without a heartbeat: not committed
    assert remote.select(SELECT_LABELS) == []  # nothing to wait for
    assert len(remote.drop_stale_staging(older_than=0)) == 3
    assert _log(remote) == []


def test_a_read_that_overlaps_a_publication_is_read_again(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = _small(remote)  # grace 0: every read looks at the log after it
    writer = _small(remote)
    real = reader._query
    reads: list[int] = []

    def read_then_publish(sparql: str, *args: Any) -> Any:
        result = real(sparql, *args)
        if "rdfs:label" in sparql:
            reads.append(1)
            if len(reads) == 1:  # a publication starts and ends while this read runs
                writer.add([_q(f"a{i}", str(i), G1) for i in range(7)])
        return result

    monkeypatch.setattr(reader, "_query", read_then_publish)
    assert len(reader.select(SELECT_LABELS)) == 7
    assert len(reads) == 2


def test_bulk_load_sends_the_lines_as_they_are(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk = RemoteStore(dataclasses.replace(remote.config, chunk_triples=4, bulk_chunk_triples=4))
    bulk.dialect = remote.dialect
    posts: list[tuple[bytes, bool]] = []
    real = bulk._gsp

    def spy(method: str, graph: str, body: bytes | None = None, *, bulk: bool = False) -> bytes:
        posts.append((body or b"", bulk))
        return real(method, graph, body, bulk=bulk)

    monkeypatch.setattr(bulk, "_gsp", spy)
    lines = b"".join(f'<{EX}s{i}> <{LABEL.value}> "{i}" .\n'.encode() for i in range(10))
    bulk.bulk_load(lines, RdfFormat.N_TRIPLES, G1)
    assert _ours(remote) == {G1: 10}
    assert [body.count(b"\n") for body, _ in posts] == [4, 4, 2]
    assert all(flag for _, flag in posts)
    assert b"".join(body for body, _ in posts) == lines


def test_bulk_writes_keep_blank_nodes_whole(remote: RemoteStore) -> None:
    bulk = RemoteStore(dataclasses.replace(remote.config, chunk_triples=2, bulk_chunk_triples=2))
    data = (
        f'<{EX}w> <{EX}v> _:v .\n_:v <{EX}amount> "12.50" .\n_:v <{EX}currency> "EUR" .\n'
        + "".join(f'<{EX}s{i}> <{LABEL.value}> "{i}" .\n' for i in range(5))
    ).encode()
    bulk.bulk_load(data, RdfFormat.N_TRIPLES, G1)
    assert _ours(remote) == {G1: 8}
    [row] = remote.select(
        f"SELECT ?a ?c WHERE {{ <{EX}w> <{EX}v> ?v . ?v <{EX}amount> ?a ; <{EX}currency> ?c }}"
    )
    assert (row["a"].value, row["c"].value) == ("12.50", "EUR")


def test_bad_bulk_input_writes_nothing(remote: RemoteStore) -> None:
    bulk = RemoteStore(dataclasses.replace(remote.config, chunk_triples=2, bulk_chunk_triples=2))
    data = "".join(f'<{EX}s{i}> <{LABEL.value}> "{i}" .\n' for i in range(5)) + "<broken\n"
    with pytest.raises(StoreError, match="load into"):
        bulk.bulk_load(data.encode(), RdfFormat.N_TRIPLES, G1)
    assert _ours(remote) == {}


def test_the_oxigraph_server_bulk_loads_without_a_transaction(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls: list[str] = []
    real = remote._opener.open

    def spy(request: Any, *args: Any, **kw: Any) -> Any:
        urls.append(request.full_url)
        return real(request, *args, **kw)

    monkeypatch.setattr(remote._opener, "open", spy)
    remote.bulk_add(_q(f"s{i}", str(i), G1) for i in range(3))
    remote.add([_q("a", "1", G2)])
    assert _ours(remote) == {G1: 3, G2: 1}
    flagged = [("no_transaction" in url) for url in urls]
    if remote.dialect == "oxigraph":
        assert flagged == [True, True]  # the bulk write, and the staging of the atomic one
    else:
        assert not any(flagged)


def test_drop_a_large_graph_in_slices(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    remote.add(
        [_q(f"s{i}", str(i), G1) for i in range(8)]
        + [Quad(NamedNode(EX + "w"), LABEL, BlankNode(), NamedNode(G1)), _q("kept", "x", G2)]
    )
    small = _small(remote)
    sent = _sent(small, monkeypatch)
    small.drop_graph(G1, atomic=False)
    assert _ours(remote) == {G2: 1}
    assert sum("LIMIT 3" in t for t in sent) == 3
