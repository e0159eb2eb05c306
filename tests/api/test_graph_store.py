"""``/rdf-graph-store``: reads open, writes admin-only."""

from __future__ import annotations

import rdflib
from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN

TTL = b"@prefix ex: <http://example.org/> . ex:s ex:p ex:o , [ ex:q 1 ] ."


def test_put_get_post_delete(fresh: TestClient) -> None:
    params = {"graph": "http://example.org/g1"}
    turtle = {"content-type": "text/turtle"}
    assert (
        fresh.put("/rdf-graph-store", params=params, content=TTL, headers=turtle).status_code == 401
    )
    assert fresh.get("/rdf-graph-store", params=params).status_code == 404
    created = fresh.put("/rdf-graph-store", params=params, content=TTL, headers={**turtle, **ADMIN})
    assert created.status_code == 201
    replaced = fresh.put(
        "/rdf-graph-store", params=params, content=TTL, headers={**turtle, **ADMIN}
    )
    assert replaced.status_code == 204
    got = fresh.get("/rdf-graph-store", params=params, headers={"accept": "text/turtle"})
    assert got.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(rdflib.Graph().parse(data=got.text, format="turtle")) == 3
    added = fresh.post(
        "/rdf-graph-store",
        params=params,
        content=b'<http://example.org/a> <http://example.org/b> "2" .',
        headers={"content-type": "application/n-triples", **ADMIN},
    )
    assert added.status_code == 204
    nt = fresh.get("/rdf-graph-store", params=params, headers={"accept": "application/n-triples"})
    assert len(nt.text.strip().splitlines()) == 4
    assert fresh.delete("/rdf-graph-store", params=params, headers=ADMIN).status_code == 204
    assert fresh.delete("/rdf-graph-store", params=params, headers=ADMIN).status_code == 404


def test_bad_rdf_and_media_type(fresh: TestClient) -> None:
    params = {"graph": "http://example.org/g2"}
    bad = fresh.put(
        "/rdf-graph-store",
        params=params,
        content=b"ex:s ex:p",
        headers={"content-type": "text/turtle", **ADMIN},
    )
    assert bad.status_code == 400
    odd = fresh.put(
        "/rdf-graph-store",
        params=params,
        content=b"x",
        headers={"content-type": "image/png", **ADMIN},
    )
    assert odd.status_code == 415
    nameless = fresh.get("/rdf-graph-store")
    assert nameless.status_code == 400
    assert fresh.get("/rdf-graph-store", params={"graph": "not an iri"}).status_code == 400


def test_post_creates_a_graph_with_location(fresh: TestClient) -> None:
    made = fresh.post(
        "/rdf-graph-store", content=TTL, headers={"content-type": "text/turtle", **ADMIN}
    )
    assert made.status_code == 201
    location = made.headers["location"]
    assert fresh.get("/rdf-graph-store", params={"graph": location}).status_code == 200
