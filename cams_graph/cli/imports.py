"""``cams import``, ``cams batches`` and ``cams retract``: the data steward's front door.

``cams import`` prints one line per problem (``file:row: column: message (value)``)
and a summary line, or with ``--format json`` the report in the schema of
``docs/import-report.schema.json``. Exit status: 0 stored (warnings allowed),
nothing new, or valid (``--dry-run``); 1 rejected by violations (nothing
stored); 2 usage error or unreadable input.
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from pathlib import Path
from types import TracebackType

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cams_graph.importer import ImportOptions, import_paths
from cams_graph.ledger import Limits
from cams_graph.provenance import list_batches, retract
from cams_graph.report import render_text, to_json

from ._context import AppContext, pass_app

__all__ = ["COMMANDS", "batches", "import_", "retract_"]

_DEFAULTS = Limits()


class _Progress:
    """A progress bar on standard error, shown only on a terminal and after ``delay`` seconds."""

    def __init__(self, delay: float = 2.0) -> None:
        self.enabled = sys.stderr.isatty()
        self.delay = delay
        self.began = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.began < self.delay:
            return
        if self.bar is None:
            self.bar = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(stage, total=max(total, 1))
        assert self.task is not None
        self.bar.update(self.task, description=stage, completed=done, total=max(total, 1))

    def __enter__(self) -> _Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--dry-run", is_flag=True, help="Validate the batch and store nothing.")
@click.option(
    "--update",
    is_flag=True,
    help="Replace the stored facts of parties, works and agreements whose rows changed.",
)
@click.option(
    "--by",
    metavar="NAME",
    help="Who imports, for the provenance record (default: the user name of this session).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The report as text or as JSON (docs/import-report.md).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.ttl",
    help="Write the SHACL validation report (sh:ValidationReport) as Turtle.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=_DEFAULTS.max_file_bytes,
    show_default=True,
    metavar="BYTES",
    help="Refuse any input file larger than this.",
)
@click.option(
    "--max-literal-length",
    type=click.IntRange(min=1),
    default=_DEFAULTS.max_literal_chars,
    show_default=True,
    metavar="CHARS",
    help="Report any cell or literal longer than this as a violation.",
)
@pass_app
def import_(
    app: AppContext,
    paths: tuple[str, ...],
    dry_run: bool,
    update: bool,
    by: str | None,
    fmt: str,
    report_path: Path | None,
    max_file_size: int,
    max_literal_length: int,
) -> None:
    """Import ledger folders, ledger CSV files and RDF files as one batch, all or nothing.

    Every row is mapped to the ontology's terms and the batch is validated with
    the SHACL shapes (and the ledger's other rules) before anything is stored.
    Re-importing rows already stored changes nothing; a changed row under an
    existing key is a violation unless --update is given.
    """
    options = ImportOptions(
        update=update,
        dry_run=dry_run,
        by=by or getpass.getuser(),
        limits=Limits(max_file_size, max_literal_length),
    )
    with _Progress() as progress:
        report = import_paths(
            app.store(), paths, options, progress=progress, shacl_report=report_path
        )
    click.echo(to_json(report) if fmt == "json" else render_text(report))
    if report.exit_code:
        click.get_current_context().exit(report.exit_code)


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_app
def batches(app: AppContext, fmt: str) -> None:
    """List the import batches with their provenance: who, when, which files, what was created."""
    found = list_batches(app.store())
    if fmt == "json":
        click.echo(
            json.dumps(
                [b.as_dict() for b in found],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for b in found:
        created = ", ".join(f"{n} {k}" for k, n in b.created.as_dict().items() if n) or "nothing"
        replaced = f"; replaced {', '.join(b.replaced)}" if b.replaced else ""
        click.echo(
            f"{b.batch_id}  {b.ended}  by {b.by}: {b.triples} triples, created {created}{replaced}"
        )
        for f in b.files:
            click.echo(f"    {f.path}  {f.rows} rows  sha256 {f.sha256}")
    click.echo(f"({len(found)} batch{'es' if len(found) != 1 else ''})")


@click.command("retract")
@click.argument("batch_id", metavar="BATCH")
@click.option("--force", is_flag=True, help="Retract even when other batches refer to it.")
@pass_app
def retract_(app: AppContext, batch_id: str, force: bool) -> None:
    """Remove one import batch (its facts and its provenance) atomically.

    Refused, with the reason, when other batches refer to what it would remove,
    unless --force is given.
    """
    from cams_graph.importer import derive_pending

    store = app.store()
    result = retract(store, batch_id, force=force)
    derive_pending(store)
    others = f"; batches {', '.join(result.dependents)} referred to it" if result.dependents else ""
    click.echo(f"retracted batch {batch_id}: {result.triples} triples removed{others}")


COMMANDS = [import_, batches, retract_]
