"""The cams-graph server: pages for legal teams, a REST API, a SPARQL 1.1 endpoint.

:func:`create_app` builds the FastAPI application from a :class:`Settings`
object; nothing is made at import time. The store is opened when the app
starts (``lifespan``) and closed when it stops::

    /                      pages: search, work, chain of title, conflicts, report
    /api/...               REST: works, title, conflicts, avails, imports, tokens, health
    /sparql                SPARQL 1.1 Protocol (query; update with an admin token)
    /rdf-graph-store       SPARQL 1.1 Graph Store Protocol (writes with an admin token)
    /docs, /openapi.json   the OpenAPI description

>>> app = create_app(Settings(store=":memory:"))
>>> sorted(set(app.openapi()["paths"]) & {"/sparql", "/api/health", "/api/works/{work}/title"})
['/api/health', '/api/works/{work}/title', '/sparql']
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from cams_graph import __version__
from cams_graph.derive import derive_pending
from cams_graph.errors import CamsError
from cams_graph.tokens import TokenRegistry

from .backend import Backend, make_backend
from .deps import current_token
from .errors import install_error_handlers
from .limits import BodyLimit
from .routers import ROUTERS
from .routers import sparql as sparql_router
from .settings import Settings
from .writes import import_demo_if_empty

__all__ = ["Settings", "create_app"]

log = logging.getLogger("cams_graph.api")

_HERE = Path(__file__).resolve().parent

_DESCRIPTION = """
Chain of title, conflicts and avails of copyright works, their import, and the
rights graph itself over SPARQL.

**Roles.** Anonymous requests read. A token (`Authorization: Bearer cams_...`,
made with `cams token create --role ...`) with the *steward* role imports and
retracts; with the *admin* role it also runs SPARQL Update, writes graphs and
manages tokens.

**Errors** are JSON `{"detail": "..."}`: 404 for an unknown work or batch,
422 for an unknown right, territory or a malformed date, 400 for a bad query,
503 when a query ran past the time limit and was stopped.
"""


def _docs(app: FastAPI) -> None:
    try:
        import swagger_ui_bundle
    except ImportError:  # pragma: no cover - the CDN version of FastAPI then
        return
    app.mount(
        "/static/swagger",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger",
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="cams-graph API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


class _App(FastAPI):
    """FastAPI, with ``GET`` and ``POST /sparql`` sent straight to the endpoint.

    Those requests skip FastAPI's middleware, routing and dependency solving
    (:func:`api.routers.sparql.endpoint_app`); the request body limit still
    applies to them.
    """

    sparql: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.sparql is not None and sparql_router.takes(scope):
            scope["app"] = self
            scope["router"] = self.router
            await self.sparql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, backend: Backend | None = None) -> FastAPI:
    """The application for ``settings`` (``backend`` overrides the one the store implies)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = backend or make_backend(settings.store, settings.query_workers)
        await chosen.start()
        try:
            # Works that an interrupted import or derivation left pending come first.
            try:
                stats = await chosen.write(derive_pending)
            except CamsError as err:
                log.warning("the works left pending could not be derived: %s", err)
            else:
                if stats.works:
                    log.info("derived %d works left pending", stats.works)
            if settings.demo:
                report = await chosen.write(import_demo_if_empty)
                if report is None:
                    log.warning("--demo: the store is not empty; the demo was not imported")
                else:
                    log.info("demo catalogue imported: batch %s", report.batch_id)
            app.state.backend = chosen
            yield
        finally:
            await chosen.close()

    try:
        import swagger_ui_bundle  # noqa: F401

        docs_url: str | None = None
    except ImportError:  # pragma: no cover
        docs_url = "/docs"
    app = _App(
        dependencies=[Depends(current_token)],
        title="cams-graph",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url=docs_url,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.tokens = TokenRegistry(settings.token_file(), admin_token=settings.admin_token)
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"))
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.sparql = BodyLimit(sparql_router.endpoint_app, max_bytes=settings.max_body_bytes)
    _docs(app)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
