"""``cams ontology``: the ontology itself, checked with an OWL reasoner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from cams_graph.reasoner import ReasonerResult

__all__ = ["COMMANDS", "check", "ontology", "render_result"]


def render_result(result: ReasonerResult) -> str:
    """The reasoner's figures for a person to read.

    >>> from cams_graph.reasoner import ReasonerResult
    >>> print(render_result(ReasonerResult(True, (), classes=51, seconds=1.04)))
    reasoner: HermiT (1.04 s)
    consistent: yes
    classes: 51
    unsatisfiable classes: none
    """
    lines = [
        f"reasoner: {result.reasoner} ({result.seconds:.2f} s)",
        f"consistent: {'yes' if result.consistent else 'no'}",
        f"classes: {result.classes}",
    ]
    if result.unsatisfiable:
        lines.append(f"unsatisfiable classes: {len(result.unsatisfiable)}")
        lines += [f"  {iri}" for iri in result.unsatisfiable]
    else:
        lines.append("unsatisfiable classes: none")
    return "\n".join(lines)


@click.group()
def ontology() -> None:
    """The cams-graph ontology (OWL 2 DL) and its vocabularies."""


@ontology.command()
@click.option(
    "--extra",
    "extra",
    metavar="FILE.ttl",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A Turtle file to check together with the ontology, e.g. an extension (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Figures for a person to read, or a JSON object.",
)
@click.pass_context
def check(ctx: click.Context, extra: tuple[Path, ...], fmt: str) -> None:
    """Run the HermiT reasoner on the ontology (and any --extra file).

    Prints whether it is consistent, how many classes it has and which are
    unsatisfiable. Exits 0 when it is consistent and every class is
    satisfiable, else 1. Needs a Java runtime; fetches nothing.
    """
    from cams_graph.reasoner import check_ontology

    result = check_ontology(extra_files=extra)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(render_result(result))
    ctx.exit(0 if result.ok else 1)


COMMANDS = [ontology]
