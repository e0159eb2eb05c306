"""Reading the ledger's CSV files as data stewards really save them.

A ledger table is a UTF-8 CSV file with a header row (``ledger.md``): with or
without a byte-order mark, with CRLF or LF line ends, with quoted cells that
hold commas, quotes and line breaks. A file in another encoding (GBK from a
Chinese Excel, say) is refused with :class:`~cams_graph.errors.InputError`
naming the file and saying how to save it again. The header is checked here:
a missing required column or an unknown one is a :class:`~cams_graph.report.Problem`
(an unknown one with the closest known name suggested).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
data row is row 2, and a cell with a line break inside does not start a new row.

>>> text = "\\ufeffwork_id,title,category\\r\\nW1,\\"River, \\"\\"Bend\\"\\"\\",literary\\r\\n"
>>> table = parse_table("works.csv", text)
>>> table.kind, table.columns
('works', ['work_id', 'title', 'category'])
>>> table.rows[0].number, table.rows[0].cells["title"]
(2, 'River, "Bend"')
>>> parse_table("works.csv", "work_id,titel,category\\n").problems[0].message
"unknown column 'titel'; did you mean 'title'?"
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from .errors import InputError
from .report import Problem

__all__ = [
    "HEADERS",
    "KINDS",
    "TABLES",
    "Limits",
    "Row",
    "Table",
    "TableSpec",
    "decode_text",
    "kind_of",
    "parse_table",
    "read_table",
]


@dataclass(frozen=True)
class Limits:
    """Size limits on untrusted input; the defaults suit ledgers of millions of rows."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_literal_chars: int = 100_000


@dataclass(frozen=True)
class TableSpec:
    """The columns of one ledger table."""

    kind: str
    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


TABLES: Final[dict[str, TableSpec]] = {
    "parties": TableSpec(
        "parties", ("party_id",), ("party_id", "name", "kind"), ("born", "died", "country")
    ),
    "works": TableSpec(
        "works",
        ("work_id",),
        ("work_id", "title", "category"),
        (
            "created",
            "first_published",
            "authorship",
            "derived_from",
            "derivation",
            "asset_class",
            "responsible_unit",
            "registration",
            "valuation_amount",
            "valuation_currency",
            "valuation_date",
        ),
    ),
    "contributions": TableSpec(
        "contributions", ("work_id", "party_id"), ("work_id", "party_id", "role"), ()
    ),
    "agreements": TableSpec(
        "agreements",
        ("agreement_id",),
        ("agreement_id", "type", "start"),
        (
            "grantors",
            "grantees",
            "works",
            "rights",
            "territories",
            "end",
            "signed",
            "written",
            "sublicensable",
            "parent",
            "registration",
            "document",
        ),
    ),
}
"""The four ledger tables by name (``parties.csv`` holds the table ``parties``)."""

KINDS: Final = tuple(TABLES)

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "parties": ("party_id", "name", "kind", "born", "died", "country"),
    "works": (
        "work_id",
        "title",
        "category",
        "created",
        "first_published",
        "authorship",
        "derived_from",
        "derivation",
    ),
    "contributions": ("work_id", "party_id", "role"),
    "agreements": (
        "agreement_id",
        "type",
        "grantors",
        "grantees",
        "works",
        "rights",
        "territories",
        "start",
        "end",
        "signed",
        "written",
        "sublicensable",
        "parent",
        "registration",
        "document",
    ),
}
"""The columns of each table in the order of the specification, as writers put them."""

_RESAVE = (
    'open it in Excel or WPS and use "Save As" with the type "CSV UTF-8 (Comma delimited)", '
    "or convert it with: iconv -f GB18030 -t UTF-8"
)


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet row number and its non-empty cells by column."""

    number: int
    cells: dict[str, str]


@dataclass
class Table:
    """A ledger table as read: its kind, header, rows and header problems."""

    path: str
    kind: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def kind_of(path: str, header: list[str] | None = None) -> str | None:
    """The ledger table a CSV file holds, from its name or else from its key columns.

    >>> kind_of("ledger/parties.csv"), kind_of("2024 export.csv", ["work_id", "party_id", "role"])
    ('parties', 'contributions')
    """
    stem = Path(path).stem.lower()
    if stem in TABLES:
        return stem
    columns = {c.strip().lower() for c in header or []}
    if "agreement_id" in columns:
        return "agreements"
    if "party_id" in columns and "work_id" in columns:
        return "contributions"
    if "party_id" in columns:
        return "parties"
    if "work_id" in columns:
        return "works"
    return None


def decode_text(path: str, data: bytes) -> str:
    """The text of a CSV file: UTF-8, a leading BOM dropped; anything else is refused.

    >>> decode_text("a.csv", "\\ufeffwork_id".encode())
    'work_id'
    >>> try:
    ...     decode_text("a.csv", "作品".encode("gbk"))
    ... except InputError as err:
    ...     print(str(err)[:45], "…", '"CSV UTF-8' in str(err))
    a.csv: not UTF-8 text (byte 0xd7 at offset 0; … True
    """
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: a binary file, not a CSV text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        hint = ""
        try:
            data.decode("gb18030")
            hint = "; it looks like GBK/GB18030, as a Chinese Excel saves it"
        except UnicodeDecodeError:
            pass
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}{hint}); "
            + _RESAVE
        ) from None
    return text.removeprefix("\ufeff")


def read_table(
    path: Path, limits: Limits | None = None, name: str | None = None
) -> tuple[Table, bytes]:
    """Read one ledger CSV file; returns the table and the raw bytes (for the digest)."""
    limits = limits or Limits()
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"{label}: {size} bytes, over the limit of {limits.max_file_bytes} bytes "
                "for one file; split the ledger or raise the limit (--max-file-size)"
            )
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{label}: cannot read the file: {err.strerror or err}") from None
    return parse_table(label, decode_text(label, data), limits), data


def _suggest(column: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(column, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; known columns: {', '.join(known)}"


def parse_table(path: str, text: str, limits: Limits | None = None) -> Table:
    """Parse the text of one ledger CSV file (see the module docstring)."""
    limits = limits or Limits()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InputError(f"{path}: row 1: not a CSV header: {err}") from None
    if header is None or not any(c.strip() for c in header):
        raise InputError(f"{path}: empty file: a ledger CSV file starts with a header row")
    kind = kind_of(path, header)
    if kind is None:
        raise InputError(
            f"{path}: cannot tell which ledger table this is; name it parties.csv, works.csv, "
            "contributions.csv or agreements.csv"
        )
    spec = TABLES[kind]
    columns = [c.strip().lower() for c in header]
    table = Table(path, kind, columns)
    problems = table.problems
    seen: set[str] = set()
    for index, column in enumerate(columns):
        if not column:
            problems.append(
                _header_problem(
                    path,
                    None,
                    "unknown-column",
                    f"column {index + 1} has no name",
                    f"第 {index + 1} 列没有列名",
                )
            )
        elif column in seen:
            problems.append(
                _header_problem(
                    path,
                    column,
                    "duplicate-column",
                    f"column '{column}' appears twice",
                    f"列 '{column}' 出现了两次",
                )
            )
        elif column not in spec.columns:
            problems.append(
                _header_problem(
                    path,
                    column,
                    "unknown-column",
                    f"unknown column '{column}'" + _suggest(column, spec.columns),
                    f"未知的列 '{column}'"
                    + _suggest(column, spec.columns).replace("; did you mean", "；是否应为"),
                )
            )
        seen.add(column)
    for column in spec.required:
        if column not in seen:
            problems.append(
                _header_problem(
                    path,
                    column,
                    "missing-column",
                    f"the required column '{column}' is missing",
                    f"缺少必需的列 '{column}'",
                )
            )
    width = len(columns)
    number = 1
    try:
        for record in reader:
            number += 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > width and any(c.strip() for c in record[width:]):
                problems.append(
                    Problem(
                        rule="extra-cells",
                        severity="violation",
                        file=path,
                        row=number,
                        message=f"{len(record)} cells in a row under a header of {width} columns",
                        message_zh=f"该行有 {len(record)} 个单元格，而表头只有 {width} 列",
                    )
                )
            cells: dict[str, str] = {}
            for column, cell in zip(columns, record, strict=False):
                value = cell.strip()
                if not value or not column:
                    continue
                if len(value) > limits.max_literal_chars:
                    problems.append(
                        Problem(
                            rule="literal-too-long",
                            severity="violation",
                            file=path,
                            row=number,
                            column=column,
                            value=value[:40] + "…",
                            message=f"{len(value)} characters, over the limit of "
                            f"{limits.max_literal_chars} for one cell",
                            message_zh=f"单元格有 {len(value)} 个字符，"
                            f"超过上限 {limits.max_literal_chars}",
                        )
                    )
                cells.setdefault(column, value)
            table.rows.append(Row(number, cells))
    except csv.Error as err:
        raise InputError(
            f"{path}: row {number + 1}: the file ends inside a quoted cell or is not CSV ({err})"
        ) from None
    return table


def _header_problem(path: str, column: str | None, rule: str, message: str, zh: str) -> Problem:
    return Problem(
        rule=rule,
        severity="violation",
        file=path,
        row=1,
        column=column,
        message=message,
        message_zh=zh,
    )
