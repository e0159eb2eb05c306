"""``/api/works/{work}/avails``."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_avails_after_a_licence_ends(client: TestClient) -> None:
    answer = client.get(
        "/api/works/W-NOVEL/avails",
        params={
            "right": "information_network",
            "territory": "CN",
            "from": "2020-01-01",
            "to": "2026-12-31",
        },
    ).json()
    assert answer["from"] == "2020-01-01"
    assert answer["windows"] == [{"start": "2024-07-01", "end": "2026-12-31", "owners": ["P-SRP"]}]


def test_avails_errors(client: TestClient) -> None:
    base = {"right": "screening", "territory": "US", "from": "2024-01-01", "to": "2030-12-31"}
    assert client.get("/api/works/NOPE/avails", params=base).status_code == 404
    assert (
        client.get("/api/works/W-FILM/avails", params={**base, "right": "integrity"}).status_code
        == 422
    )
    assert (
        client.get("/api/works/W-FILM/avails", params={**base, "to": "2020-01-01"}).status_code
        == 422
    )
    assert client.get("/api/works/W-FILM/avails", params={**base, "from": "x"}).status_code == 422
