"""``cams query`` and ``cams info``: SPARQL over the store, and what the store holds."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from ..errors import InputError
from ..terms import compact
from ._context import AppContext, pass_app

__all__ = ["COMMANDS", "info", "query"]

_RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "xml": QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {
    "json": RdfFormat.JSON_LD,
    "csv": RdfFormat.N_TRIPLES,
    "tsv": RdfFormat.N_TRIPLES,
    "xml": RdfFormat.RDF_XML,
}


def _read_query(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the query file {source}: {err}") from None


def render_table(result: QuerySolutions) -> str:
    """SELECT rows as aligned text columns with compact terms.

    >>> from cams_graph.store import EmbeddedStore
    >>> print(render_table(EmbeddedStore.in_memory().query("SELECT ?a WHERE { BIND(1 AS ?a) }")))
    a
    -
    1
    (1 row)
    """
    names = [v.value for v in result.variables]
    body = [[compact(solution[n]) for n in names] for solution in result]
    widths = [max([len(n)] + [len(r[i]) for r in body]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)


@click.command()
@click.argument("source", metavar="FILE|-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv", "xml"]),
    default="table",
    show_default=True,
    help="SELECT/ASK: a text table or SPARQL results in JSON, CSV, TSV or XML. "
    "CONSTRUCT/DESCRIBE: Turtle for table, JSON-LD for json, N-Triples for csv/tsv, "
    "RDF/XML for xml.",
)
@pass_app
def query(app: AppContext, source: str, fmt: str) -> None:
    """Run the SPARQL query in FILE (or standard input) over the store.

    The default graph is the union of all graphs; the cams-graph prefixes
    (cams:, right:, territory:, dcterms:, prov:, …) are predeclared. A syntax
    error prints its line and column and exits with status 2.
    """
    result = app.store().query(_read_query(source))
    out = sys.stdout.buffer
    if isinstance(result, QuerySolutions):
        if fmt == "table":
            click.echo(render_table(result))
        else:
            out.write(result.serialize(format=_RESULT_FORMATS[fmt]) or b"")
    elif isinstance(result, QueryBoolean):
        if fmt == "table":
            click.echo("true" if bool(result) else "false")
        else:
            out.write(result.serialize(format=_RESULT_FORMATS[fmt]) or b"")
    else:
        buffer = io.BytesIO()
        rdf_format = RdfFormat.TURTLE if fmt == "table" else _GRAPH_FORMATS[fmt]
        result.serialize(buffer, format=rdf_format)
        out.write(buffer.getvalue())
    out.flush()


@click.command()
@pass_app
def info(app: AppContext) -> None:
    """Show where the store is, its named graphs and how many triples each holds."""
    store = app.store()
    sizes = store.graph_sizes()
    click.echo(f"store: {store.location}")
    click.echo(f"graphs: {len(sizes)}, triples: {sum(sizes.values())}")
    for graph in sorted(sizes):
        click.echo(f"  {sizes[graph]:>10}  {graph or '(default graph)'}")


COMMANDS = [query, info]
