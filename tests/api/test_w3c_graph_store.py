"""The W3C SPARQL 1.1 Graph Store Protocol tests, replayed against a live server.

All 13 entries (direct and indirect graph identification, POST graph
creation) run; ``/gsp`` is rewritten to ``/rdf-graph-store``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.live import ADMIN_TOKEN, LiveServer
from tests.api.w3c import W3C, Case, load_cases, replay

CASES = load_cases(W3C / "sparql11-graph-store-protocol" / "manifest.ttl")
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_the_manifests_were_found() -> None:
    assert len(CASES) == 13


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("gsp") / "store", demo=False)
    yield live
    live.stop()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_graph_store(server: LiveServer, case: Case) -> None:
    with server.client(headers=ADMIN) as client:
        assert client.post("/sparql", data={"update": "DROP ALL"}).status_code == 204
        replay(client, case)
