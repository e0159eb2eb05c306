"""``/sparql``: a standard SPARQL 1.1 Protocol endpoint, and its editor page.

* queries by GET, POST form or POST direct, for anyone; updates (POST only)
  with an admin token;
* the dataset by ``default-graph-uri`` / ``named-graph-uri`` (queries) and
  ``using-graph-uri`` / ``using-named-graph-uri`` (updates);
* the answer's format by ``Accept``: SPARQL results JSON, XML, CSV, TSV for
  SELECT and ASK; Turtle, N-Triples, JSON-LD, RDF/XML for CONSTRUCT and
  DESCRIBE (or by a ``format`` parameter: json, xml, csv, tsv, turtle,
  ntriples, jsonld, rdfxml);
* a GET without a query: the service description (RDF), or the editor page
  for a browser;
* every query screened first (no SERVICE, LOAD or graphs the store does not
  hold), run with the time limit and the result caps of the settings.

The cams-graph prefixes (``cams:``, ``right:``, ``territory:``, ``dcterms:``,
...) are predeclared; relative IRIs resolve against the endpoint's URL.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from pyoxigraph import serialize as serialize_rdf
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.types import Receive, Scope, Send

from cams_graph.querypool import QueryJob, QueryOutcome
from cams_graph.resources import query_names, query_text
from cams_graph.sparql import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Format,
    add_using,
    negotiate,
    screen_update,
    screened,
)
from cams_graph.tokens import Role

from ..deps import BackendDep, SettingsDep, TokensDep, authenticate, require_role
from ..errors import error_response
from ..limits import TooLarge
from ..settings import Settings
from ..sparql_protocol import ProtocolRequest, read_protocol_request
from ..writes import sparql_update

__all__ = ["answer", "endpoint_app", "examples", "router", "takes"]

router = APIRouter(tags=["sparql"])

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_HTML = Format("html", "text/html", ("application/xhtml+xml",))

_DESCRIPTION = """The SPARQL 1.1 Protocol: a query by GET (`query=`), by POST form
(`query=` or `update=`) or by POST direct (`application/sparql-query`,
`application/sparql-update`). The answer's format follows `Accept`. Updates need an
admin token (`Authorization: Bearer ...`). A GET without a query returns the service
description, or the query editor for a browser."""

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer, in the negotiated format",
        "content": {
            **{f.media_type: {} for f in RESULT_FORMATS.values()},
            **{f.media_type: {} for f in GRAPH_FORMATS.values()},
        },
    },
    204: {"description": "The update was done"},
    400: {"description": "Syntax error, unsafe query, protocol error or result too large"},
    401: {"description": "An update without a token"},
    403: {"description": "An update with a token that is not admin"},
    406: {"description": "No acceptable format"},
    413: {"description": "Request body too large"},
    415: {"description": "Unsupported Content-Type"},
    503: {"description": "Past the time limit; the query was stopped"},
}


def endpoint_url(request: Request, settings: Settings) -> str:
    """The endpoint's own URL: the base IRI of queries and the subject of its description."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/sparql"
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    server = scope.get("server")
    return _own_url(
        scope.get("scheme", "http"),
        host,
        None if server is None else (server[0], server[1]),
        scope.get("root_path", ""),
        scope["path"],
    )


@functools.lru_cache(maxsize=64)
def _own_url(
    scheme: str, host: bytes | None, server: tuple[str, int] | None, root_path: str, path: str
) -> str:
    """The URL of a request without its query, as Starlette makes it (the last 64
    remembered: a server is reached under few names).

    >>> _own_url("http", b"example.org:8000", None, "", "/sparql/")
    'http://example.org:8000/sparql'
    """
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "root_path": root_path, "path": path}
    return str(URL(scope={**scope, "query_string": b"", "headers": headers})).rstrip("/")


@functools.lru_cache(maxsize=256)
def _negotiated(accept: str | None) -> tuple[str | None, str | None]:
    """The result and graph formats an ``Accept`` header asks for (clients send few
    different headers: the last 256 are remembered)."""
    return negotiate(accept, RESULT_FORMATS), negotiate(accept, GRAPH_FORMATS)


def _offers(request: Request) -> tuple[str | None, str | None]:
    chosen = request.query_params.get("format")
    if chosen:
        if chosen not in RESULT_FORMATS and chosen not in GRAPH_FORMATS:
            known = ", ".join([*RESULT_FORMATS, *GRAPH_FORMATS])
            raise HTTPException(400, f"unknown format {chosen!r} (one of {known})")
        return (
            chosen if chosen in RESULT_FORMATS else None,
            chosen if chosen in GRAPH_FORMATS else None,
        )
    return _negotiated(request.headers.get("accept"))


def _answer(outcome: QueryOutcome) -> Response:
    headers = {"X-Query-Seconds": f"{outcome.seconds:.4f}", "Cache-Control": "no-store"}
    if outcome.path is not None:
        path = outcome.path
        return FileResponse(
            path,
            media_type=outcome.content_type,
            headers=headers,
            background=BackgroundTask(os.unlink, path),
        )
    return Response(outcome.body, media_type=outcome.content_type, headers=headers)


def examples() -> list[dict[str, str]]:
    """The documented queries of ``queries/``: name, header comment and text."""
    found = []
    for name in query_names():
        text = query_text(name)
        header = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("#").strip())
        found.append({"name": name, "comment": " ".join(header), "text": text})
    return found


def _editor(request: Request, settings: Settings, query: str = "") -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "sparql.html",
        {
            "endpoint": endpoint_url(request, settings),
            "examples_json": json.dumps(examples(), ensure_ascii=False).replace("</", "<\\/"),
            "query": query,
            "timeout": settings.query_timeout,
            "formats": [
                *({"key": k, "label": f.label} for k, f in RESULT_FORMATS.items()),
                *({"key": k, "label": f.label} for k, f in GRAPH_FORMATS.items()),
            ],
        },
    )
    return response


_PAGE_OFFERS = {"html": _HTML, **GRAPH_FORMATS}


@functools.lru_cache(maxsize=256)
def _html_first(accept: str | None) -> bool:
    return negotiate(accept, _PAGE_OFFERS, default="turtle") == "html"


def _wants_html(request: Request) -> bool:
    return _html_first(request.headers.get("accept"))


def service_description(endpoint: str, key: str) -> bytes:
    """The endpoint's SPARQL service description in the graph format ``key``."""

    def sd(name: str) -> NamedNode:
        return NamedNode(_SD + name)

    me = NamedNode(endpoint)
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset, default = BlankNode(), BlankNode()
    triples = [
        Triple(me, rdf_type, sd("Service")),
        Triple(me, sd("endpoint"), me),
        Triple(me, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(me, sd("supportedLanguage"), sd("SPARQL11Update")),
        Triple(me, sd("feature"), sd("UnionDefaultGraph")),
        Triple(me, sd("defaultDataset"), dataset),
        Triple(dataset, rdf_type, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default),
        Triple(default, rdf_type, sd("Graph")),
        Triple(
            me,
            NamedNode("http://purl.org/dc/terms/description"),
            Literal(
                "cams-graph rights lineage graph. The default graph is the union of all "
                "graphs; SERVICE and LOAD are refused; queries have a time limit."
            ),
        ),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        triples.append(Triple(me, sd("resultFormat"), NamedNode(_FORMATS_NS + name)))
    fmt = GRAPH_FORMATS[key]
    assert fmt.rdf is not None
    return serialize_rdf(triples, format=fmt.rdf) or b""


async def _query(
    request: Request, proto: ProtocolRequest, backend: BackendDep, settings: Settings
) -> Response:
    base = endpoint_url(request, settings)
    found = screened(proto.text, base=base)
    if found.names_graphs and settings.unknown_graphs == "refuse":
        found.check(await run_in_threadpool(backend.held_graphs))
    # The protocol's dataset parameters name graphs of this store, read as empty when it
    # holds none of that name: nothing is ever fetched for them.
    result_key, graph_key = _offers(request)
    if result_key is None and graph_key is None:
        media = ", ".join(f.media_type for f in [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values()])
        raise HTTPException(406, f"the Accept header allows none of the formats offered ({media})")
    protocol_dataset = bool(proto.default_graphs or proto.named_graphs)
    job = QueryJob(
        proto.text,
        base_iri=base,
        default_graphs=proto.default_graphs if protocol_dataset else None,
        named_graphs=proto.named_graphs if protocol_dataset else None,
        use_union=not (protocol_dataset or found.has_dataset),
        result_format=result_key,
        graph_format=graph_key,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
    )
    return _answer(await backend.query(job, settings.query_timeout))


async def _update(
    request: Request,
    proto: ProtocolRequest,
    backend: BackendDep,
    settings: Settings,
    tokens: TokensDep,
) -> Response:
    require_role(authenticate(request, tokens), Role.ADMIN, "SPARQL Update")
    base = endpoint_url(request, settings)
    held = await run_in_threadpool(backend.held_graphs)
    screened = screen_update(
        proto.text, held_graphs=held, base=base, unknown_graphs=settings.unknown_graphs
    )
    protocol_dataset = bool(proto.default_graphs or proto.named_graphs)
    if protocol_dataset and (screened.has_dataset or screened.has_with):
        raise HTTPException(
            400,
            "the update names its dataset both with using-graph-uri / using-named-graph-uri "
            "and with USING or WITH; give one or the other",
        )
    text = add_using(proto.text, proto.default_graphs, proto.named_graphs)
    await backend.write(sparql_update, text, base, timeout=settings.query_timeout)
    return Response(status_code=204)


async def _endpoint(
    request: Request, backend: BackendDep, settings: SettingsDep, tokens: TokensDep
) -> Response:
    proto = await read_protocol_request(request)
    if proto.operation is None:
        if _wants_html(request):
            return _editor(request, settings)
        result_key = request.query_params.get("format")
        key = (
            result_key
            if result_key in GRAPH_FORMATS
            else negotiate(request.headers.get("accept"), GRAPH_FORMATS)
        )
        if key is None:
            raise HTTPException(406, "the service description is RDF: accept text/turtle, ...")
        fmt = GRAPH_FORMATS[key]
        return Response(
            service_description(endpoint_url(request, settings), key),
            media_type=fmt.content_type,
        )
    if proto.operation == "update":
        return await _update(request, proto, backend, settings, tokens)
    if request.method == "GET" and "format" not in request.query_params and _wants_html(request):
        return _editor(request, settings, proto.text)
    return await _query(request, proto, backend, settings)


async def answer(request: Request) -> Response:
    """The endpoint's answer to ``request``: what the routes below answer, after what
    their dependencies do (the caller's token checked)."""
    state = request.app.state
    authenticate(request, state.tokens)
    return await _endpoint(request, state.backend, state.settings, state.tokens)


def takes(scope: Scope) -> bool:
    """Whether a request is a ``GET`` or ``POST`` to the endpoint (for :func:`endpoint_app`).

    >>> takes({"type": "http", "method": "POST", "path": "/sparql"})
    True
    >>> takes({"type": "http", "method": "GET", "path": "/sparql/x"})
    False
    """
    if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
        return False
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path in ("/sparql", "/sparql/")


async def endpoint_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The endpoint as a plain ASGI application, for the requests :func:`takes`.

    The endpoint is the server's busiest: past FastAPI's middleware, routing
    and dependency solving (a thread for each plain-function dependency), a
    query costs the server a fraction of the time. The answers, errors
    included, are the routes' own: the routes stay, and are what ``/docs``
    shows. ``scope`` must hold ``app`` (the FastAPI application) and ``router``.
    """
    request = Request(scope, receive)
    try:
        response = await answer(request)
    except TooLarge:
        raise  # the body limit around this answers it
    except Exception as err:
        response = error_response(request, err)
    await response(scope, receive, send)


for _method in ("GET", "POST"):
    router.add_api_route(
        "/sparql",
        _endpoint,
        methods=[_method],
        operation_id=f"sparql_{_method.lower()}",
        summary=f"SPARQL 1.1 query{' and update' if _method == 'POST' else ''} endpoint",
        description=_DESCRIPTION,
        responses=_RESPONSES,
        response_class=Response,
    )
router.add_api_route(
    "/sparql/",
    _endpoint,
    methods=["GET", "POST"],
    operation_id="sparql_slash",
    include_in_schema=False,
    response_class=Response,
)
