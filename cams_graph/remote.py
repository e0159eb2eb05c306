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
:meth:`~RemoteStore.update`) is first uploaded into *staging graphs*
``urn:cams:staging:<uuid>:<n>`` of at most :attr:`RemoteConfig.publish_slice`
triples each. Staged triples are *hidden*: their predicate is written
``urn:cams:staged:<predicate IRI>``, so no query with a fixed predicate (every
query of cams-graph) matches them. Then:

* a write of up to ``publish_slice`` triples is made visible by **one** SPARQL
  operation that copies its staging graphs into their targets, restoring the
  predicates, and the staging graphs are dropped in the same request;
* a larger one is *published in steps*: the steps (one copy per staging
  graph, and the other operations of an update) are written to the log graph
  ``urn:cams:log`` and committed with one operation, then applied one by one
  (a step is one bounded transaction). Every read of a :class:`RemoteStore`
  waits until no committed publication is left half applied, so cams-graph
  never reads half of one; a publication whose writer died is finished by the
  next reader or the next opening of the store.

So no single server transaction holds more than ``publish_slice`` triples of
ours, whatever the size of the write. On the Oxigraph server, staging and the
bulk writes (:meth:`~RemoteStore.bulk_add`, :meth:`~RemoteStore.bulk_load`)
go through its bulk loader (``POST /store?no_transaction``), which holds no
transaction in memory at all. A failed write drops its staging graphs;
staging graphs left by a crash are dropped when a store is next opened, once
they are older than :data:`STALE_AFTER` seconds and no committed publication
needs them. ``docs/remote-store.md`` says what a crash at each step leaves
behind.

>>> config = RemoteConfig.from_environment("http://127.0.0.1:7878/query", {})
>>> config.update_url, config.auth
('http://127.0.0.1:7878/query', None)
>>> hide(NamedNode("https://w3id.org/cams-graph/ontology#work")).value
'urn:cams:staged:https://w3id.org/cams-graph/ontology#work'
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
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
from .store import (
    Bindings,
    QueryResult,
    Reads,
    Row,
    Term,
    has_blank_node,
    query_prologue,
    row_text,
    rows,
)

__all__ = [
    "LOG_GRAPH",
    "STAGED_PREFIX",
    "STAGING_PREFIX",
    "STALE_AFTER",
    "PublicationIncompleteError",
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
LOG_GRAPH = "urn:cams:log"
"""Where publications in steps are logged: ``<urn:cams:log> <urn:cams:generation> "token"``
(changed by every publication that starts), and per publication
``<urn:cams:publication:<uuid>>`` its heartbeat (the commit mark: a server time, renewed by
every step) and its steps not yet applied, each with its update text."""
PUBLICATION_PREFIX = "urn:cams:publication:"
_GENERATION = "urn:cams:generation"
_HEARTBEAT = "urn:cams:heartbeat"
_STEP = "urn:cams:step"
_STEP_UPDATE = "urn:cams:update"
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
_TSV = "text/tab-separated-values"
_ACCEPT_OXIGRAPH = f"{_TSV}, {_ACCEPT.replace(', ', ';q=0.95, ', 1)}"
"""The Oxigraph server's results as TSV: terms written as in N-Triples, about a third of
the bytes of XML, read faster (large reads hold the whole answer in memory)."""
_GRAPH_FORMATS = {
    _NTRIPLES: RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
_INSERT_DATA = re.compile(r"INSERT DATA \{ GRAPH <([^>]*)> \{\n(.*?)\n\} \}", re.DOTALL)
"""An ``INSERT DATA`` block as :func:`cams_graph.store.insert_data` writes it (terms hold no
raw line breaks, so the block ends at the first line that starts with ``}``)."""
_DECLARATION = re.compile(
    r"(?:PREFIX\s+[A-Za-z][\w.-]*:|PREFIX\s+:|BASE)\s*<[^<>\s]*>", re.IGNORECASE
)
"""A ``PREFIX`` or ``BASE`` declaration of an update's text."""
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
    bulk_chunk_triples: int = 100_000
    """Triples per request to the Oxigraph server's bulk loader (``no_transaction``): it
    holds one request's triples in memory, and each request adds index files that reads
    must look through until they are merged."""
    stage_above: int = 2_000
    """``INSERT DATA`` blocks of :meth:`RemoteStore.update` larger than this are staged."""
    publish_slice: int = 50_000
    """Triples per staging graph, hence per server transaction of an atomic write; a write
    of more is published in steps (see the module documentation)."""
    grace: float = 2.0
    """Seconds a publication in steps waits after its commit before its first step. A read
    that started within this time of the reader's last look at the log cannot have seen a
    step, so a reader looks at the log at most once per ``grace`` seconds (and again after
    a read that took longer)."""
    stale_publication: float = 300.0
    """Seconds without a heartbeat after which a committed publication is taken as left by
    a dead writer, and finished by whoever sees it (a step takes seconds)."""

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
    if not any(has_blank_node(q) for q in quads):
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


class PublicationIncompleteError(StoreError):
    """A write was committed, but its publication in steps stopped half way (the server went
    away): readers wait for it, and the next reader or opening of the store finishes it."""


@dataclass(frozen=True)
class _Slice:
    """One staging graph: what it holds is bound for ``target``."""

    staging: str
    target: str
    triples: int


@dataclass(frozen=True)
class _Lease:
    """What a reader last saw of the log: when it asked (monotonic seconds), and the token
    of the last publication started."""

    asked: float
    generation: str


_BLANK_NT = re.compile(rb"(?:^|\n)\s*_:|\s_:[^\s\"<>]+\s*\.\s*(?:#[^\n]*)?(?:\r?\n|$)")
"""A blank node subject or object in N-Triples (no literal holds a raw line end)."""


def _line_slices(data: bytes, lines: int) -> Iterator[bytes]:
    r"""``data`` cut at line ends into pieces of about ``lines`` lines each.

    >>> list(_line_slices(b"a .\nb .\nc .\n", 2))
    [b'a .\nb .\n', b'c .\n']
    """
    size = max(1, len(data) * lines // max(1, data.count(b"\n")))
    at = 0
    while at < len(data):
        end = data.find(b"\n", at + size - 1)
        end = len(data) if end < 0 else end + 1
        yield data[at:end]
        at = end


def _trim(operation: str) -> str:
    r"""An update's text without the separators around it.

    >>> _trim(" ;\nDROP SILENT GRAPH <urn:g> ;\n")
    'DROP SILENT GRAPH <urn:g>'
    """
    return operation.strip().strip(";").strip()


class RemoteStore(Reads):
    """A SPARQL 1.1 server as the store (see the module documentation)."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.dialect: str | None = None
        """``virtuoso`` or ``oxigraph`` once the server said so (its ``Server`` header)."""
        self._prologue = query_prologue()
        self._prologue_lines = self._prologue.count("\n")
        self._opener = self._make_opener()
        self._lease: _Lease | None = None

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

        What a crash left is repaired (unless ``drop_stale`` is false): committed
        publications whose writer died are finished, then staging graphs older
        than :data:`STALE_AFTER` that no publication needs are dropped.
        """
        config = RemoteConfig.from_environment(
            location, environ, update_url=update_url, graph_store_url=graph_store_url
        )
        store = cls(config)
        if drop_stale:
            store.finish_stale_publications()
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
        wrapper = self._wrapper(_ACCEPT_OXIGRAPH if self.dialect == "oxigraph" else _ACCEPT)
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
            self._learn_dialect(headers.get("server", ""))
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

    def _learn_dialect(self, server: str) -> None:
        """Note what server answers (its ``Server`` header): Virtuoso and the Oxigraph
        server get requests of their own."""
        if self.dialect is None:
            for name in ("virtuoso", "oxigraph"):
                if name in server.lower():
                    self.dialect = name

    def _syntax_error(self, message: str) -> QuerySyntaxError:
        match = re.search(r"line (\d+)", message)
        line = int(match.group(1)) - self._prologue_lines if match else None
        text = _short(message.split("Response:")[-1])
        return QuerySyntaxError(text, line=max(line, 1) if line else None, column=None)

    def _gsp(
        self, method: str, graph: str, body: bytes | None = None, *, bulk: bool = False
    ) -> bytes:
        """One Graph Store Protocol request on the named graph ``graph``.

        ``bulk`` (a write that need not be atomic) lets the Oxigraph server load it with
        its bulk loader (``no_transaction``), which holds no transaction in memory.
        """
        base = self.config.graph_store_url
        assert base is not None
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}graph={urllib.parse.quote(graph, safe='')}"
        if bulk and self.dialect == "oxigraph":
            url += "&no_transaction"
        request = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", _NTRIPLES)
        # what a write answers is not read (Virtuoso answers a POST to an existing graph
        # with 406 Not Acceptable when asked for N-Triples)
        request.add_header("Accept", _NTRIPLES if method == "GET" else "*/*")
        if self.config.token:
            request.add_header("Authorization", f"Bearer {self.config.token}")
        try:
            with self._opener.open(request, timeout=self.config.timeout) as answer:
                data: bytes = answer.read()
                self._learn_dialect(answer.headers.get("server", ""))
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
        """Run a query; never on half of a publication in steps (see :meth:`_published`)."""
        while True:
            lease = self._current_lease()
            result = self._query(sparql, bindings, default_graphs, named_graphs)
            if time.monotonic() < lease.asked + self.config.grace:
                return result  # no step of a publication begun since can have been applied
            if self._published().generation == lease.generation:
                return result  # none begun since: this read saw none of its steps
            # a publication began while it ran: read again, now that it is all applied

    def _query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """One query as it is, whatever is being published."""
        text = self._prologue + sparql
        values = _trailing_values(bindings)
        answer = self._send(text + values, default_graphs=default_graphs, named_graphs=named_graphs)
        kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in _GRAPH_FORMATS:
            return _graph_result(answer.body, _GRAPH_FORMATS[kind])
        result = self._results(answer.body, kind)
        limit = answer.headers.get("x-sparql-maxrows")
        if limit and isinstance(result, QuerySolutions):
            return self._paged(text, values, int(limit), result, default_graphs, named_graphs)
        return result

    def _results(self, body: bytes, kind: str = "") -> QuerySolutions | QueryBoolean:
        if kind != _TSV and b"nodeID://" in body:
            body = _fix_bnodes(body)
        try:
            if kind == _TSV:
                fmt = QueryResultsFormat.TSV
            elif body.lstrip()[:1] == b"{":
                fmt = QueryResultsFormat.JSON
            else:
                fmt = QueryResultsFormat.XML
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
            kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
            result = self._results(answer.body, kind)
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
        """Run an update; its large or blank-node ``INSERT DATA`` parts are staged first.

        Up to :attr:`RemoteConfig.publish_slice` staged triples, the update (its staged
        parts turned into copies) is one request; above, it is published in steps, its
        other operations being steps of their own, in their order.
        """
        text = _bind_update(sparql, bindings) if bindings else sparql
        run = uuid.uuid4().hex
        staged: list[str] = []
        try:
            self._commit(run, self._stage_insert_data(text, run, staged), staged)
        except PublicationIncompleteError:
            raise
        except BaseException:
            self._drop_quietly(staged)
            raise

    def _stage_insert_data(
        self, text: str, run: str, staged: list[str]
    ) -> list[str | list[_Slice]]:
        """The update as operations (text) and staged ``INSERT DATA`` blocks, in order."""
        parts: list[str | list[_Slice]] = []
        at = 0
        for match in _INSERT_DATA.finditer(text):
            body = match.group(2)
            large = body.count("\n") + 1 > self.config.stage_above
            if not large and "_:" not in body:
                continue
            if not re.search(r"\s\.\s*$", body):  # insert_data leaves out the last " ."
                body += " ."
            try:
                triples = [q.triple for q in parse((body + "\n").encode(), RdfFormat.N_TRIPLES)]
            except (SyntaxError, ValueError):
                continue  # not N-Triples (prefixed names…): the server reads it inline
            if not triples or (not large and not any(has_blank_node(t) for t in triples)):
                continue
            target = NamedNode(match.group(1))
            quads = [Quad(t.subject, t.predicate, t.object, target) for t in triples]
            parts.append(text[at : match.start()])
            parts.append(self._stage(run, quads, staged))
            at = match.end()
        parts.append(text[at:])
        return parts

    def _stage(self, run: str, quads: Sequence[Quad], staged: list[str]) -> list[_Slice]:
        """Upload ``quads`` (of one graph) hidden, into staging graphs of a slice each."""
        slices: list[_Slice] = []
        if not quads:
            return slices
        target = quads[0].graph_name
        assert isinstance(target, NamedNode)
        for chunk in _chunks(quads, self.config.publish_slice):
            graph = f"{STAGING_PREFIX}{run}:{len(staged)}"
            staged.append(graph)
            self._upload(graph, chunk)
            slices.append(_Slice(graph, target.value, len(chunk)))
        return slices

    def _commit(self, run: str, parts: Sequence[str | list[_Slice]], staged: list[str]) -> None:
        """Make staged writes visible: in one request when small, else in steps.

        ``parts`` is an update's text with its staged blocks in their places (one copy
        operation each); in steps, each text part is a step, with the ``PREFIX`` and
        ``BASE`` declarations of the text before it.
        """
        slices = [s for part in parts if isinstance(part, list) for s in part]
        if sum(s.triples for s in slices) <= self.config.publish_slice:
            text = "".join(part if isinstance(part, str) else _copy_staged(part) for part in parts)
            drops = [f"DROP SILENT GRAPH <{s.staging}>" for s in slices]
            self._send(self._prologue + _joined([text, *drops]), update=True)
            return
        steps: list[str] = []
        declared = ""
        for part in parts:
            if isinstance(part, str):
                declared += "".join(f"{d}\n" for d in _DECLARATION.findall(part))
                operation = _trim(_DECLARATION.sub("", part))
                if operation:
                    steps.append(declared + operation)
            else:
                steps += [_publish_step(s) for s in part]
        self._publish(run, steps, staged)

    def _upload(self, graph: str, quads: Sequence[Quad]) -> None:
        """Put ``quads`` into the staging graph ``graph``, hidden, in as many requests as needed."""
        node = NamedNode(graph)
        stamp = Literal(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_XSD_DATETIME)
        marker = Quad(node, NamedNode(STAGED_AT), stamp, node)
        hidden = [Quad(q.subject, hide(q.predicate), q.object, node) for q in quads]
        self._write_quads(graph, [marker], hidden, bulk=True)

    def _write_quads(
        self, graph: str, first: Sequence[Quad], quads: Sequence[Quad], *, bulk: bool = False
    ) -> None:
        """Add ``first`` then ``quads`` (all of graph ``graph``) in chunks; not atomic."""
        if self.config.graph_store_url:
            size = self._request_size(bulk)
            for n, chunk in enumerate(_chunks(quads, size) if quads else iter([[]])):
                triples = [*first, *chunk] if n == 0 else chunk
                body = serialize([q.triple for q in triples], format=RdfFormat.N_TRIPLES)
                self._gsp("POST", graph, body or b"", bulk=bulk)
            return
        # Virtuoso compiles each request to SQL and gives up past 10 000 lines of it:
        # INSERT DATA takes about a thousand triples, an INSERT template (blank nodes) fewer.
        blanks = any(has_blank_node(q) for q in quads)
        size = max(1, self.config.chunk_triples // (80 if blanks else 20))
        for n, chunk in enumerate(_chunks(quads, size) if quads else iter([[]])):
            part: list[Quad] = [*first, *chunk] if n == 0 else chunk
            if part:
                self._send(self._prologue + _insert(graph, [q.triple for q in part]), update=True)

    def _request_size(self, bulk: bool) -> int:
        """Triples per Graph Store Protocol request."""
        if bulk and self.dialect == "oxigraph":
            return self.config.bulk_chunk_triples
        return self.config.chunk_triples

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads atomically: stage them, then make them visible (see :meth:`_commit`)."""
        by_graph: dict[str, list[Quad]] = {}
        for q in quads:
            if not isinstance(q.graph_name, NamedNode):
                raise StoreError("a remote store takes quads of named graphs only")
            by_graph.setdefault(q.graph_name.value, []).append(q)
        if not by_graph:
            return
        run = uuid.uuid4().hex
        staged: list[str] = []
        try:
            slices = [s for group in by_graph.values() for s in self._stage(run, group, staged)]
            self._commit(run, [slices], staged)
        except PublicationIncompleteError:
            raise
        except BaseException as err:
            self._drop_quietly(staged)
            if isinstance(err, StoreError):
                raise StoreError(f"write failed, nothing was stored: {err}") from None
            raise

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        """Add many quads fast, graph by graph in chunks, as they come; not atomic.

        Quads with blank nodes are kept until the end, so that each blank node's quads
        travel in one request (its identity is the request's).
        """
        size = self._request_size(bulk=True)
        plain: dict[str, list[Quad]] = {}
        blank: dict[str, list[Quad]] = {}
        for q in quads:
            if not isinstance(q.graph_name, NamedNode):
                raise StoreError("a remote store takes quads of named graphs only")
            graph = q.graph_name.value
            if has_blank_node(q):
                blank.setdefault(graph, []).append(q)
                continue
            waiting = plain.setdefault(graph, [])
            waiting.append(q)
            if len(waiting) >= size:
                self._write_quads(graph, [], waiting, bulk=True)
                plain[graph] = []
        for graph, group in [*plain.items(), *blank.items()]:
            if group:
                self._write_quads(graph, [], group, bulk=True)

    def bulk_load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        """Parse ``data`` and add it to ``graph`` in chunks; not atomic.

        The whole of ``data`` is parsed before anything is sent (bad input writes
        nothing), keeping no triple: N-Triples without blank nodes then travel as the
        bytes they are, in slices of lines; anything else is parsed again, chunk by chunk.
        """
        try:
            node = NamedNode(graph)
            for _ in parse(data, rdf_format):
                pass
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"load into <{graph}> failed: {err}") from None
        if (
            rdf_format == RdfFormat.N_TRIPLES
            and self.config.graph_store_url
            and not _BLANK_NT.search(data)
        ):
            for piece in _line_slices(data, self._request_size(bulk=True)):
                self._gsp("POST", graph, piece, bulk=True)
            return
        self.bulk_add(Quad(q.subject, q.predicate, q.object, node) for q in parse(data, rdf_format))

    def load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        try:
            node = NamedNode(graph)
            quads = [Quad(q.subject, q.predicate, q.object, node) for q in parse(data, rdf_format)]
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"load into <{graph}> failed: {err}") from None
        self.add(quads)

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        """Make ``triples`` the content of ``graph``: one operation after staging them, or,
        above one slice, a publication whose first step drops the old content."""
        node = NamedNode(graph)
        run = uuid.uuid4().hex
        staged: list[str] = []
        try:
            quads = [Quad(t.subject, t.predicate, t.object, node) for t in triples]
            slices = self._stage(run, quads, staged)
            if len(slices) > 1:
                steps = [f"DROP SILENT GRAPH <{graph}>"] + [_publish_step(s) for s in slices]
                self._publish(run, steps, staged)
                return
            if not slices:
                self._send(self._prologue + f"DROP SILENT GRAPH <{graph}>", update=True)
                return
            staging = slices[0].staging
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
        except PublicationIncompleteError:
            raise
        except BaseException:
            self._drop_quietly(staged)
            raise

    def drop_graph(self, graph: str, *, atomic: bool = True) -> None:
        """Drop ``graph``: one operation, or (``atomic=False``) slices of
        :attr:`RemoteConfig.publish_slice` triples, each a transaction of its own."""
        if not atomic:
            limit = self.config.publish_slice
            while self._query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
                self._send(
                    self._prologue + f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}\n"
                    f"WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
                    f"LIMIT {limit} }} }}",
                    update=True,
                )
        self._send(self._prologue + f"DROP SILENT GRAPH <{graph}>", update=True)

    # -- publication in steps -------------------------------------------------------------

    def _publish(self, run: str, steps: Sequence[str], staged: list[str]) -> None:
        """Commit ``steps`` to the log, wait :attr:`RemoteConfig.grace`, then apply them.

        Before the commit, a failure drops what was written (the caller drops the
        staging graphs); from the commit on, the write will happen: a failure raises
        :class:`PublicationIncompleteError` and leaves the staging graphs to the log.
        """
        publication = PUBLICATION_PREFIX + run
        named = [(f"{publication}/{k:06d}", step) for k, step in enumerate(steps)]
        try:
            for i in range(0, len(named), 100):
                lines = [
                    f"<{publication}> <{_STEP}> <{iri}> .\n<{iri}> <{_STEP_UPDATE}> "
                    f"{Literal(text)} ."
                    for iri, text in named[i : i + 100]
                ]
                self._send(
                    f"INSERT DATA {{ GRAPH <{LOG_GRAPH}> {{\n" + "\n".join(lines) + "\n} }",
                    update=True,
                )
            # the heartbeat is the commit mark; the new generation comes with it or before
            # (Virtuoso drops a solution whose DELETE template has an unbound variable)
            self._send(
                f"DELETE WHERE {{ GRAPH <{LOG_GRAPH}> {{ <{LOG_GRAPH}> <{_GENERATION}> ?old }} }}"
                " ;\n"
                f"INSERT {{ GRAPH <{LOG_GRAPH}> {{ <{LOG_GRAPH}> <{_GENERATION}> "
                f'"{run}" . <{publication}> <{_HEARTBEAT}> ?now }} }}\n'
                "WHERE { BIND(NOW() AS ?now) }",
                update=True,
            )
        except BaseException as err:
            if not self._committed(publication):
                self._forget(publication)
                raise
            del staged[:]  # the log holds them now
            if not isinstance(err, Exception):
                raise
        del staged[:]
        self._lease = None
        try:
            time.sleep(self.config.grace)
            self._finish(publication, named)
        except StoreError as err:
            raise PublicationIncompleteError(
                f"the write is stored but only partly visible ({err}); readers wait for it, "
                "and the next cams command on this store completes it"
            ) from None

    def _committed(self, publication: str) -> bool:
        """Whether the commit of ``publication`` reached the log (an error can hide it)."""
        try:
            return bool(
                self._query(
                    f"ASK {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_HEARTBEAT}> ?t }} }}"
                )
            )
        except StoreError:
            return False  # unknown: the next opening finishes it, or drops it with its staging

    def _forget(self, publication: str) -> None:
        """Remove the steps of a publication that was never committed."""
        with contextlib.suppress(StoreError):  # else removed with its staging graphs once stale
            self._send(
                f"DELETE WHERE {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_STEP}> ?s . "
                f"?s <{_STEP_UPDATE}> ?text }} }}",
                update=True,
            )

    def _finish(self, publication: str, steps: Sequence[tuple[str, str]] | None = None) -> None:
        """Apply the steps of a committed publication not yet applied, in order, then close it.

        Each step goes with the removal of its log entry and a new heartbeat, in one
        request; a step is thus applied once, or (a crash between its operations on a
        server that commits them one by one) once more, which every step bears: copies
        and drops, and the update operations cams-graph writes, give the same result
        twice.
        """
        if steps is None:
            rows = self._rows(
                f"SELECT ?s ?text WHERE {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_STEP}> ?s . "
                f"?s <{_STEP_UPDATE}> ?text }} }}"
            )
            steps = sorted((row["s"].value, row["text"].value) for row in rows)
        for iri, text in steps:
            self._send(
                f"{self._prologue}{text}\n;\n"
                f"DELETE WHERE {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_STEP}> <{iri}> . "
                f"<{iri}> <{_STEP_UPDATE}> ?text }} }} ;\n"
                f"DELETE {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_HEARTBEAT}> ?t }} }}\n"
                f"INSERT {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_HEARTBEAT}> ?now }} }}\n"
                f"WHERE {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> <{_HEARTBEAT}> ?t }} "
                "BIND(NOW() AS ?now) }",
                update=True,
            )
        self._send(
            f"DELETE WHERE {{ GRAPH <{LOG_GRAPH}> {{ <{publication}> ?p ?o }} }}", update=True
        )

    def _log_state(self) -> tuple[str, dict[str, float | None]]:
        """The generation token, and each committed publication with its heartbeat's age in
        seconds by the server's clock (None: unreadable)."""
        rows = self._rows(
            "SELECT ?generation ?publication ?beat ?now WHERE {\n"
            f"  OPTIONAL {{ GRAPH <{LOG_GRAPH}> {{ <{LOG_GRAPH}> <{_GENERATION}> ?generation }} }}"
            "\n"
            f"  OPTIONAL {{ GRAPH <{LOG_GRAPH}> {{ ?publication <{_HEARTBEAT}> ?beat }} }}\n"
            "  BIND(NOW() AS ?now)\n}"
        )
        generation = ""
        active: dict[str, float | None] = {}
        for row in rows:
            generation = row_text(row, "generation") or generation
            publication, beat, now = (row_text(row, n) for n in ("publication", "beat", "now"))
            if publication is not None:
                active[publication] = _age(beat, now)
        return generation, active

    def _current_lease(self) -> _Lease:
        lease = self._lease
        if lease is not None and time.monotonic() < lease.asked + self.config.grace:
            return lease
        return self._published()

    def _published(self) -> _Lease:
        """Wait until no committed publication is half applied, and return the lease.

        A publication whose heartbeat is older than :attr:`RemoteConfig.stale_publication`
        lost its writer: it is finished here. One that lives is waited for, up to
        :attr:`RemoteConfig.timeout` seconds.
        """
        began = time.monotonic()
        pause = 0.05
        while True:
            asked = time.monotonic()
            generation, active = self._log_state()
            if not active:
                self._lease = _Lease(asked, generation)
                return self._lease
            stale = self._stale(active)
            for publication in stale:
                try:
                    self._finish(publication)
                except StoreError as err:
                    raise StoreError(
                        f"a write left half visible by a stopped writer could not be "
                        f"finished ({err}); run any cams command that may write to this store"
                    ) from None
            if stale:
                continue
            if time.monotonic() - began > self.config.timeout:
                raise StoreError(
                    f"{self.location}: a write is still being made visible after "
                    f"{self.config.timeout:.0f} s of waiting for it; try again later"
                )
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def finish_stale_publications(self) -> list[str]:
        """Finish the committed publications whose writer died; returns their IRIs."""
        _, active = self._log_state()
        stale = self._stale(active)
        for publication in stale:
            self._finish(publication)
        return stale

    def _stale(self, active: Mapping[str, float | None]) -> list[str]:
        """The committed publications (of :meth:`_log_state`) whose writer died: no heartbeat
        for :attr:`RemoteConfig.stale_publication` seconds, or none that can be read."""
        return [
            publication
            for publication, age in active.items()
            if age is None or age > self.config.stale_publication
        ]

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
        """The staging graphs on the server, with the time each was started (when known).

        Found by their ``urn:cams:stagedAt`` marker (one index look-up, where scanning
        every graph's triples would take minutes on a large store); on the Oxigraph
        server, which lists its graphs at no cost, also those without one.
        """
        found: dict[str, datetime | None] = {}
        for row in self._rows(f"SELECT ?g ?at WHERE {{ GRAPH ?g {{ ?g <{STAGED_AT}> ?at }} }}"):
            graph, at = row["g"].value, row.get("at")
            if not graph.startswith(STAGING_PREFIX):
                continue
            when = None
            if at is not None:
                try:
                    when = datetime.fromisoformat(at.value.replace("Z", "+00:00"))
                except ValueError:
                    when = None
            if found.get(graph) is None:
                found[graph] = when
        if self.dialect == "oxigraph":
            for row in self._rows("SELECT ?g WHERE { GRAPH ?g { } }"):
                graph = row["g"].value
                if graph.startswith(STAGING_PREFIX):
                    found.setdefault(graph, None)
        return found

    def drop_stale_staging(self, older_than: float = STALE_AFTER) -> list[str]:
        """Drop staging graphs started more than ``older_than`` seconds ago (or of unknown age),
        but those of a committed publication (it still needs them); the steps logged by a
        publication that never committed go once no staging graph of its write is left."""
        now = datetime.now(UTC)
        _, committed = self._log_state()
        graphs = self.staging_graphs()
        stale = [
            graph
            for graph, when in graphs.items()
            if (when is None or (now - when).total_seconds() > older_than)
            and PUBLICATION_PREFIX + _run_of(graph) not in committed
        ]
        self._drop_quietly(stale)
        writing = {_run_of(graph) for graph in graphs if graph not in stale}
        for row in self._rows(
            f"SELECT DISTINCT ?p WHERE {{ GRAPH <{LOG_GRAPH}> {{ ?p <{_STEP}> ?s }} }}"
        ):
            publication = row["p"].value
            if publication not in committed and (
                publication.removeprefix(PUBLICATION_PREFIX) not in writing
            ):
                self._forget(publication)
        return stale

    def _rows(self, sparql: str) -> list[Row]:
        """The rows of a SELECT query read as it is (the log's own reads)."""
        return rows(self._query(sparql))

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


def _copy_staged(slices: Sequence[_Slice]) -> str:
    """One operation that copies staging graphs into their targets, restoring the predicates."""
    values = " ".join(f"(<{s.staging}> <{s.target}>)" for s in slices)
    return (
        "INSERT { GRAPH ?target { ?s ?p ?o } }\nWHERE {\n"
        f"  VALUES (?staging ?target) {{ {values} }}\n"
        "  GRAPH ?staging { ?s ?hidden ?o }\n"
        f'  FILTER(STRSTARTS(STR(?hidden), "{STAGED_PREFIX}"))\n'
        f'  BIND(IRI(STRAFTER(STR(?hidden), "{STAGED_PREFIX}")) AS ?p)\n}}'
    )


def _publish_step(staged: _Slice) -> str:
    """The step of a publication that makes one staging graph visible, then drops it."""
    return _copy_staged([staged]) + f"\n;\nDROP SILENT GRAPH <{staged.staging}>"


def _run_of(staging: str) -> str:
    """The write a staging graph belongs to.

    >>> _run_of("urn:cams:staging:0af3:12")
    '0af3'
    """
    return staging.removeprefix(STAGING_PREFIX).rsplit(":", 1)[0]


def _joined(operations: Iterable[str]) -> str:
    r"""Update operations as one request (a line end first: an operation can end in a comment).

    >>> _joined(["DROP SILENT GRAPH <urn:a> # old", "", "DROP SILENT GRAPH <urn:b>"])
    'DROP SILENT GRAPH <urn:a> # old\n;\nDROP SILENT GRAPH <urn:b>'
    """
    return "\n;\n".join(op for op in operations if op)


def _age(beat: str | None, now: str | None) -> float | None:
    """Seconds from ``beat`` to ``now`` (``xsd:dateTime`` values), None when unreadable.

    >>> _age("2024-05-01T10:00:00Z", "2024-05-01T10:00:30.5Z"), _age(None, "x")
    (30.5, None)
    """
    try:
        start, end = (datetime.fromisoformat(v.replace("Z", "+00:00")) for v in (beat, now))  # type: ignore[union-attr]
        return (end - start).total_seconds()
    except (AttributeError, TypeError, ValueError):
        return None


def _insert(graph: str, triples: Sequence[Triple]) -> str:
    """``INSERT DATA``, or ``INSERT … WHERE {}`` when blank nodes are in it (Virtuoso refuses
    blank nodes in ``INSERT DATA``; a template makes one fresh node per label instead)."""
    body = " .\n".join(str(t) for t in triples)
    if any(has_blank_node(t) for t in triples):
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
