"""Reading untrusted RDF files safely: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML.

Files are parsed by Oxigraph's parsers, which make no network request. What is
refused before parsing, with :class:`~cams_graph.errors.InputError` naming the
file:

- a file over the size limit, a binary file, text that is not UTF-8;
- JSON-LD whose ``@context`` (or ``@import``) names a remote document: nothing
  is fetched, the context must be written inline;
- RDF/XML with a document type declaration that declares entities or names an
  external DTD (external entities, entity-expansion bombs);
- a syntax error, such as a truncated file (the message gives the line).

``owl:imports`` and every other triple is data: nothing is followed. Named
graphs of TriG and N-Quads files are merged into the batch's own graph (with a
warning). Literals longer than the limit are reported as violations.

>>> turtle = b'@prefix ex: <http://example.org/> .\\nex:a ex:p "x" .\\n'
>>> doc = parse_rdf("a.ttl", turtle, RdfFormat.TURTLE)
>>> len(doc.triples), doc.line_of("http://example.org/a")
(1, 2)
>>> remote = b'{"@context": "http://example.org/ctx", "@id": "http://example.org/a"}'
>>> try:
...     parse_rdf("a.jsonld", remote, RdfFormat.JSON_LD)
... except InputError as err:
...     print(err)  # doctest: +ELLIPSIS
a.jsonld: the JSON-LD @context 'http://example.org/ctx' is a remote document; cams never ...
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Triple, parse

from .errors import InputError
from .ledger import Limits
from .report import Problem
from .terms import compact

__all__ = [
    "FORMAT_CODES",
    "RDF_EXTENSIONS",
    "RdfDocument",
    "parse_rdf",
    "rdf_format_of",
    "read_rdf",
]

FORMAT_CODES: Final[dict[RdfFormat, str]] = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.N_TRIPLES: "n-triples",
    RdfFormat.N_QUADS: "n-quads",
    RdfFormat.TRIG: "trig",
    RdfFormat.JSON_LD: "json-ld",
    RdfFormat.RDF_XML: "rdf-xml",
}
"""The stable names of the RDF formats in reports and provenance."""

RDF_EXTENSIONS: Final[dict[str, RdfFormat]] = {
    ".ttl": RdfFormat.TURTLE,
    ".turtle": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}
"""File name endings read as RDF, and their formats."""

_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_EXTERNAL_ID = re.compile(r"<!DOCTYPE\s+[^\s\[>]+\s+(SYSTEM|PUBLIC)\b", re.IGNORECASE)
_TURTLE_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([\w\-.]*):\s*<([^>]*)>", re.IGNORECASE)
_XML_PREFIX = re.compile(r"xmlns:([\w\-.]+)\s*=\s*[\"']([^\"']*)[\"']")


def rdf_format_of(path: str) -> RdfFormat | None:
    """The RDF format of a file, from its name; ``None`` if it is not an RDF file name.

    >>> rdf_format_of("data/works.ttl"), rdf_format_of("works.csv")
    (<RdfFormat Turtle>, None)
    """
    return RDF_EXTENSIONS.get(Path(path).suffix.lower())


@dataclass
class RdfDocument:
    """The triples of one RDF file, what was wrong in it, and its text for finding lines."""

    path: str
    format: RdfFormat
    text: str
    triples: list[Triple] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    @cached_property
    def _prefixes(self) -> list[tuple[str, str]]:
        pattern = _XML_PREFIX if self.format == RdfFormat.RDF_XML else _TURTLE_PREFIX
        return [(m.group(1), m.group(2)) for m in pattern.finditer(self.text)]

    def line_of(self, iri: str) -> int | None:
        """The first line that names ``iri`` in full or with a declared prefix (best effort)."""
        candidates = [f"<{iri}>", f'"{iri}"']
        candidates += [
            f"{p}:{iri[len(ns) :]}" for p, ns in self._prefixes if ns and iri.startswith(ns)
        ]
        positions = [pos for c in candidates if (pos := self.text.find(c)) >= 0]
        if not positions:
            return None
        position = min(positions)
        low, high = 0, len(self._line_starts)
        while high - low > 1:
            mid = (low + high) // 2
            if self._line_starts[mid] <= position:
                low = mid
            else:
                high = mid
        return low + 1


def read_rdf(
    path: Path, rdf_format: RdfFormat, limits: Limits | None = None, name: str | None = None
) -> tuple[RdfDocument, bytes]:
    """Read and parse one RDF file; returns the document and the raw bytes (for the digest)."""
    limits = limits or Limits()
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"{label}: {size} bytes, over the limit of {limits.max_file_bytes} bytes "
                "for one file; split it or raise the limit (--max-file-size)"
            )
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{label}: cannot read the file: {err.strerror or err}") from None
    return parse_rdf(label, data, rdf_format, limits), data


def _text(path: str, data: bytes, limits: Limits) -> str:
    if len(data) > limits.max_file_bytes:
        raise InputError(f"{path}: over the limit of {limits.max_file_bytes} bytes for one file")
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: a binary file, not RDF text")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "save it as UTF-8"
        ) from None


def _check_xml(path: str, text: str) -> None:
    if _ENTITY.search(text):
        raise InputError(
            f"{path}: the RDF/XML declares XML entities (<!ENTITY …>); they are refused "
            "because they can read files, reach the network or expand without bound"
        )
    if _DOCTYPE.search(text) and _EXTERNAL_ID.search(text):
        raise InputError(f"{path}: the RDF/XML names an external DTD; it is refused, not fetched")


def _check_jsonld(path: str, text: str) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: line {err.lineno}: not JSON: {err.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: the JSON is nested too deeply") from None
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    for context in value if isinstance(value, list) else [value]:
                        if isinstance(context, str):
                            raise InputError(
                                f"{path}: the JSON-LD {key} {context!r} is a remote document; "
                                "cams never fetches one: put the context inline in the file"
                            )
                stack.append(value)


def parse_rdf(
    path: str, data: bytes, rdf_format: RdfFormat, limits: Limits | None = None
) -> RdfDocument:
    """Parse the bytes of one RDF file (see the module docstring for what is refused)."""
    limits = limits or Limits()
    text = _text(path, data, limits)
    if rdf_format == RdfFormat.RDF_XML:
        _check_xml(path, text)
    elif rdf_format in (RdfFormat.JSON_LD, RdfFormat.STREAMING_JSON_LD):
        _check_jsonld(path, text)
    document = RdfDocument(path, rdf_format, text)
    named = 0
    long_literals: list[tuple[str, NamedNode, Literal]] = []
    try:
        for quad in parse(data.removeprefix(b"\xef\xbb\xbf"), rdf_format, rename_blank_nodes=True):
            triple = quad.triple
            if not isinstance(quad.graph_name, DefaultGraph):
                named += 1
            obj = triple.object
            if isinstance(obj, Triple) or isinstance(triple.subject, Triple):
                raise InputError(f"{path}: RDF 1.2 triple terms (<< … >>) are not supported")
            if isinstance(obj, Literal) and len(obj.value) > limits.max_literal_chars:
                long_literals.append((triple.subject.value, triple.predicate, obj))
            document.triples.append(triple)
    except SyntaxError as err:
        message = str(err.args[0]) if err.args else str(err)
        if "remote context" in message.lower():
            raise InputError(
                f"{path}: the JSON-LD names a remote @context; cams never fetches one: "
                "put the context inline in the file"
            ) from None
        raise InputError(f"{path}: not valid {rdf_format.name}: {message}") from None
    except (ValueError, OSError) as err:
        raise InputError(f"{path}: cannot parse as {rdf_format.name}: {err}") from None
    for subject, predicate, literal in long_literals:
        document.problems.append(
            Problem(
                rule="literal-too-long",
                severity="violation",
                file=path,
                line=document.line_of(subject),
                column=compact(predicate),
                node=subject,
                value=literal.value[:40] + "…",
                message=f"a literal of {len(literal.value)} characters, over the limit of "
                f"{limits.max_literal_chars}",
                message_zh=f"字面量长 {len(literal.value)} 个字符，"
                f"超过上限 {limits.max_literal_chars}",
            )
        )
    if named:
        document.problems.append(
            Problem(
                rule="named-graphs-merged",
                severity="warning",
                file=path,
                message=f"{named} triples in named graphs were merged into the batch's own graph",
                message_zh=f"命名图中的 {named} 个三元组已并入本批次的图",
            )
        )
    return document
