"""``/api/conflicts``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from cams_graph import importer
from cams_graph.demo import import_demo
from cams_graph.store import open_store
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


def test_works_left_pending_are_derived_when_the_server_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cams_graph.derive import pending_works

    store = open_store(str(tmp_path / "store"))
    # killed after its commit, before the derivation
    monkeypatch.setattr(importer, "derive_pending", lambda store, facts=None: None)
    import_demo(store)
    monkeypatch.undo()
    assert pending_works(store)
    store.close()
    settings = Settings(store=str(tmp_path / "store"), query_workers=1)
    with TestClient(create_app(settings)) as client:
        found = client.get("/api/conflicts").json()
    assert {c["code"] for c in found} == set(CONFLICT_CODES)
