"""The ``cams`` command.

Each group of subcommands lives in a module of its own; this module draws the
top-level group with the global options and turns every
:class:`~cams_graph.errors.CamsError` into one line on standard error and the
exit status the error carries (1 for a rejected import, 2 for bad input or
usage).
"""

from __future__ import annotations

import os
import sys

import click

from .._version import __version__
from ..errors import CamsError, QuerySyntaxError
from ._context import AppContext

__all__ = ["cli", "main"]


class _Cams(click.Group):
    """The top-level group: a :class:`~cams_graph.errors.CamsError` from any command becomes
    one line on standard error (with the place in the text for a query syntax error) and
    the exit status the error carries."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CamsError as err:
            click.echo(f"cams: error: {err}", err=True)
            pointer = err.pointer() if isinstance(err, QuerySyntaxError) else None
            if pointer:
                click.echo(pointer, err=True)
            ctx.exit(err.exit_code)


@click.group(
    cls=_Cams,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--store",
    "store_option",
    metavar="DIR|URL",
    help="The store: a folder for the embedded store, or a SPARQL endpoint URL. "
    "Default: $CAMS_STORE, else the embedded store in the user's data folder.",
)
@click.option(
    "--update-url",
    metavar="URL",
    envvar="CAMS_STORE_UPDATE_URL",
    help="With a SPARQL endpoint as --store: where it takes updates, if elsewhere "
    "(Virtuoso: .../sparql-auth). Default: $CAMS_STORE_UPDATE_URL, else the store URL. "
    "Credentials come from CAMS_STORE_USER/CAMS_STORE_PASSWORD or CAMS_STORE_TOKEN only.",
)
@click.option(
    "--graph-store-url",
    metavar="URL",
    envvar="CAMS_STORE_GRAPH_STORE_URL",
    help="With a SPARQL endpoint as --store: its Graph Store Protocol endpoint, used for "
    "bulk loads (Oxigraph: .../store). Default: $CAMS_STORE_GRAPH_STORE_URL, else none.",
)
@click.version_option(__version__, prog_name="cams")
@click.pass_context
def cli(
    ctx: click.Context,
    store_option: str | None,
    update_url: str | None = None,
    graph_store_url: str | None = None,
) -> None:
    """cams-graph: who owns which right, where, on which day, and how we know.

    A knowledge graph of works, parties and agreements, checked by SHACL rules
    and answered with a chain of title and conflicts.
    """
    ctx.obj = AppContext(
        store_option=store_option, update_url=update_url, graph_store_url=graph_store_url
    )


def _register() -> None:
    from . import generate, imports, ontology, query, serve, title

    for module in (query, ontology, imports, title, generate, serve):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Run ``cams``; errors become a message and an exit status, never a traceback."""
    try:
        # Without standalone mode click returns the status a command exits with.
        status = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("cams: aborted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except CamsError as err:  # raised outside a command (while closing the store, say)
        click.echo(f"cams: error: {err}", err=True)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo("cams: interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # a bug: say so in one line, the traceback only on request
        if os.environ.get("CAMS_DEBUG"):
            raise
        click.echo(
            f"cams: internal error: {type(err).__name__}: {err} "
            "(set CAMS_DEBUG=1 to see where; please report it)",
            err=True,
        )
        sys.exit(3)
    sys.exit(status if isinstance(status, int) else 0)
