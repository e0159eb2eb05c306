"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol.

* indirect identification: ``/rdf-graph-store?graph=IRI`` or ``?default``;
* direct identification: ``/rdf-graph-store/any/path`` is the graph whose IRI
  is that URL;
* ``GET`` / ``HEAD`` read a graph (open to anyone), in the format ``Accept``
  asks for (Turtle, N-Triples, JSON-LD, RDF/XML); 404 for a graph the store
  does not hold;
* ``PUT`` replaces, ``POST`` adds to (also ``multipart/form-data``),
  ``DELETE`` removes a graph -- with an admin token; ``POST`` to the bare
  endpoint creates a new graph and answers 201 with its IRI in ``Location``.

``?default`` is the store's own default graph. (The SPARQL endpoint queries
the union of all graphs by default; the Graph Store Protocol addresses the
real default graph, so that a PUT and a GET on it see the same triples.)
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pyoxigraph import NamedNode, RdfFormat, Triple, parse
from pyoxigraph import serialize as serialize_rdf
from starlette.concurrency import run_in_threadpool

from cams_graph.querypool import QueryJob
from cams_graph.sparql import GRAPH_FORMATS, negotiate
from cams_graph.tokens import Role

from ..deps import BackendDep, SettingsDep, TokensDep, authenticate, require_role
from ..settings import Settings
from ..writes import delete_graph, post_graph, put_graph

__all__ = ["router"]

router = APIRouter(tags=["graph store"])

PREFIX = "/rdf-graph-store"

_PARSERS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "text/n3": RdfFormat.N3,
}

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The graph",
        "content": {f.media_type: {} for f in GRAPH_FORMATS.values()},
    },
    201: {"description": "Created"},
    204: {"description": "Replaced, added or deleted"},
    400: {"description": "Bad request or unreadable RDF"},
    401: {"description": "A write without a token"},
    403: {"description": "A write with a token that is not admin"},
    404: {"description": "No such graph"},
    406: {"description": "No acceptable format"},
    413: {"description": "Body too large"},
    415: {"description": "Unsupported RDF media type"},
}


def _base(request: Request, settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def _media(header: str | None) -> str:
    return (header or "").split(";")[0].strip().lower()


def _parse(data: bytes, media: str, base: str | None) -> bytes:
    """The body's triples as N-Triples (400 when it is not readable RDF)."""
    fmt = _PARSERS.get(media)
    if fmt is None:
        raise HTTPException(
            415,
            f"unsupported RDF media type {media or '(none)'!r}: use "
            + ", ".join(sorted(set(_PARSERS))),
        )
    try:
        triples = [
            t if isinstance(t, Triple) else t.triple
            for t in parse(data, format=fmt, base_iri=base, without_named_graphs=True)
        ]
    except (SyntaxError, ValueError, OSError) as err:
        raise HTTPException(400, f"the body is not valid {media}: {err}") from None
    return serialize_rdf(triples, format=RdfFormat.N_TRIPLES) or b""


async def _body_triples(request: Request, base: str | None) -> bytes:
    media = _media(request.headers.get("content-type"))
    if media == "multipart/form-data":
        form = await request.form()
        chunks = []
        for _, value in form.multi_items():
            if isinstance(value, str):
                continue
            part_media = _media(value.content_type) or "text/turtle"
            chunks.append(_parse(await value.read(), part_media, base))
        return b"".join(chunks)
    return _parse(await request.body(), media, base)


async def _handle(
    request: Request,
    graph: str | None,
    backend: BackendDep,
    settings: Settings,
    tokens: TokensDep,
    created_graph: bool = False,
) -> Response:
    method = request.method
    if graph is not None:
        try:
            NamedNode(graph)
        except ValueError as err:
            raise HTTPException(400, f"<{graph}> is not an absolute IRI: {err}") from None
    if method in ("GET", "HEAD"):
        if graph is not None:
            held = await run_in_threadpool(backend.held_graphs)
            if held is not None and graph not in held:
                raise HTTPException(404, f"the store holds no graph <{graph}>")
        key = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
        if key is None:
            media = ", ".join(f.media_type for f in GRAPH_FORMATS.values())
            raise HTTPException(406, f"a graph is served as one of: {media}")
        fmt = GRAPH_FORMATS[key]
        if method == "HEAD":
            return Response(status_code=200, media_type=fmt.content_type)
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph is not None else "?s ?p ?o"
        job = QueryJob(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}",
            use_union=False,
            result_format=None,
            graph_format=key,
            max_rows=settings.max_result_rows,
            max_bytes=settings.max_result_bytes,
        )
        outcome = await backend.query(job, settings.query_timeout)
        return Response(outcome.read(), media_type=fmt.content_type)
    require_role(authenticate(request, tokens), Role.ADMIN, "writing a graph")
    if method == "DELETE":
        if not await backend.write(delete_graph, graph):
            raise HTTPException(404, f"the store holds no graph <{graph}>")
        return Response(status_code=204)
    data = await _body_triples(request, graph or _base(request, settings))
    write = put_graph if method == "PUT" else post_graph
    created = await backend.write(write, graph, data)
    if created_graph:
        return Response(status_code=201, headers={"Location": graph or ""})
    return Response(status_code=201 if created else 204)


async def indirect(
    request: Request, backend: BackendDep, settings: SettingsDep, tokens: TokensDep
) -> Response:
    """A graph named by ``?graph=IRI``, or the default graph by ``?default``."""
    params = request.query_params
    graphs = params.getlist("graph")
    if len(graphs) > 1:
        raise HTTPException(400, "give one 'graph' parameter")
    if "default" in params and graphs:
        raise HTTPException(400, "give either 'graph' or 'default', not both")
    if graphs:
        return await _handle(request, graphs[0], backend, settings, tokens)
    if "default" in params:
        return await _handle(request, None, backend, settings, tokens)
    if request.method == "POST":
        graph = f"{_base(request, settings)}{PREFIX}/graphs/{uuid.uuid4().hex}"
        return await _handle(request, graph, backend, settings, tokens, created_graph=True)
    raise HTTPException(
        400,
        "name the graph: ?graph=IRI (indirect), ?default, or a path under "
        f"{PREFIX}/ (direct identification)",
    )


async def direct(
    request: Request, path: str, backend: BackendDep, settings: SettingsDep, tokens: TokensDep
) -> Response:
    """The graph whose IRI is the request's URL (without its query string)."""
    if settings.public_url:
        graph = f"{settings.public_url.rstrip('/')}{PREFIX}/{path}"
    else:
        graph = str(request.url.replace(query="", fragment=""))
    return await _handle(request, graph, backend, settings, tokens)


_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
for _method in _METHODS:
    router.add_api_route(
        PREFIX,
        indirect,
        methods=[_method],
        operation_id=f"graph_store_indirect_{_method.lower()}",
        summary=f"Graph Store Protocol: {_method} a graph named by ?graph= or ?default",
        responses=_RESPONSES,
        response_class=Response,
    )
    router.add_api_route(
        PREFIX + "/{path:path}",
        direct,
        methods=[_method],
        operation_id=f"graph_store_direct_{_method.lower()}",
        summary=f"Graph Store Protocol: {_method} the graph whose IRI is the URL",
        responses=_RESPONSES,
        response_class=Response,
    )
