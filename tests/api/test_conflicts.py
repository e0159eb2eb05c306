"""``/api/conflicts``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cams_graph.vocabularies import CONFLICT_CODES


def test_every_code_occurs_in_the_demo(client: TestClient) -> None:
    found = client.get("/api/conflicts").json()
    assert {c["code"] for c in found} == set(CONFLICT_CODES)
    assert found == sorted(found, key=lambda c: (c["code"], c["agreement"] or "", c["works"]))


def test_filters(client: TestClient) -> None:
    errors = client.get("/api/conflicts", params={"severity": "error"}).json()
    assert errors and all(c["severity"] == "error" for c in errors)
    one = client.get("/api/conflicts", params={"code": "OVERLAPPING_EXCLUSIVE"}).json()
    assert [(c["agreement"], c["related"]) for c in one] == [("A-013", ["A-010"])]
    song = client.get("/api/conflicts", params={"work": "W-SONG"}).json()
    assert [c["code"] for c in song] == ["CO_OWNER_CONSENT_MISSING"]


def test_bad_filters(client: TestClient) -> None:
    assert client.get("/api/conflicts", params={"code": "NOPE"}).status_code == 422
    assert client.get("/api/conflicts", params={"severity": "fatal"}).status_code == 422
    assert client.get("/api/conflicts", params={"work": "NOPE"}).status_code == 404
