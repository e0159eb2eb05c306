"""The pages, rendered server-side (the browser tests drive them in Chromium)."""

from __future__ import annotations

from fastapi.testclient import TestClient

HTML = {"accept": "text/html"}


def test_home_lists_and_searches(client: TestClient) -> None:
    page = client.get("/", params={"q": "song"})
    assert page.status_code == 200 and "Harbour Lights" in page.text and "W-NOVEL" not in page.text


def test_work_page_has_picture_licences_conflicts_avails(client: TestClient) -> None:
    page = client.get(
        "/works/W-NOVEL",
        params={"right": "information_network", "territory": "CN", "at": "2020-01-01"},
    )
    assert page.status_code == 200
    text = page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="timeline"' in text
    assert "A-004" in text and "NON_OWNER_GRANT" in text and "Avails" in text
    assert "contracts/SRP-2005-014.pdf" in text


def test_bad_picks_and_unknown_work(client: TestClient) -> None:
    assert client.get("/works/NOPE").status_code == 404
    bad = client.get("/works/W-NOVEL", params={"right": "nope"})
    assert bad.status_code == 422 and "unknown right" in bad.text


def test_moral_right_page(client: TestClient) -> None:
    page = client.get("/works/W-SOFT", params={"right": "attribution", "territory": "CN"})
    assert page.status_code == 200 and "Wang Lei" in page.text


def test_report_is_printable(client: TestClient) -> None:
    page = client.get(
        "/works/W-FILM/report", params={"right": "screening", "territory": "FR", "at": "2024-06-01"}
    )
    assert page.status_code == 200
    assert (
        "Agreements and their documents" in page.text and "contracts/GF-2015-118.pdf" in page.text
    )
    assert "EXCEEDS_GRANTOR_TITLE" in page.text


def test_conflicts_overview_filters(client: TestClient) -> None:
    page = client.get("/conflicts", params={"code": "UNREGISTERED_PLEDGE"})
    assert page.status_code == 200 and "A-042" in page.text and "A-005" not in page.text
    assert client.get("/conflicts", params={"code": "NOPE"}).status_code == 404


def test_docs_are_served_offline(client: TestClient) -> None:
    docs = client.get("/docs")
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"get_title", "list_conflicts", "create_import", "sparql_get", "health"} <= ids
