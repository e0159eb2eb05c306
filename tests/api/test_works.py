"""``/api/works``: search and detail."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_search_by_title_any_case(client: TestClient) -> None:
    page = client.get("/api/works", params={"q": "RIVER"}).json()
    assert page["total"] == 5
    assert [w["key"] for w in page["items"]][:2] == ["W-FILM", "W-NOVEL"]
    novel = next(w for w in page["items"] if w["key"] == "W-NOVEL")
    assert novel["errors"] >= 2 and novel["warnings"] >= 1


def test_search_pages(client: TestClient) -> None:
    everything = client.get("/api/works", params={"limit": 3}).json()
    assert everything["total"] == 8 and len(everything["items"]) == 3
    second = client.get("/api/works", params={"limit": 3, "offset": 3}).json()
    assert not {w["key"] for w in second["items"]} & {w["key"] for w in everything["items"]}


def test_detail_has_agreements_with_documents(client: TestClient) -> None:
    work = client.get("/api/works/W-NOVEL").json()
    assert work["title"] == "The River Bend (河湾)"
    first = work["agreements"][0]
    assert first["key"] == "A-001" and first["document"] == "contracts/SRP-2005-014.pdf"
    assert {c["code"] for c in work["conflicts"]} >= {"NON_OWNER_GRANT", "UNWRITTEN_CONTRACT"}


def test_unknown_work_is_404(client: TestClient) -> None:
    response = client.get("/api/works/W-NOPE")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown work 'W-NOPE'"}


def test_bad_paging_is_422_with_a_message(client: TestClient) -> None:
    response = client.get("/api/works", params={"limit": 0})
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]
