"""Screening SPARQL before it runs, and choosing the format of its answer.

The embedded engine (Oxigraph) runs ``SERVICE`` and ``LOAD`` over HTTP with no
switch to turn them off, and cannot cancel a query once started. So every
query or update that comes from outside is screened here *before* execution:

* ``SERVICE`` (a federated query) and ``LOAD`` (fetch a document) are refused;
* a dataset naming graphs the store does not hold -- ``FROM``, ``FROM NAMED``,
  ``USING``, ``USING NAMED`` in the text, or the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` / ``using-graph-uri`` /
  ``using-named-graph-uri`` -- is refused (a general-purpose engine would
  fetch them from the web; cams-graph never does, and says so instead of
  answering from an empty graph). A server can relax this one rule
  (``unknown_graphs="empty"``) for clients that rely on the SPARQL protocol's
  "a graph you cannot load is empty" reading.

The screen works on tokens (:func:`tokens`), not on raw text: keywords inside
strings, IRIs and comments are ignored, ``\\uXXXX`` escapes are decoded first
(SPARQL allows them anywhere), and a ``<`` that may be either a less-than
operator or the start of an IRI is read both ways.

>>> screen_query("SELECT * WHERE { ?s ?p 'SERVICE' } # LOAD <x>").form
'SELECT'
>>> screen_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
cams_graph.errors.UnsafeQueryError: SERVICE (federated query) is not allowed on this server: \
it would make the server send requests to other hosts
>>> screen_query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
...              held_graphs=frozenset())
Traceback (most recent call last):
...
cams_graph.errors.UnsafeQueryError: FROM <http://example.org/g>: the store holds no such graph \
(cams-graph never fetches graphs from the web)

The second half of the module negotiates the answer's format from an HTTP
``Accept`` header (:func:`negotiate`) and counts the rows of a serialized
result while it is written, to enforce result-size caps (:class:`CappedOutput`).

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULT_FORMATS)
'json'
"""

from __future__ import annotations

import functools
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Final, Literal, NamedTuple
from urllib.parse import urljoin

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from .errors import InputError, ResultTooLargeError, UnsafeQueryError
from .namespaces import PREFIXES

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "CappedOutput",
    "Format",
    "Operation",
    "Screened",
    "Token",
    "UnknownGraphs",
    "add_using",
    "check_graphs",
    "negotiate",
    "parse_accept",
    "screen_query",
    "screen_update",
    "screened",
    "tokens",
    "unescape_codepoints",
]

UnknownGraphs = Literal["refuse", "empty"]
"""What to do with a dataset naming graphs the store does not hold."""


# -- the lexer -----------------------------------------------------------------------------


class Token(NamedTuple):
    """One token of a SPARQL text: its kind, its text and where it starts."""

    kind: str
    text: str
    start: int


_PN_CHARS = r"A-Za-z0-9_\-\u00B7\u00C0-\uFFFF"
_TOKEN: Final = re.compile(
    r"""
     (?P<ws>\s+)
    |(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    |(?P<bnode>_:[A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*)
    |(?P<pname>(?:[A-Za-z\u00C0-\uFFFF][A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*)?:
        (?:[A-Za-z0-9_\-.:%\\\u00B7\u00C0-\uFFFF]*))
    |(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/!=<>|^@])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_OPERAND_END: Final = frozenset({"var", "string", "number", "iri", "pname", "bnode", "lang"})
_CODEPOINT: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    r"""Decode ``\uXXXX`` and ``\UXXXXXXXX`` escapes, as SPARQL does before parsing.

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(replace, text)


def tokens(text: str, *, operators_in_expressions: bool = False) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (no whitespace, no comments).

    ``<`` followed by IRI characters and ``>`` is read as an IRI, except, with
    ``operators_in_expressions``, inside parentheses right after an operand,
    where it is read as the less-than operator (as a parser reads
    ``FILTER(?a<1&&?b>2)``).

    >>> [t.text for t in tokens("ASK { ?s <p> 'a # b' } # done")]
    ['ASK', '{', '?s', '<p>', "'a # b'", '}']
    >>> [t.kind for t in tokens("FILTER(?a<1&&?b>2)")][2:4]
    ['var', 'iri']
    >>> [t.kind for t in tokens("FILTER(?a<1&&?b>2)", operators_in_expressions=True)][2:5]
    ['var', 'punct', 'number']
    """
    position = 0
    depth = 0
    previous: Token | None = None
    length = len(text)
    while position < length:
        match = _TOKEN.match(text, position)
        assert match is not None  # the last alternative matches any character
        kind = match.lastgroup or "other"
        end = match.end()
        if (
            kind == "iri"
            and operators_in_expressions
            and depth > 0
            and previous is not None
            and (previous.kind in _OPERAND_END or previous.text == ")")
        ):
            kind, end = "punct", position + 1
        if kind not in ("ws", "comment"):
            token = Token(kind, text[position:end], position)
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth = max(0, depth - 1)
            previous = token
            yield token
        position = end


# -- screening -----------------------------------------------------------------------------

Operation = Literal["query", "update"]


@dataclass(frozen=True)
class Screened:
    """What the screen learnt of a query or update that it let through.

    ``form`` is ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` for a query
    (``UPDATE`` for an update); ``default_graphs`` and ``named_graphs`` the
    graphs of ``FROM`` / ``FROM NAMED`` (``USING`` / ``USING NAMED``).
    """

    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    has_dataset: bool = False
    has_with: bool = False

    @property
    def names_graphs(self) -> bool:
        """Whether the text names graphs of its dataset (``FROM``, ``USING``, ...)."""
        return bool(self.default_graphs or self.named_graphs)

    def check(
        self, held_graphs: frozenset[str] | None, unknown_graphs: UnknownGraphs = "refuse"
    ) -> None:
        """Refuse the graphs of the dataset that are not in ``held_graphs`` (see
        :func:`check_graphs`).

        >>> Screened("ASK", ("urn:g",)).check(frozenset())
        Traceback (most recent call last):
        ...
        cams_graph.errors.UnsafeQueryError: FROM <urn:g>: the store holds no such graph \
(cams-graph never fetches graphs from the web)
        """
        clause = "USING" if self.form == "UPDATE" else "FROM"
        check_graphs(self.default_graphs, held_graphs, clause, unknown_graphs)
        check_graphs(self.named_graphs, held_graphs, f"{clause} NAMED", unknown_graphs)


_FORMS: Final = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_NETWORK_HINT: Final = re.compile("service|load", re.IGNORECASE)
"""Text that may hold a ``SERVICE`` or ``LOAD`` keyword: without it, there is none to refuse."""

_CACHED_TEXT: Final = 8192
"""Texts up to this many characters have their screen result remembered (see :func:`screened`)."""


def _refuse_network(toks: Sequence[Token]) -> None:
    for token in toks:
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word == "SERVICE":
            raise UnsafeQueryError(
                "SERVICE (federated query) is not allowed on this server: it would make the "
                "server send requests to other hosts"
            )
        if word == "LOAD":
            raise UnsafeQueryError(
                "LOAD is not allowed on this server: it would make the server fetch a document "
                "from another host; import files with POST /api/imports instead"
            )


def _reads_differently(toks: Sequence[Token]) -> bool:
    """Whether :func:`tokens` with ``operators_in_expressions`` would read ``toks``'s text
    otherwise: only where an IRI token stands in parentheses right after an operand.

    Up to the first such place both readings are the same, so without one the
    second reading need not be made.

    >>> _reads_differently(list(tokens("FILTER(?a<1&&?b>2)")))
    True
    >>> _reads_differently(list(tokens("SELECT * { ?s <p> ?o FILTER(?o = <q>) }")))
    False
    """
    depth = 0
    previous: Token | None = None
    for token in toks:
        if (
            token.kind == "iri"
            and depth > 0
            and previous is not None
            and (previous.kind in _OPERAND_END or previous.text == ")")
        ):
            return True
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth = max(0, depth - 1)
        previous = token
    return False


def _prefixes(toks: Sequence[Token], base: str | None) -> tuple[dict[str, str], str | None]:
    """Prefix declarations and the BASE of the prologue(s), the cams prefixes predeclared."""
    declared = dict(PREFIXES)
    for i, token in enumerate(toks):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            name = toks[i + 1].text
            if name.endswith(":"):
                declared[name[:-1]] = _resolve(toks[i + 2].text[1:-1], base)
        elif word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _resolve(toks[i + 1].text[1:-1], base)
    return declared, base


def _resolve(iri: str, base: str | None) -> str:
    if base and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return urljoin(base, iri)
    return iri


def _graph_name(token: Token, prefixes: Mapping[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        return _resolve(unescape_codepoints(token.text[1:-1]), base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        if namespace is None:
            return None  # the parser will report the undeclared prefix
        return namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def _dataset(
    toks: Sequence[Token], keyword: str, prefixes: Mapping[str, str], base: str | None
) -> tuple[list[str], list[str], bool]:
    default: list[str] = []
    named: list[str] = []
    found = False
    for i, token in enumerate(toks):
        if token.kind != "word" or token.text.upper() != keyword:
            continue
        found = True
        j = i + 1
        is_named = j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED"
        if is_named:
            j += 1
        if j < len(toks):
            name = _graph_name(toks[j], prefixes, base)
            if name is not None:
                (named if is_named else default).append(name)
    return default, named, found


def check_graphs(
    graphs: Iterable[str],
    held_graphs: frozenset[str] | None,
    clause: str,
    unknown_graphs: UnknownGraphs = "refuse",
) -> None:
    """Refuse graphs the store does not hold (unless ``unknown_graphs`` is ``empty``).

    ``held_graphs`` None means the store's graphs are not known here (a remote
    store, which screens its own): nothing is refused.

    >>> check_graphs(["urn:g"], frozenset({"urn:g"}), "FROM")
    >>> check_graphs(["urn:x"], frozenset(), "FROM", "empty")
    >>> check_graphs(["not an IRI"], None, "FROM")
    Traceback (most recent call last):
    ...
    cams_graph.errors.InputError: FROM <not an IRI> is not an absolute IRI: ...
    """
    graphs = list(graphs)
    for graph in graphs:
        try:
            NamedNode(graph)
        except ValueError as err:
            raise InputError(f"{clause} <{graph}> is not an absolute IRI: {err}") from None
    if held_graphs is None or unknown_graphs == "empty":
        return
    for graph in graphs:
        if graph not in held_graphs:
            raise UnsafeQueryError(
                f"{clause} <{graph}>: the store holds no such graph "
                "(cams-graph never fetches graphs from the web)"
            )


def _screen(text: str, base: str | None, operation: Operation) -> Screened:
    """The screen of :func:`screened`, without its memory."""
    decoded = unescape_codepoints(text) if "\\" in text else text
    lowered = decoded.lower()
    toks: list[Token] | None = None
    if _NETWORK_HINT.search(decoded):
        toks = list(tokens(decoded))
        _refuse_network(toks)
        if _reads_differently(toks):
            _refuse_network(list(tokens(decoded, operators_in_expressions=True)))
    keyword = "USING" if operation == "update" else "FROM"
    default: list[str] = []
    named: list[str] = []
    found = False
    if keyword.lower() in lowered:
        toks = toks if toks is not None else list(tokens(decoded))
        prefixes, base = _prefixes(toks, base)
        default, named, found = _dataset(toks, keyword, prefixes, base)
        check_graphs(default, None, keyword)
        check_graphs(named, None, f"{keyword} NAMED")
    if operation == "update":
        has_with = "with" in lowered and any(
            t.kind == "word" and t.text.upper() == "WITH"
            for t in (toks if toks is not None else tokens(decoded))
        )
        return Screened("UPDATE", tuple(default), tuple(named), found, has_with)
    form = next(
        (
            t.text.upper()
            for t in (toks if toks is not None else tokens(decoded))
            if t.kind == "word" and t.text.upper() in _FORMS
        ),
        "",
    )
    return Screened(form, tuple(default), tuple(named), found)


_screen_remembered = functools.lru_cache(maxsize=1024)(_screen)


def screened(text: str, *, base: str | None = None, operation: Operation = "query") -> Screened:
    """Screen a query or update, without the store: ``SERVICE`` and ``LOAD`` are refused
    and the graphs of its dataset read (:meth:`Screened.check` checks them against the
    store's).

    The same text and base always screen the same, so the result of texts up to
    :data:`_CACHED_TEXT` characters is remembered (the last 1 024 of them): a query
    sent again costs no second reading. Texts holding neither ``service`` nor
    ``load`` in any case cannot hold either keyword and skip the token-level reading.

    >>> screened("SELECT * FROM <urn:g> { ?s ?p ?o }").default_graphs
    ('urn:g',)
    >>> screened("DELETE WHERE { ?s ?p ?o }", operation="update").form
    'UPDATE'
    """
    if len(text) <= _CACHED_TEXT:
        return _screen_remembered(text, base, operation)
    return _screen(text, base, operation)


def screen_query(
    text: str,
    *,
    held_graphs: frozenset[str] | None = None,
    base: str | None = None,
    unknown_graphs: UnknownGraphs = "refuse",
) -> Screened:
    """Screen a query; return its form and dataset, or raise :class:`UnsafeQueryError`.

    A text that is not a query at all gets the form ``""``: the parser will say why.

    >>> screen_query("PREFIX ex: <http://example.org/> ASK FROM ex:g {}",
    ...              held_graphs=frozenset({"http://example.org/g"})).default_graphs
    ('http://example.org/g',)
    """
    found = screened(text, base=base, operation="query")
    found.check(held_graphs, unknown_graphs)
    return found


def screen_update(
    text: str,
    *,
    held_graphs: frozenset[str] | None = None,
    base: str | None = None,
    unknown_graphs: UnknownGraphs = "refuse",
) -> Screened:
    """Screen an update (``LOAD`` and ``SERVICE`` refused, ``USING`` graphs checked).

    >>> screen_update("LOAD <http://example.org/data.ttl>")
    Traceback (most recent call last):
    ...
    cams_graph.errors.UnsafeQueryError: LOAD is not allowed on this server: it would make the \
server fetch a document from another host; import files with POST /api/imports instead
    """
    found = screened(text, base=base, operation="update")
    found.check(held_graphs, unknown_graphs)
    return found


def add_using(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """The update with ``USING`` / ``USING NAMED`` clauses added to each of its
    ``DELETE``/``INSERT ... WHERE`` operations (the protocol's ``using-graph-uri``
    and ``using-named-graph-uri``).

    >>> print(add_using("INSERT { ?s a <urn:T> } WHERE { ?s ?p ?o }", ["urn:g"], []))
    INSERT { ?s a <urn:T> } USING <urn:g> WHERE { ?s ?p ?o }
    >>> add_using("INSERT DATA { <urn:s> <urn:p> 1 } ; DELETE WHERE { ?s ?p 2 }", ["urn:g"], [])
    'INSERT DATA { <urn:s> <urn:p> 1 } ; DELETE WHERE { ?s ?p 2 }'
    """
    if not default_graphs and not named_graphs:
        return text
    clause = " ".join(
        [f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs]
    )
    toks = list(tokens(text))
    inserts: list[int] = []
    depth = 0
    modify = False
    for i, token in enumerate(toks):
        if token.text in ("{", "["):
            depth += 1
        elif token.text in ("}", "]"):
            depth -= 1
        elif depth == 0 and token.text == ";":
            modify = False
        elif depth == 0 and token.kind == "word":
            upper = token.text.upper()
            following = toks[i + 1].text if i + 1 < len(toks) else ""
            if upper in ("DELETE", "INSERT") and following == "{":
                modify = True
            elif upper == "WHERE" and modify:
                inserts.append(token.start)
                modify = False
    out = text
    for position in reversed(inserts):
        out = out[:position] + clause + " " + out[position:]
    return out


# -- formats ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """An answer format: its media type, aliases accepted in ``Accept``, Oxigraph's format."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    results: QueryResultsFormat | None = None
    rdf: RdfFormat | None = None
    label: str = ""

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (UTF-8 for the text formats)."""
        return self.media_type + "; charset=utf-8"


RESULT_FORMATS: Final[dict[str, Format]] = {
    "json": Format(
        "json",
        "application/sparql-results+json",
        ("application/json", "text/javascript", "application/javascript"),
        results=QueryResultsFormat.JSON,
        label="SPARQL results JSON",
    ),
    "xml": Format(
        "xml",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        results=QueryResultsFormat.XML,
        label="SPARQL results XML",
    ),
    "csv": Format("csv", "text/csv", results=QueryResultsFormat.CSV, label="CSV"),
    "tsv": Format("tsv", "text/tab-separated-values", results=QueryResultsFormat.TSV, label="TSV"),
}
"""The formats of SELECT and ASK results, in the server's order of preference."""

GRAPH_FORMATS: Final[dict[str, Format]] = {
    "turtle": Format(
        "turtle", "text/turtle", ("application/x-turtle",), rdf=RdfFormat.TURTLE, label="Turtle"
    ),
    "ntriples": Format(
        "ntriples",
        "application/n-triples",
        ("text/plain",),
        rdf=RdfFormat.N_TRIPLES,
        label="N-Triples",
    ),
    "jsonld": Format(
        "jsonld",
        "application/ld+json",
        ("application/json",),
        rdf=RdfFormat.JSON_LD,
        label="JSON-LD",
    ),
    "rdfxml": Format(
        "rdfxml",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        rdf=RdfFormat.RDF_XML,
        label="RDF/XML",
    ),
}
"""The formats of CONSTRUCT and DESCRIBE results and of graphs, in order of preference."""


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    params: dict[str, str] = field(default_factory=dict)

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 0 not at all, 1-3 more and more."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == "*":
            return 2
        if self.type == kind and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[_Range]:
    """The media ranges of an ``Accept`` header (``*/*`` when there is none).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.3, text/turtle")]
    [('text', '*', 0.3), ('text', 'turtle', 1.0)]
    """
    if not header or not header.strip():
        return [_Range("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        kind, _, sub = media.partition("/")
        q = 1.0
        params: dict[str, str] = {}
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            name = name.strip().lower()
            if name == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif name:
                params[name] = value.strip().strip('"')
        ranges.append(_Range(kind.strip(), sub.strip(), q, params))
    return ranges


def negotiate(
    accept: str | None, offers: Mapping[str, Format], *, default: str | None = None
) -> str | None:
    """The key of the offered format the ``Accept`` header prefers, or None if none is acceptable.

    The most specific media range that matches a format gives its quality; among
    formats of the same quality, an exact media type beats a wildcard, a
    format's own media type beats an alias, then ``default`` (the first offer
    when not given) and the server's order decide.

    >>> negotiate(None, GRAPH_FORMATS)
    'turtle'
    >>> negotiate("application/json", RESULT_FORMATS), negotiate("application/json", GRAPH_FORMATS)
    ('json', 'jsonld')
    >>> negotiate("image/png", RESULT_FORMATS) is None
    True
    """
    ranges = parse_accept(accept)
    if default is None:
        default = next(iter(offers))
    best: tuple[float, int, int, int, int] | None = None
    chosen: str | None = None
    for order, (key, fmt) in enumerate(offers.items()):
        for media, primary in [(fmt.media_type, 1)] + [(a, 0) for a in fmt.aliases]:
            specificity, q = 0, 0.0
            for r in ranges:
                s = r.matches(media)
                if s > specificity:
                    specificity, q = s, r.q
            if not specificity or q <= 0:
                continue
            score = (q, specificity, primary, int(key == default), -order)
            if best is None or score > best:
                best, chosen = score, key
    return chosen


# -- result size caps ----------------------------------------------------------------------


_JSON_STRING: Final = re.compile(rb'"(?:[^"\\]|\\.)*"')


class CappedOutput(io.RawIOBase):
    """A binary sink for a serialized result that counts rows and bytes and enforces caps.

    It keeps the first ``spill`` bytes in memory and the rest in a temporary
    file. Rows are counted on the bytes as they are written, exactly for each
    format Oxigraph writes: ``<result>`` elements of XML, lines of TSV, record
    ends outside quotes of CSV, solution objects of JSON (strings skipped).
    Every row takes at least a byte, so while the answer is no longer than
    ``max_rows`` bytes the count waits: most answers are small and are never
    read for rows, unless :attr:`rows` is asked for.

    >>> out = CappedOutput("json", max_rows=1, max_bytes=1000)
    >>> head = b'{"head":{"vars":["a"]},"results":{"bindings":'
    >>> _ = out.write(head + b'[{"a":{"type":"literal","value":"[{"}}')
    >>> out.rows
    1
    >>> out.write(b',{"a":{"type":"literal","value":",{"}}]}}')
    Traceback (most recent call last):
    ...
    cams_graph.errors.ResultTooLargeError: the result has more than 1 rows
    """

    def __init__(self, kind: str, *, max_rows: int, max_bytes: int, spill: int = 1 << 20) -> None:
        super().__init__()
        self.kind = kind
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.spill = spill
        self.size = 0
        self._rows = 0
        self._lines = 0
        self._carry = b""
        self._quoted = False
        self._memory = io.BytesIO()
        self._file: IO[bytes] | None = None
        # Rows are not counted while the answer, all in memory, has at most this many bytes.
        self._uncounted_up_to = min(max_rows, spill)

    @property
    def rows(self) -> int:
        """The rows (triples) written so far."""
        self._count_now()
        return self._rows

    @property
    def counted(self) -> int | None:
        """The rows counted so far without counting now: None while the count waits.

        >>> out = CappedOutput("tsv", max_rows=100, max_bytes=1000)
        >>> _ = out.write(b"?a\\n1\\n")
        >>> out.counted is None, out.rows, out.counted
        (True, 1, 1)
        """
        if self.kind == "graph" or self._uncounted_up_to < 0:
            return self._rows
        return None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise ResultTooLargeError(f"the result is larger than {self.max_bytes} bytes")
        if self.size <= self._uncounted_up_to:
            self._memory.write(chunk)
            return len(chunk)
        self._count_now()
        self._count(chunk)
        if self._rows > self.max_rows:
            raise ResultTooLargeError(f"the result has more than {self.max_rows} rows")
        if self._file is None and self._memory.tell() + len(chunk) > self.spill:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (kept open until read)
            self._file.write(self._memory.getvalue())
            self._memory = io.BytesIO()
        (self._file or self._memory).write(chunk)
        return len(chunk)

    def _count_now(self) -> None:
        """Count the rows of what waited in memory uncounted, and count from now on."""
        if self._uncounted_up_to >= 0:
            self._uncounted_up_to = -1
            self._count(self._memory.getvalue())

    def add_rows(self, n: int = 1) -> None:
        """Count rows counted elsewhere (triples of a graph result)."""
        self._rows += n
        if self._rows > self.max_rows:
            raise ResultTooLargeError(f"the result has more than {self.max_rows} triples")

    def _count(self, chunk: bytes) -> None:
        if self.kind == "xml":
            data = self._carry + chunk
            self._rows += data.count(b"<result>")
            self._carry = data[-7:]
        elif self.kind == "tsv":
            self._lines += chunk.count(b"\n")
            self._rows = max(0, self._lines - 1)
        elif self.kind == "csv":
            pieces = chunk.split(b'"')
            for i, piece in enumerate(pieces):
                outside = (i % 2 == 0) != self._quoted
                if outside:
                    self._lines += piece.count(b"\n")
            if len(pieces) % 2 == 0:
                self._quoted = not self._quoted
            self._rows = max(0, self._lines - 1)
        elif self.kind == "json":
            stripped = _JSON_STRING.sub(b"S", self._carry + chunk)
            cut = stripped.find(b'"')
            body, carry = (stripped, b"") if cut < 0 else (stripped[:cut], stripped[cut:])
            if body[-1:] in (b",", b"["):
                body, carry = body[:-1], body[-1:] + carry
            self._rows += body.count(b",{") + body.count(b"[{")
            self._carry = carry

    def getvalue(self) -> bytes:
        """Everything written, when it stayed in memory."""
        if self._file is not None:
            raise ValueError("the result spilled to a file; use file()")
        return self._memory.getvalue()

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def file(self) -> IO[bytes]:
        """The temporary file holding the result, rewound (only when it spilled)."""
        if self._file is None:
            raise ValueError("the result is in memory; use getvalue()")
        self._file.flush()
        self._file.seek(0)
        return self._file
