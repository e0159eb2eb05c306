"""The stores a suite runs on: embedded, the Oxigraph server and Virtuoso, started by the tests.

``store_location`` (one test) and ``store_kind`` (a module's fixtures) are
parametrized with the ids ``embedded``, ``oxigraph`` and ``virtuoso``; the two
servers are marked ``server`` (deselect them with ``-m "not server"``). Each
server is started once per session, on free ports of 127.0.0.1, and stopped at
the end; every dataset handed out is empty but for the server's own graphs.
A server that is not installed fails its tests with the install command.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cams_graph.remote import RemoteStore
from cams_graph.servers import LocalServer, OxigraphServer, VirtuosoServer

STORE_KINDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("oxigraph", id="oxigraph", marks=pytest.mark.server),
    pytest.param("virtuoso", id="virtuoso", marks=pytest.mark.server),
]


@dataclass(frozen=True)
class StoreTarget:
    """How to reach an empty store: ``--store`` and the ``CAMS_STORE_*`` variables."""

    kind: str
    location: str
    environ: dict[str, str] = field(default_factory=dict)

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> str:
        for name, value in self.environ.items():
            monkeypatch.setenv(name, value)
        return self.location


class StoreServers:
    """The servers of this session, started on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, LocalServer] = {}
        self.own_graphs: dict[str, set[str]] = {}

    def server(self, kind: str) -> LocalServer:
        if kind not in self.running:
            made: LocalServer = (
                OxigraphServer(self.folder / kind)
                if kind == "oxigraph"
                else VirtuosoServer(self.folder / kind)
            )
            try:
                made.start()
            except RuntimeError as err:
                pytest.fail(f"cannot start the {kind} server: {err}", pytrace=False)
            self.running[kind] = made
            self.own_graphs[kind] = set(self._store(made).graph_sizes())
        return self.running[kind]

    @staticmethod
    def _store(server: LocalServer) -> RemoteStore:
        return RemoteStore.from_environment(server.location, server.environ, drop_stale=False)

    def target(self, kind: str, folder: Path) -> StoreTarget:
        """An empty store of ``kind``: a new folder, or a server with our graphs dropped."""
        if kind == "embedded":
            return StoreTarget(kind, str(folder / "store"))
        server = self.server(kind)
        store = self._store(server)
        graphs = set(store.graph_sizes()) - self.own_graphs[kind]
        for graph in sorted(graphs):
            store.drop_graph(graph)
        return StoreTarget(kind, server.location, dict(server.environ))

    def stop(self) -> None:
        for server in self.running.values():
            server.stop()


SERVER_KINDS = STORE_KINDS[1:]


@pytest.fixture(scope="session")
def store_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreServers]:
    servers = StoreServers(tmp_path_factory.mktemp("servers"))
    yield servers
    servers.stop()


@pytest.fixture(scope="module", params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    """The kind of store a module's fixtures build on (use ``store_servers.target`` for one)."""
    kind: str = request.param
    return kind


@pytest.fixture(params=STORE_KINDS)
def store_location(
    request: pytest.FixtureRequest,
    store_servers: StoreServers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """``--store`` of an empty store of each kind (with its ``CAMS_STORE_*`` variables set)."""
    return store_servers.target(request.param, tmp_path).apply(monkeypatch)


@pytest.fixture(params=SERVER_KINDS)
def server_location(
    request: pytest.FixtureRequest,
    store_servers: StoreServers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """Like ``store_location``, for what only a remote store does: each server, empty."""
    return store_servers.target(request.param, tmp_path).apply(monkeypatch)
