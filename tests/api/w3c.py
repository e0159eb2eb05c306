"""A runner for the W3C SPARQL 1.1 Protocol and Graph Store Protocol test manifests.

The manifests (``tests/w3c/``, copied unchanged from w3c/rdf-tests) describe
each test as HTTP requests with the expected status, result format, ASK
boolean, headers and body. :func:`load_cases` reads them with rdflib;
:func:`replay` sends the requests to a live server, rewriting the paths
(``/sparql/`` stays, ``/gsp`` becomes ``/rdf-graph-store``), and checks the
answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import httpx
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

__all__ = ["W3C", "Case", "load_cases", "replay"]

W3C = Path(__file__).resolve().parents[1] / "w3c"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
_CODES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
_FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@dataclass
class Step:
    """One request of a test and what its answer must be."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: str | None
    statuses: list[str]
    format: str | None = None
    boolean: bool | None = None
    location: str | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str | None = None


@dataclass
class Case:
    """One manifest entry."""

    id: str
    name: str
    steps: list[Step]
    graph_data: list[tuple[Path, str]]


def _list(graph: rdflib.Graph, node: rdflib.term.Node | None) -> list[rdflib.term.Node]:
    return list(Collection(graph, node)) if node is not None else []


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> list[tuple[str, str]]:
    return [
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _list(graph, graph.value(node, HT.headers))
    ]


def _body(graph: rdflib.Graph, node: rdflib.term.Node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def load_cases(manifest: Path) -> list[Case]:
    """The entries of a manifest (and of the manifests it includes), in order."""
    graph = rdflib.Graph().parse(manifest, format="turtle")
    root = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    cases: list[Case] = []
    for included in _list(graph, graph.value(root, MF.include)):
        cases += load_cases(Path(str(included).removeprefix("file://")))
    for entry in _list(graph, graph.value(root, MF.entries)):
        action = graph.value(entry, MF.action)
        steps = []
        for request in _list(graph, graph.value(action, HT.requests)):
            response = graph.value(request, HT.resp)
            statuses = sorted(
                str(s).removeprefix(HTS) for s in graph.objects(response, MF.expectedStatus)
            )
            boolean = graph.value(response, MF.expectedBoolean)
            steps.append(
                Step(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)),
                    headers=_headers(graph, request),
                    body=_body(graph, request),
                    statuses=statuses,
                    format=str(graph.value(response, MF.expectedFormat) or "") or None,
                    boolean=None if boolean is None else bool(boolean.toPython()),
                    location=str(graph.value(response, MF.expectedLocation) or "") or None,
                    response_headers=_headers(graph, response),
                    response_body=_body(graph, response),
                )
            )
        data = [
            (
                Path(str(graph.value(d, UT.graph)).removeprefix("file://")),
                str(graph.value(d, rdflib.RDFS.label)),
            )
            for d in graph.objects(entry, UT.graphData)
        ]
        cases.append(
            Case(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)), steps, data)
        )
    return cases


def _status_ok(code: int, expected: list[str]) -> bool:
    for name in expected:
        match = re.fullmatch(r"StatusCode(\d)xx", name)
        if match and code // 100 == int(match.group(1)):
            return True
        if _CODES.get(name) == code:
            return True
    return False


def _boolean(response: httpx.Response) -> bool:
    media = response.headers.get("content-type", "").split(";")[0]
    if media == "application/sparql-results+json":
        return bool(json.loads(response.text)["boolean"])
    root = ElementTree.fromstring(response.content)
    found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert found is not None, response.text
    return found.text == "true"


def _rewrite(path: str) -> str:
    if path.startswith("/gsp"):
        return "/rdf-graph-store" + path.removeprefix("/gsp")
    return path


def replay(client: httpx.Client, case: Case) -> None:
    """Send the requests of ``case`` in order and assert each answer."""
    variables: dict[str, str] = {}
    for number, step in enumerate(case.steps, 1):
        path, body = _rewrite(step.path), step.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name, value) if body is not None else None
        headers = dict(step.headers)
        response = client.request(
            step.method,
            path,
            headers=headers,
            content=body.encode("utf-8") if body is not None else None,
        )
        where = f"{case.id} request {number} ({step.method} {path})"
        assert _status_ok(response.status_code, step.statuses), (
            f"{where}: status {response.status_code}, expected {step.statuses}: "
            f"{response.text[:500]}"
        )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if step.format is not None:
            assert media in _FORMATS[step.format], f"{where}: content type {media}"
        if step.boolean is not None:
            assert _boolean(response) is step.boolean, f"{where}: {response.text}"
        if step.location is not None:
            assert "location" in response.headers, f"{where}: no Location header"
            variables[step.location] = response.headers["location"]
        for name, value in step.response_headers:
            got = response.headers.get(name, "")
            assert got.replace(" ", "").lower() == value.replace(" ", "").lower(), (
                f"{where}: header {name} is {got!r}, expected {value!r}"
            )
        if step.response_body is not None:
            expected = rdflib.Graph().parse(data=step.response_body, format="turtle")
            actual = rdflib.Graph().parse(data=response.text, format="turtle")
            assert isomorphic(expected, actual), (
                f"{where}: graphs differ:\n{response.text}\nexpected:\n{step.response_body}"
            )
