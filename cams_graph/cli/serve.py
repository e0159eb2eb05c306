"""``cams serve`` and ``cams token``: run the server; make, list and revoke its access tokens."""

from __future__ import annotations

import json

import click

from ..tokens import Role, TokenRegistry
from ._context import AppContext, pass_app

__all__ = ["COMMANDS", "serve", "token"]


@click.command()
@click.option("--demo", is_flag=True, help="Import the bundled demo catalogue into an empty store.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0.1),
    default=None,
    metavar="SECONDS",
    help="Stop a SPARQL query or update after this long (default 30, or $CAMS_QUERY_TIMEOUT).",
)
@click.option(
    "--workers",
    "query_workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for SPARQL queries (default 2).",
)
@click.option(
    "--unknown-graphs",
    type=click.Choice(["refuse", "empty"]),
    default=None,
    help="A dataset naming graphs the store does not hold: refuse it (default) or read them "
    "as empty graphs.",
)
@click.option("--public-url", metavar="URL", help="The server's external URL behind a proxy.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@pass_app
def serve(
    app: AppContext,
    demo: bool,
    host: str,
    port: int,
    query_timeout: float | None,
    query_workers: int | None,
    unknown_graphs: str | None,
    public_url: str | None,
    log_level: str,
) -> None:
    """Serve the pages (/), the REST API (/api, /docs), SPARQL (/sparql) and the Graph Store.

    Anyone may read; imports and retracts need a steward token, SPARQL Update,
    graph writes and tokens an admin token ($CAMS_ADMIN_TOKEN, or made with
    `cams token create`). Queries are screened (no SERVICE, LOAD or unknown
    graphs) and stopped after --query-timeout seconds.
    """
    import uvicorn

    from api import Settings, create_app

    settings = Settings.from_environment(
        store=app.location,
        demo=demo,
        query_timeout=query_timeout,
        query_workers=query_workers,
        unknown_graphs=unknown_graphs,
        public_url=public_url,
    )
    click.echo(f"cams serve: store {settings.store}; http://{host}:{port}/", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


@click.group()
def token() -> None:
    """Access tokens of the server (stored hashed beside the store, or in $CAMS_TOKENS)."""


@token.command("create")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="reader, steward (imports, retracts) or admin (updates, graph writes, tokens).",
)
@click.option("--label", default="", help="What the token is for, shown in the list.")
@pass_app
def create(app: AppContext, role: str, label: str) -> None:
    """Make a token and print it (it is shown only this once)."""
    registry = TokenRegistry.for_store(app.location)
    issued = registry.create(role, label)
    click.echo(issued.token)
    click.echo(f"token {issued.id} ({issued.role.value}) saved to {registry.path}", err=True)


@token.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """List the tokens (never their secrets)."""
    registry = TokenRegistry.for_store(app.location)
    if fmt == "json":
        click.echo(json.dumps(registry.as_dicts(), indent=2))
        return
    for t in registry.list_tokens():
        click.echo(f"{t.id}  {t.role.value:<8} {t.created}  {t.label}")


@token.command("revoke")
@click.argument("token_id")
@pass_app
def revoke(app: AppContext, token_id: str) -> None:
    """Revoke a token by its id (the part after cams_ in the token)."""
    from ..errors import UnknownTermError

    if not TokenRegistry.for_store(app.location).revoke(token_id):
        raise UnknownTermError(f"no token {token_id!r}")
    click.echo(f"revoked token {token_id}")


COMMANDS = [serve, token]
