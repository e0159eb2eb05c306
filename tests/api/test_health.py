"""``/api/health``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.live import LiveServer


def test_health_in_memory(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["store"] == "memory"


def test_health_of_a_live_server_reports_the_pool(live: LiveServer) -> None:
    body = live.client().get("/api/health").json()
    assert body["store"] == "embedded"
    assert body["backend"]["workers"] == 2
    assert body["backend"]["snapshot_seconds"] < 5
