"""``/api/imports``: upload (steward), dry run, report, provenance, retract."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN

PARTIES = b"party_id,name,kind\nP-NEW,New Author,person\n"
WORKS = b"work_id,title,category,created\nW-NEW,A New Book,literary,2020-02-02\n"
CONTRIBUTIONS = b"work_id,party_id,role\nW-NEW,P-NEW,author\n"


def _files(*extra: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    items = [("parties.csv", PARTIES), ("works.csv", WORKS), ("contributions.csv", CONTRIBUTIONS)]
    return [("files", (name, data, "text/csv")) for name, data in [*items, *extra]]


def _steward(client: TestClient) -> dict[str, str]:
    issued = client.post("/api/tokens", json={"role": "steward", "label": "robot"}, headers=ADMIN)
    assert issued.status_code == 201
    return {"Authorization": f"Bearer {issued.json()['token']}"}


def test_import_needs_a_steward(fresh: TestClient) -> None:
    assert fresh.post("/api/imports", files=_files()).status_code == 401
    reader = fresh.post("/api/tokens", json={"role": "reader"}, headers=ADMIN).json()["token"]
    response = fresh.post(
        "/api/imports", files=_files(), headers={"Authorization": f"Bearer {reader}"}
    )
    assert response.status_code == 403
    bad = fresh.post("/api/imports", files=_files(), headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert fresh.get("/api/works/W-NEW").status_code == 404


def test_dry_run_then_import_then_retract(fresh: TestClient) -> None:
    steward = _steward(fresh)
    dry = fresh.post("/api/imports", files=_files(), params={"dry_run": True}, headers=steward)
    assert dry.status_code == 200 and dry.json()["status"] == "valid"
    assert fresh.get("/api/works/W-NEW").status_code == 404
    stored = fresh.post("/api/imports", files=_files(), headers=steward)
    assert stored.status_code == 201
    report = stored.json()
    assert report["status"] == "stored" and report["summary"]["created"]["works"] == 1
    assert [f["path"] for f in report["files"]] == ["parties.csv", "works.csv", "contributions.csv"]
    assert fresh.get("/api/works/W-NEW").json()["title"] == "A New Book"
    batch = report["batch"]
    listed = fresh.get(f"/api/imports/{batch}").json()
    assert listed["files"][0]["path"] == "parties.csv" and listed["by"].startswith("robot")
    again = fresh.post("/api/imports", files=_files(), headers=steward)
    assert again.status_code == 200 and again.json()["status"] == "nothing_new"
    assert fresh.delete(f"/api/imports/{batch}").status_code == 401
    gone = fresh.delete(f"/api/imports/{batch}", headers=steward)
    assert gone.status_code == 200 and gone.json()["batch"] == batch
    assert fresh.get("/api/works/W-NEW").status_code == 404
    assert fresh.delete(f"/api/imports/{batch}", headers=steward).status_code == 404


def test_rejected_batch_is_422_with_the_report(fresh: TestClient) -> None:
    bad_works = b"work_id,title,category,created\nW-BAD,Bad,novel,2020-02-31\n"
    response = fresh.post(
        "/api/imports",
        files=[("files", ("works.csv", bad_works, "text/csv"))],
        headers=ADMIN,
    )
    assert response.status_code == 422
    report = response.json()
    assert report["status"] == "rejected" and report["summary"]["violations"] >= 2
    assert {p["column"] for p in report["problems"]} >= {"category", "created"}
    assert all(p["file"] == "works.csv" for p in report["problems"])


def test_bad_file_names_are_refused(fresh: TestClient) -> None:
    response = fresh.post(
        "/api/imports", files=[("files", ("../evil.sh", b"x", "text/plain"))], headers=ADMIN
    )
    assert response.status_code == 422


def test_retract_of_a_batch_others_depend_on_is_409(fresh: TestClient) -> None:
    steward = _steward(fresh)
    demo = fresh.get("/api/imports").json()[0]["batch"]
    first = fresh.post("/api/imports", files=_files(), headers=steward)
    assert first.status_code == 201
    extra = (
        b"agreement_id,type,grantors,grantees,works,rights,territories,start\n"
        b"A-NEW,non_exclusive_licence,P-NEW,P-STREAM,W-NEW,reproduction,CN,2021-01-01\n"
    )
    second = fresh.post(
        "/api/imports", files=[("files", ("agreements.csv", extra, "text/csv"))], headers=steward
    )
    assert second.status_code == 201, second.text
    refused = fresh.delete(f"/api/imports/{demo}", headers=steward)
    assert refused.status_code == 409
    assert "refer to" in refused.json()["detail"]


def test_body_cap_is_413(tmp_path) -> None:
    from tests.api.conftest import make_client

    with make_client(tmp_path, max_body_bytes=1000) as small:
        response = small.post(
            "/api/imports",
            files=[("files", ("works.csv", b"x" * 5000, "text/csv"))],
            headers=ADMIN,
        )
        assert response.status_code == 413
        assert "1000 bytes" in response.json()["detail"]
