"""The report of an import: what was read, what is wrong and where, what was stored.

An :class:`ImportReport` is what :func:`cams_graph.importer.import_paths` returns
and what ``cams import`` prints, as text for a person (:func:`render_text`) or as
JSON in the schema of ``docs/import-report.schema.json`` (:func:`to_json`).

>>> problem = Problem(file="works.csv", row=3, column="category", value="novel",
...                   rule="value-not-in-list", severity="violation",
...                   message="category must be one of the work categories")
>>> problem.where()
'works.csv:3'
>>> report = ImportReport(status="rejected", problems=[problem])
>>> print(render_text(report))
works.csv:3: category: category must be one of the work categories (novel)
rejected: 1 violation, 0 warnings; nothing was stored
>>> report.exit_code
1
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "SCHEMA_ID",
    "EntityCounts",
    "FileRecord",
    "ImportReport",
    "Problem",
    "Severity",
    "Status",
    "render_text",
    "to_json",
    "to_json_dict",
]

SCHEMA_ID = "https://w3id.org/cams-graph/schema/import-report/1"
"""The ``$id`` of the JSON Schema the JSON report follows (``docs/import-report.schema.json``)."""

Severity = Literal["violation", "warning", "info"]
Status = Literal["stored", "nothing_new", "rejected", "valid"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the batch, located as precisely as the input allows.

    ``row`` is the spreadsheet row of a CSV file (the header is row 1); ``line``
    the line of an RDF file (best effort). ``column`` is the CSV column or, for
    RDF, the property in compact form. ``rule`` is the SHACL shape's local name
    or a code of the importer (``duplicate-key``, ``key-exists``, …).
    """

    rule: str
    severity: Severity
    message: str
    message_zh: str = ""
    file: str | None = None
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    node: str | None = None

    def where(self) -> str:
        """``file:row`` (or ``file:line``), as much of it as is known."""
        if self.file is None:
            return "(batch)"
        position = self.row if self.row is not None else self.line
        return f"{self.file}:{position}" if position is not None else self.file

    def sort_key(self) -> tuple[str, int, str, str]:
        position = self.row if self.row is not None else (self.line or 0)
        return (self.file or "", position, self.column or "", self.rule)


@dataclass(frozen=True)
class FileRecord:
    """A source file of the batch: its name, digest and size in rows (CSV) or triples (RDF)."""

    path: str
    format: str
    sha256: str
    rows: int


@dataclass
class EntityCounts:
    """Parties, works and agreements counted by what the import does to them."""

    parties: int = 0
    works: int = 0
    agreements: int = 0

    def total(self) -> int:
        return self.parties + self.works + self.agreements

    def add(self, kind: str, n: int = 1) -> None:
        """Count ``n`` more of ``kind`` (``party``, ``work`` or ``agreement``)."""
        name = {"party": "parties", "work": "works", "agreement": "agreements"}[kind]
        setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        return {"parties": self.parties, "works": self.works, "agreements": self.agreements}


@dataclass
class ImportReport:
    """Everything an import found and did. ``status`` decides the exit code."""

    status: Status
    batch_id: str | None = None
    dry_run: bool = False
    update: bool = False
    by: str = ""
    started: str | None = None
    ended: str | None = None
    files: list[FileRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: EntityCounts = field(default_factory=EntityCounts)
    updated: EntityCounts = field(default_factory=EntityCounts)
    unchanged: EntityCounts = field(default_factory=EntityCounts)
    triples_read: int = 0
    triples_stored: int = 0
    replaced_batches: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def exit_code(self) -> int:
        """0 stored, nothing new or valid (dry run); 1 rejected."""
        return 1 if self.status == "rejected" else 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(report: ImportReport) -> str:
    """One line per problem, ``file:row: column: message (value)``, then a summary line."""
    lines = []
    for p in sorted(report.problems, key=Problem.sort_key):
        head = p.where() + ": "
        if p.severity != "violation":
            head += f"{p.severity}: "
        if p.column:
            head += p.column + ": "
        value = f" ({p.value})" if p.value not in (None, "") else ""
        lines.append(f"{head}{p.message}{value}")
    counts = _plural(len(report.violations), "violation")
    counts += ", " + _plural(len(report.warnings), "warning")
    created = ", ".join(f"{n} {k}" for k, n in report.created.as_dict().items() if n)
    updated = ", ".join(f"{n} {k}" for k, n in report.updated.as_dict().items() if n)
    if report.status == "rejected":
        lines.append(f"rejected: {counts}; nothing was stored")
    elif report.status == "nothing_new":
        lines.append(
            f"nothing new: every row is already in the store ({counts}); nothing was stored"
        )
    else:
        what = f"{report.triples_stored} triples"
        if created:
            what += f"; created {created}"
        if updated:
            what += f"; replaced {updated}"
        if report.replaced_batches:
            what += f" (from batch {', '.join(report.replaced_batches)})"
        if report.status == "valid":
            lines.append(f"valid ({counts}); dry run, nothing was stored: would store {what}")
        else:
            lines.append(f"stored batch {report.batch_id}: {what} ({counts})")
    return "\n".join(lines)


def to_json_dict(report: ImportReport) -> dict[str, Any]:
    """The report as plain JSON data in the documented schema (``docs/import-report.md``)."""
    return {
        "$schema": SCHEMA_ID,
        "status": report.status,
        "batch": report.batch_id,
        "dry_run": report.dry_run,
        "update": report.update,
        "by": report.by,
        "started": report.started,
        "ended": report.ended,
        "files": [
            {"path": f.path, "format": f.format, "sha256": f.sha256, "rows": f.rows}
            for f in report.files
        ],
        "summary": {
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "triples_read": report.triples_read,
            "triples_stored": report.triples_stored,
            "created": report.created.as_dict(),
            "updated": report.updated.as_dict(),
            "unchanged": report.unchanged.as_dict(),
            "replaced_batches": list(report.replaced_batches),
        },
        "problems": [
            {
                "file": p.file,
                "row": p.row,
                "line": p.line,
                "column": p.column,
                "value": p.value,
                "node": p.node,
                "rule": p.rule,
                "severity": p.severity,
                "message": p.message,
                "message_zh": p.message_zh,
            }
            for p in sorted(report.problems, key=Problem.sort_key)
        ],
    }


def to_json(report: ImportReport) -> str:
    """The JSON report, indented, keys in a fixed order."""
    return json.dumps(to_json_dict(report), ensure_ascii=False, indent=2)
