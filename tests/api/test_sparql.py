"""``/sparql``: the protocol, formats, dataset, errors, screening and roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN

COUNT = "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a cams:Work }"


def _n(response) -> int:  # type: ignore[no-untyped-def]
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_post_direct_agree(client: TestClient) -> None:
    got = client.get("/sparql", params={"query": COUNT})
    form = client.post("/sparql", data={"query": COUNT})
    direct = client.post(
        "/sparql", content=COUNT, headers={"content-type": "application/sparql-query"}
    )
    assert _n(got) == _n(form) == _n(direct) == 8


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_result_formats(client: TestClient, accept: str | None, media: str) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": COUNT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_graph_formats(client: TestClient, accept: str, media: str) -> None:
    query = "CONSTRUCT { ?w dcterms:title ?t } WHERE { ?w a cams:Work ; dcterms:title ?t }"
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    import rdflib

    parsed = rdflib.Graph().parse(
        data=response.content,
        format={
            "text/turtle": "turtle",
            "application/n-triples": "nt",
            "application/ld+json": "json-ld",
            "application/rdf+xml": "xml",
        }[media],
    )
    assert len(parsed) == 8


def test_not_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT}, headers={"accept": "image/png"})
    assert response.status_code == 406


def test_service_description_and_editor(client: TestClient) -> None:
    described = client.get("/sparql", headers={"accept": "text/turtle"})
    assert described.status_code == 200 and "sparql-service-description" in described.text
    page = client.get("/sparql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "<textarea" in page.text
    assert "title-owners" in page.text  # the documented queries are offered


def test_syntax_error_is_400_with_the_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p "})
    assert response.status_code == 400
    body = response.json()
    assert body["line"] == 2 and "expected" in body["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service   ?x { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
    ],
)
def test_unsafe_queries_are_400(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400, response.text
    assert (
        "not allowed" in response.json()["detail"] or "holds no such" in response.json()["detail"]
    )


def test_unknown_graph_is_empty_by_parameter_and_refused_by_from(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://x/g"}
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is False
    refused = client.get("/sparql", params={"query": "ASK FROM <http://x/g> { ?s ?p ?o }"})
    assert refused.status_code == 400


def test_keywords_in_strings_iris_and_comments_are_fine(client: TestClient) -> None:
    query = (
        'SELECT ?x WHERE { BIND("SERVICE LOAD" AS ?x) } # SERVICE <http://x/>\n'
        "VALUES ?y { <http://example.org/service> }"
    )
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_protocol_errors(client: TestClient) -> None:
    assert client.put("/sparql", params={"query": "ASK {}"}).status_code == 405
    assert (
        client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    )
    assert (
        client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"}).status_code
        == 415
    )
    assert (
        client.post(
            "/sparql",
            content="ASK {}",
            headers={"content-type": "application/sparql-query; charset=UTF-16"},
        ).status_code
        == 400
    )
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400


def test_update_needs_admin(fresh: TestClient) -> None:
    update = "INSERT DATA { GRAPH <urn:test:g> { <urn:s> <urn:p> 1 } }"
    headers = {"content-type": "application/sparql-update"}
    assert fresh.post("/sparql", content=update, headers=headers).status_code == 401
    steward = fresh.post("/api/tokens", json={"role": "steward"}, headers=ADMIN).json()["token"]
    response = fresh.post(
        "/sparql", content=update, headers={**headers, "Authorization": f"Bearer {steward}"}
    )
    assert response.status_code == 403
    assert not fresh.get("/sparql", params={"query": "ASK { <urn:s> ?p ?o }"}).json()["boolean"]
    assert fresh.post("/sparql", content=update, headers={**headers, **ADMIN}).status_code == 204
    assert fresh.get("/sparql", params={"query": "ASK { <urn:s> ?p ?o }"}).json()["boolean"]


def test_load_is_refused_even_for_admin(fresh: TestClient) -> None:
    response = fresh.post(
        "/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"}, headers=ADMIN
    )
    assert response.status_code == 400 and "LOAD" in response.json()["detail"]


def test_result_cap(tmp_path) -> None:
    from tests.api.conftest import make_client

    with make_client(tmp_path, max_result_rows=10) as small:
        response = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 400
        assert "more than 10 rows" in response.json()["detail"]
        fine = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
        assert fine.status_code == 200


def test_the_shipped_queries_run(client: TestClient) -> None:
    from cams_graph.resources import query_names, query_text

    names = query_names()
    assert names
    for name in names:
        response = client.post("/sparql", data={"query": query_text(name)})
        assert response.status_code == 200, (name, response.text)
        assert json.loads(response.text)


_REQUESTS: list[tuple[str, dict[str, object]]] = [
    ("GET", {"params": {"query": COUNT}}),
    ("GET", {"params": {"query": COUNT, "format": "tsv"}}),
    ("GET", {"params": {"query": COUNT, "format": "nonsense"}}),
    ("POST", {"data": {"query": COUNT}, "headers": {"accept": "application/sparql-results+xml"}}),
    (
        "POST",
        {
            "content": COUNT,
            "headers": {"content-type": "application/sparql-query", "accept": "text/csv"},
        },
    ),
    ("POST", {"content": COUNT, "headers": {"content-type": "text/plain"}}),
    ("GET", {"params": {"query": "SELECT * WHERE {\n ?s ?p "}}),
    ("GET", {"params": {"query": "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}),
    ("GET", {"params": {"query": "ASK FROM <http://x/g> { ?s ?p ?o }"}}),
    ("GET", {"params": {"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://x/g"}}),
    ("GET", {"params": {"query": COUNT}, "headers": {"accept": "image/png"}}),
    ("GET", {"params": {"query": COUNT}, "headers": {"accept": "text/html"}}),
    ("GET", {"headers": {"accept": "text/html"}}),
    ("GET", {"params": {"query": COUNT}, "headers": {"authorization": "Bearer nonsense"}}),
    ("POST", {"data": {"update": "CLEAR ALL"}}),
    ("GET", {"params": {"update": "CLEAR ALL"}}),
]


@pytest.mark.parametrize(("method", "request_"), _REQUESTS)
def test_the_shortcut_answers_as_the_routes(
    client: TestClient, method: str, request_: dict[str, object]
) -> None:
    for path in ("/sparql", "/sparql/"):
        shortcut = client.request(method, path, **request_)  # type: ignore[arg-type]
        app = client.app
        taken, app.sparql = app.sparql, None  # type: ignore[attr-defined]
        try:
            routed = client.request(method, path, **request_)  # type: ignore[arg-type]
        finally:
            app.sparql = taken  # type: ignore[attr-defined]
        assert shortcut.status_code == routed.status_code, shortcut.text
        for header in ("content-type", "cache-control", "www-authenticate", "retry-after"):
            assert shortcut.headers.get(header) == routed.headers.get(header), header
        assert shortcut.content == routed.content


def test_the_service_description_is_the_same_by_either_way(client: TestClient) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    shortcut = client.get("/sparql", headers={"accept": "text/turtle"})
    app = client.app
    taken, app.sparql = app.sparql, None  # type: ignore[attr-defined]
    try:
        routed = client.get("/sparql", headers={"accept": "text/turtle"})
    finally:
        app.sparql = taken  # type: ignore[attr-defined]
    assert shortcut.status_code == routed.status_code == 200
    graphs = [rdflib.Graph().parse(data=r.text, format="turtle") for r in (shortcut, routed)]
    assert len(graphs[0]) > 10 and isomorphic(graphs[0], graphs[1])


def test_the_endpoint_stays_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])


def test_the_body_cap_holds_for_queries(tmp_path: Path) -> None:
    from tests.api.conftest import make_client

    with make_client(tmp_path, max_body_bytes=1000) as small:
        query = "ASK { ?s ?p ?o }" + " " * 2000
        response = small.post("/sparql", data={"query": query})
        assert response.status_code == 413
        assert "1000 bytes" in response.json()["detail"]
        direct = small.post(
            "/sparql", content=query, headers={"content-type": "application/sparql-query"}
        )
        assert direct.status_code == 413
        assert small.post("/sparql", data={"query": "ASK {}"}).json()["boolean"] is True
