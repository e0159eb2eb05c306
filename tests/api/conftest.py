"""Fixtures of the server tests: an in-process app on the demo catalogue, and a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from tests.api.live import ADMIN_TOKEN, LiveServer

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def make_client(tmp: Path, **settings: object) -> TestClient:
    values: dict[str, object] = {
        "store": ":memory:",
        "demo": True,
        "admin_token": ADMIN_TOKEN,
        "tokens_file": tmp / "tokens.json",
        **settings,
    }
    return TestClient(create_app(Settings.model_validate(values)))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on an in-memory store holding the demo catalogue (read-only tests)."""
    with make_client(tmp_path_factory.mktemp("app")) as c:
        yield c


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[TestClient]:
    """The app on its own in-memory demo store (tests that write)."""
    with make_client(tmp_path) as c:
        yield c


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server (uvicorn, embedded on-disk store, worker processes) on the demo catalogue."""
    server = LiveServer(tmp_path_factory.mktemp("live") / "store", args=("--query-timeout", "3"))
    yield server
    server.stop()
