"""Any SPARQL 1.1 server as the store: :class:`RemoteStore`.

``cams --store URL`` (or ``CAMS_STORE=URL``) puts cams-graph on a SPARQL 1.1
endpoint: Oxigraph server, Virtuoso, Apache Jena Fuseki, GraphDB, Amazon
Neptune, QLever… :class:`RemoteStore` offers everything
:class:`~cams_graph.store.Store` does and returns the same pyoxigraph result
objects, so no command can tell it from the embedded store. Queries and
updates go through SPARQLWrapper; bulk loads through the Graph Store Protocol
when a graph store URL is given, else through chunked ``INSERT DATA``.

Where the server takes its update and graph store requests, and who we are::

    CAMS_STORE_UPDATE_URL        (--update-url)       default: the query URL
    CAMS_STORE_GRAPH_STORE_URL   (--graph-store-url)  default: none (INSERT DATA)
    CAMS_STORE_USER, CAMS_STORE_PASSWORD, CAMS_STORE_AUTH=basic|digest
    CAMS_STORE_TOKEN             (a bearer token, instead of a user)
    CAMS_STORE_TIMEOUT           seconds per request (default 600)

Credentials come only from the environment, never from the command line.

**All or nothing without multi-request transactions.** A write that must be
atomic (:meth:`RemoteStore.add`, :meth:`~RemoteStore.load`,
:meth:`~RemoteStore.replace_graph`, and the large ``INSERT DATA`` parts of
:meth:`~RemoteStore.update`) is first uploaded, in as many requests as it
takes, into *staging graphs* ``urn:cams:staging:<uuid>:<n>``, one per target
graph, then made visible by **one** SPARQL operation that copies them into
their targets, then the staging graphs are dropped. Staged triples are
*hidden*: their predicate is written ``urn:cams:staged:<predicate IRI>``, so
no query with a fixed predicate (every query of cams-graph) matches them
before the copy, which restores the predicate. A failed write drops its
staging graphs; staging graphs left by a crash are dropped when a store is
next opened, once they are older than :data:`STALE_AFTER` seconds.
``docs/remote-store.md`` says what a crash at each step leaves behind.

>>> config = RemoteConfig.from_environment("http://127.0.0.1:7878/query", {})
>>> config.update_url, config.auth
('http://127.0.0.1:7878/query', None)
>>> hide(NamedNode("https://w3id.org/cams-graph/ontology#work")).value
'urn:cams:staged:https://w3id.org/cams-graph/ontology#work'
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from pyoxigraph import Store as _OxStore
from SPARQLWrapper import BASIC as _BASIC
from SPARQLWrapper import DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from .errors import QuerySyntaxError, StoreError
from .store import Bindings, QueryResult, Reads, Term, query_prologue

__all__ = [
    "STAGED_PREFIX",
    "STAGING_PREFIX",
    "STALE_AFTER",
    "RemoteConfig",
    "RemoteStore",
    "hide",
    "virtuoso_dialect",
]

STAGING_PREFIX = "urn:cams:staging:"
"""Staging graphs are named ``urn:cams:staging:<uuid>:<n>``."""
STAGED_PREFIX = "urn:cams:staged:"
"""A staged triple's predicate is this prefix followed by the real predicate IRI."""
STAGED_AT = "urn:cams:stagedAt"
"""The one visible triple of a staging graph: ``<graph> <urn:cams:stagedAt> "time"``."""
STALE_AFTER = 3600.0
"""Seconds after which a staging graph is taken as left behind by a crash."""
_XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")

ENV = {
    "update_url": "CAMS_STORE_UPDATE_URL",
    "graph_store_url": "CAMS_STORE_GRAPH_STORE_URL",
    "user": "CAMS_STORE_USER",
    "password": "CAMS_STORE_PASSWORD",
    "auth": "CAMS_STORE_AUTH",
    "token": "CAMS_STORE_TOKEN",
    "timeout": "CAMS_STORE_TIMEOUT",
}
"""The environment variables :meth:`RemoteConfig.from_environment` reads."""

_RESULTS_XML = "application/sparql-results+xml"
_NTRIPLES = "application/n-triples"
_ACCEPT = f"{_RESULTS_XML}, {_NTRIPLES};q=0.9, text/turtle;q=0.5, application/rdf+xml;q=0.3"
"""SELECT and ASK results in XML (Virtuoso's JSON says booleans as 1 and 0); CONSTRUCT and
DESCRIBE in N-Triples, or what the server has (Virtuoso 7.2 offers only RDF/XML)."""
_GRAPH_FORMATS = {
    _NTRIPLES: RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
_INSERT_DATA = re.compile(r"INSERT DATA \{ GRAPH <([^>]*)> \{\n(.*?)\n\} \}", re.DOTALL)
"""An ``INSERT DATA`` block as :func:`cams_graph.store.insert_data` writes it (terms hold no
raw line breaks, so the block ends at the first line that starts with ``}``)."""
_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")
_EXISTS_FIRST = re.compile(r"IF\s*\(\s*EXISTS\s*(\{[^{}]*\})\s*\|\|\s*([^,(){}]+),")
"""``IF(EXISTS {…} || x, …)``, which Virtuoso 7.2 cannot compile (SQ074) though it takes
``IF(x || EXISTS {…}, …)``; ``||`` is commutative in SPARQL, errors included."""
_OPERAND = r'(\?[A-Za-z_]\w*|"[^"\\]*"\^\^(?:<[^>]*>|[A-Za-z][\w-]*:\w+))'
_LESS_EQUAL = re.compile(_OPERAND + r"\s*(<=|>=)\s*" + _OPERAND)
"""``a <= b`` and ``a >= b``, which Virtuoso 7.2 gets wrong when it turns them into an
index range over dates (``?start <= "2010-12-30"^^xsd:date`` drops 1955-01-01); it gets
``!(a > b)`` and ``!(a < b)`` right, and they mean the same, errors included."""


def virtuoso_dialect(text: str) -> str:
    """The query as Virtuoso 7.2 evaluates it correctly (see :data:`_LESS_EQUAL`).

    >>> virtuoso_dialect('FILTER (?start <= ?at && ?d >= "2001-01-01"^^xsd:date)')
    'FILTER (!(?start > ?at) && !(?d < "2001-01-01"^^xsd:date))'
    >>> virtuoso_dialect("IF(EXISTS { ?r a cams:EconomicRight } || ?r = right:publication, 1, 2)")
    'IF(?r = right:publication || EXISTS { ?r a cams:EconomicRight }, 1, 2)'
    """
    text = _EXISTS_FIRST.sub(r"IF(\2 || EXISTS \1,", text)

    def negate(match: re.Match[str]) -> str:
        left, op, right = match.groups()
        return f"!({left} {'>' if op == '<=' else '<'} {right})"

    return _LESS_EQUAL.sub(negate, text)


def hide(predicate: NamedNode) -> NamedNode:
    """The predicate a staged triple is written with, so that no query matches it."""
    return NamedNode(STAGED_PREFIX + predicate.value)


@dataclass(frozen=True)
class RemoteConfig:
    """Where a SPARQL server takes queries, updates and graph store requests, and how to log in."""

    query_url: str
    update_url: str
    graph_store_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str | None = None
    token: str | None = field(default=None, repr=False)
    timeout: float = 600.0
    chunk_triples: int = 20_000
    """Triples per upload request with the Graph Store Protocol (a twentieth of that per
    ``INSERT DATA``, an eightieth per ``INSERT`` template, as Virtuoso needs)."""
    stage_above: int = 2_000
    """``INSERT DATA`` blocks of :meth:`RemoteStore.update` larger than this are staged."""

    @classmethod
    def from_environment(
        cls,
        location: str,
        environ: Mapping[str, str] | None = None,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
    ) -> RemoteConfig:
        """The configuration for the endpoint ``location``: options first, then ``CAMS_STORE_*``."""
        env = os.environ if environ is None else environ
        auth = (env.get(ENV["auth"]) or "").lower() or None
        user = env.get(ENV["user"]) or None
        if auth is None and user:
            auth = "basic"
        if auth not in (None, "basic", "digest"):
            raise StoreError(f"{ENV['auth']} must be basic or digest, not {auth!r}")
        if auth and not user:
            raise StoreError(f"{ENV['auth']}={auth} needs {ENV['user']} and {ENV['password']}")
        try:
            timeout = float(env.get(ENV["timeout"]) or 600)
        except ValueError:
            raise StoreError(f"{ENV['timeout']} must be a number of seconds") from None
        return cls(
            query_url=location,
            update_url=update_url or env.get(ENV["update_url"]) or location,
            graph_store_url=graph_store_url or env.get(ENV["graph_store_url"]) or None,
            user=user,
            password=env.get(ENV["password"]),
            auth=auth,
            token=env.get(ENV["token"]) or None,
            timeout=timeout,
        )


@dataclass
class _Response:
    body: bytes
    headers: Mapping[str, str]


def _fix_bnodes(data: bytes) -> bytes:
    """Virtuoso names blank nodes ``nodeID://b123``, which is no blank node label: rename them."""

    def label(match: re.Match[bytes]) -> bytes:
        value = re.sub(rb"[^A-Za-z0-9_]", b"_", match.group(1))
        return b"<bnode>b" + value + b"</bnode>"

    return _BNODE_XML.sub(label, data)


def _merge_pages(pages: list[QuerySolutions]) -> QuerySolutions:
    """One result set out of the pages of a paged SELECT."""
    head: dict[str, Any] | None = None
    bindings: list[Any] = []
    for page in pages:
        doc = json.loads(page.serialize(format=QueryResultsFormat.JSON) or b"{}")
        head = head or doc["head"]
        bindings += doc["results"]["bindings"]
    merged = json.dumps({"head": head or {"vars": []}, "results": {"bindings": bindings}})
    result = parse_query_results(merged.encode(), format=QueryResultsFormat.JSON)
    assert isinstance(result, QuerySolutions)
    return result


def _components(quads: Sequence[Quad]) -> list[list[Quad]]:
    """The quads in groups that keep each blank node's quads together (one upload each)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    plain: list[Quad] = []
    linked: list[tuple[str, Quad]] = []
    for q in quads:
        blanks = [t.value for t in (q.subject, q.object) if isinstance(t, BlankNode)]
        if not blanks:
            plain.append(q)
            continue
        root = find(blanks[0])
        for other in blanks[1:]:
            parent[find(other)] = root
        linked.append((blanks[0], q))
    groups: dict[str, list[Quad]] = {}
    for blank, q in linked:
        groups.setdefault(find(blank), []).append(q)
    return [[q] for q in plain] + list(groups.values())


def _chunks(quads: Sequence[Quad], size: int) -> Iterator[list[Quad]]:
    """Chunks of about ``size`` quads, never splitting the quads of one blank node."""
    if not any(isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode) for q in quads):
        for i in range(0, len(quads), size):
            yield list(quads[i : i + size])
        return
    chunk: list[Quad] = []
    for group in _components(quads):
        chunk += group
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class RemoteStore(Reads):
    """A SPARQL 1.1 server as the store (see the module documentation)."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.dialect: str | None = None
        """``virtuoso`` once the server said it is one (its ``Server`` header), else None."""
        self._prologue = query_prologue()
        self._prologue_lines = self._prologue.count("\n")
        self._opener = self._make_opener()

    @classmethod
    def from_environment(
        cls,
        location: str,
        environ: Mapping[str, str] | None = None,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        drop_stale: bool = True,
    ) -> RemoteStore:
        """The server at ``location``, configured by options and ``CAMS_STORE_*`` variables.

        Staging graphs older than :data:`STALE_AFTER` (left by a crash) are dropped.
        """
        config = RemoteConfig.from_environment(
            location, environ, update_url=update_url, graph_store_url=graph_store_url
        )
        store = cls(config)
        if drop_stale:
            store.drop_stale_staging()
        return store

    @property
    def location(self) -> str:
        return self.config.query_url

    # -- HTTP -----------------------------------------------------------------------

    def _make_opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        config = self.config
        if config.auth and config.user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (config.query_url, config.update_url, config.graph_store_url):
                if url:
                    manager.add_password(None, url, config.user, config.password or "")
            if config.auth == "digest":
                handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
            else:
                handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
        return urllib.request.build_opener(*handlers)

    def _wrapper(self, accept: str) -> SPARQLWrapper:
        config = self.config
        wrapper = SPARQLWrapper(config.query_url, updateEndpoint=config.update_url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)  # Virtuoso 7.2 hangs on direct POST
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(int(config.timeout))
        if config.auth and config.user:
            wrapper.setHTTPAuth(DIGEST if config.auth == "digest" else _BASIC)
            wrapper.setCredentials(config.user, config.password or "")
        if config.token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {config.token}")
        wrapper.addCustomHttpHeader("Accept", accept)
        return wrapper

    def _send(
        self,
        text: str,
        *,
        update: bool = False,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> _Response:
        """Send a query or an update and return the raw answer.

        Whether it is an update is said, not guessed: SPARQLWrapper's guess reads
        comments (a query whose header says "created" goes out as CREATE). A
        query asks for SPARQL XML results or N-Triples, whichever its form gives.
        """
        if self.dialect == "virtuoso":
            text = virtuoso_dialect(text)
        wrapper = self._wrapper(_ACCEPT)
        for graph in default_graphs or ():
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs or ():
            wrapper.addNamedGraph(graph)
        wrapper.setQuery(text)
        wrapper.queryType = "INSERT" if update else "SELECT"
        try:
            answer = wrapper.query()
            body = answer.response.read()
            headers = {k.lower(): v for k, v in answer.response.headers.items()}
            if self.dialect is None and "virtuoso" in headers.get("server", "").lower():
                self.dialect = "virtuoso"
        except QueryBadFormed as err:
            raise self._syntax_error(str(err)) from None
        except SPARQLWrapperException as err:
            message = str(err)
            if re.search(r"syntax error|SP030", message):
                raise self._syntax_error(message) from None
            raise StoreError(f"{self.location}: {_short(message)}") from None
        except urllib.error.HTTPError as err:
            raise StoreError(f"{self.location}: HTTP {err.code}: {_short(_read(err))}") from None
        except (OSError, TimeoutError) as err:
            raise StoreError(f"{self.location}: cannot reach the server: {err}") from None
        return _Response(body, headers)

    def _syntax_error(self, message: str) -> QuerySyntaxError:
        match = re.search(r"line (\d+)", message)
        line = int(match.group(1)) - self._prologue_lines if match else None
        text = _short(message.split("Response:")[-1])
        return QuerySyntaxError(text, line=max(line, 1) if line else None, column=None)

    def _gsp(self, method: str, graph: str, body: bytes | None = None) -> bytes:
        """One Graph Store Protocol request on the named graph ``graph``."""
        base = self.config.graph_store_url
        assert base is not None
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}graph={urllib.parse.quote(graph, safe='')}"
        request = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", _NTRIPLES)
        request.add_header("Accept", _NTRIPLES)
        if self.config.token:
            request.add_header("Authorization", f"Bearer {self.config.token}")
        try:
            with self._opener.open(request, timeout=self.config.timeout) as answer:
                data: bytes = answer.read()
                return data
        except urllib.error.HTTPError as err:
            raise StoreError(
                f"{base}: {method} of <{graph}> failed: HTTP {err.code}: {_short(_read(err))}"
            ) from None
        except OSError as err:
            raise StoreError(f"{base}: cannot reach the graph store: {err}") from None

    # -- queries ----------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        text = self._prologue + sparql
        values = _trailing_values(bindings)
        answer = self._send(text + values, default_graphs=default_graphs, named_graphs=named_graphs)
        kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in _GRAPH_FORMATS:
            return _graph_result(answer.body, _GRAPH_FORMATS[kind])
        result = self._results(answer.body)
        limit = answer.headers.get("x-sparql-maxrows")
        if limit and isinstance(result, QuerySolutions):
            return self._paged(text, values, int(limit), result, default_graphs, named_graphs)
        return result

    def _results(self, body: bytes) -> QuerySolutions | QueryBoolean:
        if b"nodeID://" in body:
            body = _fix_bnodes(body)
        try:
            fmt = QueryResultsFormat.JSON if body.lstrip()[:1] == b"{" else QueryResultsFormat.XML
            result = parse_query_results(body, format=fmt)
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"{self.location}: unreadable query results: {err}") from None
        if not isinstance(result, QuerySolutions | QueryBoolean):  # pragma: no cover
            raise StoreError(f"{self.location}: unexpected query results")
        return result

    def _paged(
        self,
        text: str,
        values: str,
        limit: int,
        first: QuerySolutions,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> QuerySolutions:
        """Virtuoso cut the result at ``ResultSetMaxRows``: read the rest page by page."""
        page_rows = list(first)
        if len(page_rows) < limit:
            return _merge_pages([self._reparse(first, page_rows)])
        if re.search(r"\b(ORDER\s+BY|LIMIT|OFFSET)\b", text, re.IGNORECASE):
            raise StoreError(
                f"{self.location} cut a sorted or limited result at {limit} rows "
                "(Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)"
            )
        pages: list[QuerySolutions] = []
        offset = 0
        while True:
            paged = f"{text}\nLIMIT {limit} OFFSET {offset}{values}"
            answer = self._send(paged, default_graphs=default_graphs, named_graphs=named_graphs)
            result = self._results(answer.body)
            assert isinstance(result, QuerySolutions)
            got = list(result)
            pages.append(self._reparse(result, got))
            if len(got) < limit:
                return _merge_pages(pages)
            offset += limit

    @staticmethod
    def _reparse(result: QuerySolutions, solutions: list[Any]) -> QuerySolutions:
        """A fresh result set with the same rows (a QuerySolutions can be read only once)."""
        names = [v.value for v in result.variables]
        bindings = []
        for solution in solutions:
            row: dict[str, Any] = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = _json_term(term)
            bindings.append(row)
        doc = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}})
        parsed = parse_query_results(doc.encode(), format=QueryResultsFormat.JSON)
        assert isinstance(parsed, QuerySolutions)
        return parsed

    # -- writes -------------------------------------------------------------------------

    def update(self, sparql: str, bindings: Bindings | None = None) -> None:
        """Run an update in one request; large or blank-node ``INSERT DATA`` parts are staged."""
        text = _bind_update(sparql, bindings) if bindings else sparql
        staged: list[str] = []
        run = uuid.uuid4().hex
        try:
            text = self._stage_insert_data(text, run, staged)
            if staged:
                text += " ;\n" + " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staged)
            self._send(self._prologue + text, update=True)
        except BaseException:
            self._drop_quietly(staged)
            raise

    def _stage_insert_data(self, text: str, run: str, staged: list[str]) -> str:
        """Replace the ``INSERT DATA`` blocks that should not travel inline by staged copies."""
        pieces: list[str] = []
        at = 0
        for match in _INSERT_DATA.finditer(text):
            body = match.group(2)
            large = body.count("\n") + 1 > self.config.stage_above
            if not large and "_:" not in body:
                continue
            triples = [q.triple for q in parse((body + " .\n").encode(), RdfFormat.N_TRIPLES)]
            if not large and not any(
                isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples
            ):
                continue
            target = match.group(1)
            graph = f"{STAGING_PREFIX}{run}:{len(staged)}"
            staged.append(graph)
            self._upload(
                graph, [Quad(t.subject, t.predicate, t.object, NamedNode(graph)) for t in triples]
            )
            pieces.append(text[at : match.start()])
            pieces.append(_copy_staged([(graph, target)]))
            at = match.end()
        pieces.append(text[at:])
        return "".join(pieces)

    def _upload(self, graph: str, quads: Sequence[Quad]) -> None:
        """Put ``quads`` into the staging graph ``graph``, hidden, in as many requests as needed."""
        node = NamedNode(graph)
        stamp = Literal(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_XSD_DATETIME)
        marker = Quad(node, NamedNode(STAGED_AT), stamp, node)
        hidden = [Quad(q.subject, hide(q.predicate), q.object, node) for q in quads]
        self._write_quads(graph, [marker], hidden)

    def _write_quads(self, graph: str, first: Sequence[Quad], quads: Sequence[Quad]) -> None:
        """Add ``first`` then ``quads`` (all of graph ``graph``) in chunks; not atomic."""
        if self.config.graph_store_url:
            size = self.config.chunk_triples
            for n, chunk in enumerate(_chunks(quads, size) if quads else iter([[]])):
                triples = [*first, *chunk] if n == 0 else chunk
                body = serialize([q.triple for q in triples], format=RdfFormat.N_TRIPLES)
                self._gsp("POST", graph, body or b"")
            return
        # Virtuoso compiles each request to SQL and gives up past 10 000 lines of it:
        # INSERT DATA takes about a thousand triples, an INSERT template (blank nodes) fewer.
        blanks = any(
            isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode) for q in quads
        )
        size = max(1, self.config.chunk_triples // (80 if blanks else 20))
        for n, chunk in enumerate(_chunks(quads, size) if quads else iter([[]])):
            part: list[Quad] = [*first, *chunk] if n == 0 else chunk
            if part:
                self._send(self._prologue + _insert(graph, [q.triple for q in part]), update=True)

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads atomically: stage them per target graph, then copy in one operation."""
        by_graph: dict[str, list[Quad]] = {}
        for q in quads:
            if not isinstance(q.graph_name, NamedNode):
                raise StoreError("a remote store takes quads of named graphs only")
            by_graph.setdefault(q.graph_name.value, []).append(q)
        if not by_graph:
            return
        run = uuid.uuid4().hex
        staged: list[str] = []
        pairs: list[tuple[str, str]] = []
        try:
            for target, group in by_graph.items():
                graph = f"{STAGING_PREFIX}{run}:{len(staged)}"
                staged.append(graph)
                self._upload(graph, group)
                pairs.append((graph, target))
            self._send(
                self._prologue
                + _copy_staged(pairs)
                + " ;\n"
                + " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staged),
                update=True,
            )
        except BaseException as err:
            self._drop_quietly(staged)
            if isinstance(err, StoreError):
                raise StoreError(f"write failed, nothing was stored: {err}") from None
            raise

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        """Add many quads fast, graph by graph in chunks; not atomic."""
        by_graph: dict[str, list[Quad]] = {}
        for q in quads:
            if not isinstance(q.graph_name, NamedNode):
                raise StoreError("a remote store takes quads of named graphs only")
            by_graph.setdefault(q.graph_name.value, []).append(q)
        for graph, group in by_graph.items():
            self._write_quads(graph, [], group)

    def bulk_load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        """Parse ``data`` and add it to ``graph`` in chunks; not atomic."""
        try:
            node = NamedNode(graph)
            quads = [Quad(q.subject, q.predicate, q.object, node) for q in parse(data, rdf_format)]
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"load into <{graph}> failed: {err}") from None
        self.bulk_add(quads)

    def load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        try:
            node = NamedNode(graph)
            quads = [Quad(q.subject, q.predicate, q.object, node) for q in parse(data, rdf_format)]
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"load into <{graph}> failed: {err}") from None
        self.add(quads)

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        """Make ``triples`` the content of ``graph`` with one operation after staging them."""
        node = NamedNode(graph)
        staging = f"{STAGING_PREFIX}{uuid.uuid4().hex}:0"
        try:
            self._upload(staging, [Quad(t.subject, t.predicate, t.object, node) for t in triples])
            self._send(
                self._prologue + f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}\n"
                f"INSERT {{ GRAPH <{graph}> {{ ?s2 ?p2 ?o2 }} }}\nWHERE {{\n"
                f"  {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}\n  UNION\n"
                f"  {{ GRAPH <{staging}> {{ ?s2 ?hidden ?o2 }}\n"
                f'    FILTER(STRSTARTS(STR(?hidden), "{STAGED_PREFIX}"))\n'
                f'    BIND(IRI(STRAFTER(STR(?hidden), "{STAGED_PREFIX}")) AS ?p2) }}\n}} ;\n'
                f"DROP SILENT GRAPH <{staging}>",
                update=True,
            )
        except BaseException:
            self._drop_quietly([staging])
            raise

    def drop_graph(self, graph: str, *, atomic: bool = True) -> None:
        # one update either way: the server holds no transaction of ours in memory
        self._send(self._prologue + f"DROP SILENT GRAPH <{graph}>", update=True)

    # -- the dataset ---------------------------------------------------------------------

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph (servers keep no separate default graph for cams)."""
        sizes: dict[str, int] = {}
        for row in self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ):
            graph, count = row.get("g"), row.get("n")
            if isinstance(graph, NamedNode) and isinstance(count, Literal):
                sizes[graph.value] = int(count.value)
        return sizes

    def dump(self, out: IO[bytes], rdf_format: RdfFormat = RdfFormat.N_QUADS) -> None:
        """Serialize every named graph (read graph by graph, paged where the server cuts)."""
        quads: list[Quad] = []
        for graph in sorted(self.graph_sizes()):
            node = NamedNode(graph)
            for row in self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
                s, p, o = row["s"], row["p"], row["o"]
                if isinstance(s, NamedNode | BlankNode) and isinstance(p, NamedNode):
                    quads.append(Quad(s, p, o, node))
        serialize(quads, out, format=rdf_format)

    def staging_graphs(self) -> dict[str, datetime | None]:
        """The staging graphs on the server, with the time each was started (when known)."""
        found: dict[str, datetime | None] = {}
        for row in self.select(
            f"SELECT DISTINCT ?g ?at WHERE {{ GRAPH ?g {{ ?x ?p ?y }} "
            f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) '
            f"OPTIONAL {{ GRAPH ?g {{ ?g <{STAGED_AT}> ?at }} }} }}"
        ):
            graph, at = row["g"].value, row.get("at")
            when = None
            if at is not None:
                try:
                    when = datetime.fromisoformat(at.value.replace("Z", "+00:00"))
                except ValueError:
                    when = None
            if found.get(graph) is None:
                found[graph] = when
        return found

    def drop_stale_staging(self, older_than: float = STALE_AFTER) -> list[str]:
        """Drop staging graphs started more than ``older_than`` seconds ago (or of unknown age)."""
        now = datetime.now(UTC)
        stale = [
            graph
            for graph, when in self.staging_graphs().items()
            if when is None or (now - when).total_seconds() > older_than
        ]
        self._drop_quietly(stale)
        return stale

    def _drop_quietly(self, graphs: Sequence[str]) -> None:
        if not graphs:
            return
        try:
            drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
            self._send(self._prologue + drops, update=True)
        except StoreError:
            pass  # dropped at the next open once stale

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- helpers ----------------------------------------------------------------------------


def _copy_staged(pairs: Sequence[tuple[str, str]]) -> str:
    """One operation that copies staging graphs into their targets, restoring the predicates."""
    values = " ".join(f"(<{staging}> <{target}>)" for staging, target in pairs)
    return (
        "INSERT { GRAPH ?target { ?s ?p ?o } }\nWHERE {\n"
        f"  VALUES (?staging ?target) {{ {values} }}\n"
        "  GRAPH ?staging { ?s ?hidden ?o }\n"
        f'  FILTER(STRSTARTS(STR(?hidden), "{STAGED_PREFIX}"))\n'
        f'  BIND(IRI(STRAFTER(STR(?hidden), "{STAGED_PREFIX}")) AS ?p)\n}}'
    )


def _insert(graph: str, triples: Sequence[Triple]) -> str:
    """``INSERT DATA``, or ``INSERT … WHERE {}`` when blank nodes are in it (Virtuoso refuses
    blank nodes in ``INSERT DATA``; a template makes one fresh node per label instead)."""
    body = " .\n".join(str(t) for t in triples)
    if any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples):
        return f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def _trailing_values(bindings: Bindings | None) -> str:
    """Bindings as a trailing ``VALUES`` block written by the RDF serializer.

    >>> _trailing_values({"w": NamedNode("https://example.org/w")})
    '\\nVALUES (?w) { (<https://example.org/w>) }'
    """
    if not bindings:
        return ""
    names = sorted(bindings)
    if any(isinstance(bindings[n], BlankNode) for n in names):
        raise StoreError("a remote store cannot bind a blank node")
    return (
        "\nVALUES ("
        + " ".join("?" + n for n in names)
        + ") { ("
        + " ".join(str(bindings[n]) for n in names)
        + ") }"
    )


def _bind_update(sparql: str, bindings: Bindings) -> str:
    """Bindings of an update, at its ``#BIND`` mark (as the embedded store does)."""
    names = sorted(bindings)
    values = "VALUES (" + " ".join("?" + n for n in names) + ") { ("
    values += " ".join(str(bindings[n]) for n in names) + ") }"
    if "#BIND" not in sparql:
        raise ValueError("an update with bindings must mark the place of the values with #BIND")
    return sparql.replace("#BIND", values)


def _graph_result(body: bytes, rdf_format: RdfFormat) -> QueryResult:
    """CONSTRUCT or DESCRIBE results as pyoxigraph's own triple results."""
    scratch = _OxStore()
    try:
        scratch.load(body, format=rdf_format)
    except (SyntaxError, ValueError) as err:
        raise StoreError(f"unreadable graph results: {err}") from None
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _json_term(term: Term | Any) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    raise StoreError(f"unexpected term in results: {term!r}")  # pragma: no cover


def _read(err: urllib.error.HTTPError) -> str:
    try:
        return err.read().decode("utf-8", "replace")
    except OSError:
        return str(err)


def _short(message: str, limit: int = 400) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[:limit] + "…"
