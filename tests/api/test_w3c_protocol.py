"""The W3C SPARQL 1.1 Protocol test suite, replayed against a live server.

All 34 entries run, on a server with its default settings. Eight entries name
in ``default-graph-uri`` a graph that no test loads (``.../data0.rdf``) and
expect an answer: the protocol's dataset parameters name graphs of the store,
and one it does not hold reads as empty (nothing is fetched). A ``FROM`` in the
query text naming such a graph is a remote dataset and is refused
(``test_a_remote_from_is_refused`` below).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live import ADMIN_TOKEN, LiveServer
from tests.api.w3c import W3C, Case, load_cases, replay

CASES = load_cases(W3C / "sparql11-protocol" / "manifest.ttl")
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_the_manifest_was_found() -> None:
    assert len(CASES) == 34


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("w3c") / "store", demo=False)
    yield live
    live.stop()


def _load(client: httpx.Client, files: list[tuple[Path, str]]) -> None:
    reset = client.post("/sparql", data={"update": "DROP ALL"})
    assert reset.status_code == 204, reset.text
    for path, graph in files:
        put = client.put(
            "/rdf-graph-store",
            params={"graph": graph},
            content=path.read_bytes(),
            headers={"content-type": "application/n-triples"},
        )
        assert put.status_code in (201, 204), put.text


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_protocol(server: LiveServer, case: Case) -> None:
    with server.client(headers=ADMIN) as client:
        _load(client, case.graph_data)
        replay(client, case)


def test_a_remote_from_is_refused(live: LiveServer) -> None:
    unloaded = "http://kasei.us/2009/09/sparql/data/data0.rdf"
    with live.client() as client:
        response = client.get("/sparql/", params={"query": f"ASK FROM <{unloaded}> {{}}"})
        assert response.status_code == 400
        assert "holds no such graph" in response.json()["detail"]
        answer = client.get("/sparql/", params={"query": "ASK {}", "default-graph-uri": unloaded})
        assert answer.status_code == 200
