"""``cams title``, ``cams conflicts`` and ``cams derive``: what legal teams ask."""

from __future__ import annotations

import json
from typing import Any

import click

from ..avails import avails as find_avails
from ..derive import derive_all, derive_pending
from ..title import conflicts as find_conflicts
from ..title import title as find_title
from ..vocabularies import CONFLICT_CODES
from ..workers import PARALLEL_FROM
from ._context import AppContext, pass_app

__all__ = [
    "COMMANDS",
    "avails",
    "conflicts",
    "derive",
    "render_avails",
    "render_conflicts",
    "render_title",
    "title",
]

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for a person to read, json as specified for programs.",
)


def _names(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "nobody"


def render_conflict(c: dict[str, Any]) -> str:
    """One conflict as two lines of text."""
    scope = []
    if c["rights"]:
        scope.append(", ".join(c["rights"]))
    if c["territories"]:
        scope.append(" ".join(c["territories"]))
    where = f" [{'; '.join(scope)}]" if scope else ""
    head = f"{c['severity'].upper():7} {c['code']}  {c['agreement'] or '-'}"
    if c["related"]:
        head += f" (with {', '.join(c['related'])})"
    return f"{head}  works {', '.join(c['works'])}{where}\n        {c['message']}"


def render_title(t: dict[str, Any]) -> str:
    """The chain of title as a timeline for a person to read.

    >>> print(render_title({"work": "W1", "right": "reproduction", "territory": "CN",
    ...     "at": "2024-05-01", "status": "protected", "expires": None, "owners": ["P2"],
    ...     "licences": [], "conflicts": [], "chain": [
    ...         {"event": "creation", "agreement": None, "from": [], "to": ["P1"],
    ...          "date": "2001-03-01"},
    ...         {"event": "assignment", "agreement": "A1", "from": ["P1"], "to": ["P2"],
    ...          "date": "2010-01-01"}]}))
    W1 · reproduction · CN · on 2024-05-01
    status:   protected (term of protection: end unknown)
    owners:   P2
    chain of title:
      2001-03-01  creation                 → P1
      2010-01-01  assignment    A1         P1 → P2
    licences in force: none
    conflicts: none
    """
    term = f"ends {t['expires']}" if t["expires"] else "end unknown"
    lines = [
        f"{t['work']} · {t['right']} · {t['territory']} · on {t['at']}",
        f"status:   {t['status'].replace('_', ' ')} (term of protection: {term})",
        f"owners:   {_names(t['owners'])}",
        "chain of title:" if t["chain"] else "chain of title: none",
    ]
    for e in t["chain"]:
        who = f"{', '.join(e['from'])} → {_names(e['to'])}" if e["from"] else f"→ {_names(e['to'])}"
        lines.append(
            f"  {e['date'] or 'unknown   '}  {e['event']:<12}  {e['agreement'] or '':<9}  {who}"
        )
    if t["licences"]:
        lines.append("licences in force:")
        for lic in t["licences"]:
            under = f", under {lic['parent']}" if lic["parent"] else ""
            lines.append(
                f"  {lic['agreement']:<9} {lic['type'].replace('_', ' ')}: "
                f"{_names(lic['grantors'])} → {_names(lic['grantees'])}, "
                f"{lic['start']} to {lic['end'] or 'open'}{under}"
            )
    else:
        lines.append("licences in force: none")
    if t["conflicts"]:
        lines.append("conflicts:")
        lines += ["  " + render_conflict(c).replace("\n", "\n  ") for c in t["conflicts"]]
    else:
        lines.append("conflicts: none")
    return "\n".join(lines)


def render_conflicts(items: list[dict[str, Any]]) -> str:
    """A list of conflicts for a person to read, with a count by severity."""
    if not items:
        return "no conflicts"
    errors = sum(1 for c in items if c["severity"] == "error")
    lines = [render_conflict(c) for c in items]
    lines.append(f"{len(items)} conflicts: {errors} errors, {len(items) - errors} warnings")
    return "\n".join(lines)


@click.command()
@click.argument("work")
@click.option("--right", "right", required=True, help="One right code, e.g. reproduction.")
@click.option("--territory", required=True, help="One country code (ISO 3166-1 alpha-2), e.g. CN.")
@click.option("--at", "at", required=True, metavar="YYYY-MM-DD", help="The day asked about.")
@_FORMAT
@pass_app
def title(app: AppContext, work: str, right: str, territory: str, at: str, fmt: str) -> None:
    """Who holds a right of WORK in a territory on a day, how they got it, and what is wrong.

    Prints the status (protected, public_domain, not_created), the owners, the
    chain of title (creation, assignments, successions, reversions), the
    licences in force and the conflicts that bear on the cell. An unknown work,
    right or territory exits with status 2.
    """
    answer = find_title(app.derived_store(), work, right, territory, at)
    click.echo(
        json.dumps(answer, ensure_ascii=False, indent=1) if fmt == "json" else render_title(answer)
    )


@click.command()
@click.option("--work", help="Only the conflicts that name this work.")
@click.option("--code", type=click.Choice(sorted(CONFLICT_CODES)), help="Only this code.")
@click.option("--severity", type=click.Choice(["error", "warning"]), help="Only this severity.")
@_FORMAT
@pass_app
def conflicts(
    app: AppContext, work: str | None, code: str | None, severity: str | None, fmt: str
) -> None:
    """The defects of the chains of title: the twelve conflict codes, with their messages.

    Sorted by code, then agreement, then works.
    """
    found = find_conflicts(app.derived_store(), work, code, severity)
    click.echo(
        json.dumps(found, ensure_ascii=False, indent=1)
        if fmt == "json"
        else render_conflicts(found)
    )


def render_avails(a: dict[str, Any]) -> str:
    """Avails for a person to read.

    >>> print(render_avails({"work": "W1", "right": "reproduction", "territory": "CN",
    ...     "from": "2024-01-01", "to": "2030-12-31",
    ...     "windows": [{"start": "2026-01-01", "end": "2030-12-31", "owners": ["P2"]}]}))
    W1 · reproduction · CN · 2024-01-01 to 2030-12-31
    free for an exclusive licence:
      2026-01-01 to 2030-12-31  granted by P2
    """
    lines = [f"{a['work']} · {a['right']} · {a['territory']} · {a['from']} to {a['to']}"]
    if not a["windows"]:
        lines.append("free for an exclusive licence: never in this period")
    else:
        lines.append("free for an exclusive licence:")
        for w in a["windows"]:
            lines.append(f"  {w['start']} to {w['end']}  granted by {_names(w['owners'])}")
    return "\n".join(lines)


@click.command()
@click.argument("work")
@click.option("--right", "right", required=True, help="One economic right code, e.g. filming.")
@click.option("--territory", required=True, help="One country code (ISO 3166-1 alpha-2), e.g. CN.")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day asked about.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Last day asked about.")
@_FORMAT
@pass_app
def avails(
    app: AppContext, work: str, right: str, territory: str, start: str, end: str, fmt: str
) -> None:
    """When an exclusive licence of a right of WORK in a territory could still be granted.

    A day is free when the work is created and protected, the cell has living
    owners, and no licence (of any kind) and no registered pledge is in force on
    it: an exclusive licence granted then would give no conflict. Windows are
    split where the owners (who would grant it) change.
    """
    found = find_avails(app.derived_store(), work, right, territory, start, end)
    click.echo(
        json.dumps(found, ensure_ascii=False, indent=1) if fmt == "json" else render_avails(found)
    )


@click.command()
@click.option(
    "--all", "everything", is_flag=True, help="Derive every work again from the stored facts."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --all: how many processes derive the works. Default: one per core, from "
    f"{PARALLEL_FROM} works on.",
)
@pass_app
def derive(app: AppContext, everything: bool, workers: int | None) -> None:
    """Bring the derived chain of title up to date.

    Without --all, derive the works left pending (by an import or retract that
    was interrupted); imports and retracts otherwise do this themselves. With
    --all, derive every work again and write only the works whose results
    changed: use it after writing facts with SPARQL Update or the graph store.
    """
    store = app.store()
    stats = derive_all(store, workers=workers) if everything else derive_pending(store)
    click.echo(
        f"derived {stats.works} works: {stats.conflicts} conflicts; {stats.written} works "
        f"written ({stats.triples} triples added, {stats.deleted} deleted), "
        f"{stats.unchanged} unchanged, in {stats.seconds:.2f} s"
        + (f" by {stats.workers} processes" if stats.workers > 1 else "")
    )


COMMANDS = [title, conflicts, avails, derive]
