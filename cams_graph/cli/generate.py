"""``cams generate``: a realistic ledger of any size, for benchmarks, demos and tests."""

from __future__ import annotations

from pathlib import Path

import click

from ..generate import generate as write_ledger

__all__ = ["COMMANDS", "generate"]


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path), metavar="OUT/")
@click.option("--works", type=click.IntRange(min=1), required=True, help="How many works.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The same seed, the same ledger."
)
@click.option(
    "--defects",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    metavar="RATE",
    help="Share of works with a planted defect, spread over the twelve conflict codes "
    "(0 gives a ledger without conflicts).",
)
def generate(out: Path, works: int, seed: int, defects: float) -> None:
    """Write a realistic rights ledger (the four CSV files) of WORKS works to OUT/.

    Catalogues per owner with a long tail, backlist deals, chains of
    assignments, successions after deaths, licences by territory and right,
    sublicences, derivatives with their upstream licences, co-authors,
    pledges, and a controllable rate of defects. Deterministic for a seed; it
    never breaks a rule that blocks an import. Needs no store.
    """
    stats = write_ledger(out, works, seed, defects)
    planted = sum(stats.defects.values())
    click.echo(
        f"wrote {stats.works} works, {stats.parties} parties, {stats.agreements} agreements, "
        f"{stats.contributions} contributions ({planted} planted defects) to {out} "
        f"in {stats.seconds:.1f} s"
    )


COMMANDS = [generate]
