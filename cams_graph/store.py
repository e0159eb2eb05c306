"""The store: one narrow interface over the RDF dataset that holds the rights graph.

Everything cams-graph reads or writes goes through :class:`Store`. The default
implementation, :class:`EmbeddedStore`, is Oxigraph's on-disk store (RocksDB)
opened in this process; a SPARQL 1.1 server can implement the same interface
(:mod:`cams_graph.remote`).

The dataset's default graph is the union of all named graphs, as on most SPARQL
servers; ``GRAPH`` reaches one graph. Values are bound with ``bindings`` (a
variable name to an RDF term), never pasted into query text; a bound variable
must appear in the query's projection.

>>> store = EmbeddedStore.in_memory()
>>> g = NamedNode("https://example.org/g")
>>> store.add([Quad(NamedNode("https://example.org/w"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
...                 Literal("The River Bend"), g)])
>>> [row["label"].value for row in store.select(
...     "SELECT ?w ?label WHERE { ?w rdfs:label ?label }",
...     {"w": NamedNode("https://example.org/w")})]
['The River Bend']
>>> store.graph_sizes()[g.value]
1
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol, TypeAlias, runtime_checkable

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    Variable,
    serialize,
)
from pyoxigraph import Store as _OxStore

from .errors import QuerySyntaxError, StoreError, StoreLockedError
from .namespaces import PREFIXES

__all__ = [
    "Bindings",
    "BlankNode",
    "EmbeddedStore",
    "Literal",
    "NamedNode",
    "Quad",
    "QueryResult",
    "Reads",
    "Row",
    "Store",
    "Term",
    "Triple",
    "bind_values",
    "has_blank_node",
    "insert_data",
    "open_store",
    "quads_in",
    "query_prologue",
    "row_text",
    "rows",
    "values_clause",
    "values_rows",
    "with_values",
]

Term: TypeAlias = NamedNode | BlankNode | Literal
"""An RDF term as the store returns it."""
Bindings: TypeAlias = Mapping[str, Term]
"""Variable name (without ``?``) to the term it is bound to."""
Row: TypeAlias = dict[str, Term]
"""One solution of a SELECT query: variable name to term (unbound variables absent)."""
QueryResult: TypeAlias = QuerySolutions | QueryBoolean | QueryTriples


def query_prologue() -> str:
    """``PREFIX`` declarations for every cams-graph namespace.

    >>> "PREFIX cams: <https://w3id.org/cams-graph/ontology#>" in query_prologue()
    True
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@runtime_checkable
class Store(Protocol):
    """What cams-graph needs of an RDF store. Writes are all or nothing."""

    @property
    def location(self) -> str:
        """Where the store lives (a folder or a URL), for messages."""
        ...

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (the cams prefixes are predeclared)."""
        ...

    def update(self, sparql: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update in one transaction."""
        ...

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction."""
        ...

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        """Add many quads fast; not atomic (a failure can leave a part written)."""
        ...

    def load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        """Parse ``data`` and add it to the named graph ``graph`` in one transaction."""
        ...

    def bulk_load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        """Parse ``data`` into the named graph ``graph`` fast; not atomic."""
        ...

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        """Make ``triples`` the whole content of the named graph ``graph``, atomically."""
        ...

    def drop_graph(self, graph: str, *, atomic: bool = True) -> None:
        """Remove the named graph ``graph`` and its triples.

        Atomically by default. ``atomic=False`` lets a store that holds a whole
        transaction in memory (the embedded one) delete a large graph in slices
        of bounded memory instead; a crash then leaves part of the graph.
        """
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph (the default graph as ``""`` when not empty)."""
        ...

    def dump(self, out: IO[bytes], rdf_format: RdfFormat = RdfFormat.N_QUADS) -> None:
        """Serialize the whole dataset."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...

    def select(self, sparql: str, bindings: Bindings | None = None) -> list[Row]:
        """Run a SELECT query and return its rows."""
        ...

    def ask(self, sparql: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query."""
        ...


DROP_SLICE = 50_000
"""Quads deleted per transaction when a graph is dropped with ``atomic=False``."""


def has_blank_node(statement: Quad | Triple) -> bool:
    """Whether the subject or the object of a quad or triple is a blank node.

    >>> has_blank_node(Triple(BlankNode("b"), NamedNode("urn:p"), Literal("x")))
    True
    """
    return isinstance(statement.subject, BlankNode) or isinstance(statement.object, BlankNode)


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _syntax_error(err: SyntaxError, prologue_lines: int, sparql: str = "") -> QuerySyntaxError:
    """Turn Oxigraph's parser error into one with a line and column of the user's text."""
    text = str(err.args[0]) if err.args else str(err)
    match = _POSITION.match(text)
    if not match:
        return QuerySyntaxError(text)
    line = max(int(match.group(1)) - prologue_lines, 1)
    lines = sparql.splitlines()
    source = lines[line - 1] if line <= len(lines) else None
    return QuerySyntaxError(match.group(3), line=line, column=int(match.group(2)), source=source)


def rows(result: QueryResult) -> list[Row]:
    """The rows of a SELECT result as dictionaries (unbound variables left out)."""
    if not isinstance(result, QuerySolutions):
        raise TypeError("not a SELECT query")
    names = [v.value for v in result.variables]
    return [
        {
            n: v
            for n, v in zip(names, solution, strict=True)
            if v is not None and not isinstance(v, Triple)
        }
        for solution in result
    ]


class Reads:
    """``select`` and ``ask`` of the :class:`Store` interface, on top of a store's ``query``."""

    def query(self, sparql: str, bindings: Bindings | None = None) -> QueryResult:
        raise NotImplementedError

    def select(self, sparql: str, bindings: Bindings | None = None) -> list[Row]:
        """Run a SELECT query and return its rows."""
        return rows(self.query(sparql, bindings))

    def ask(self, sparql: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query."""
        result = self.query(sparql, bindings)
        if not isinstance(result, QueryBoolean):
            raise TypeError("not an ASK query")
        return bool(result)


class EmbeddedStore(Reads):
    """Oxigraph's store in this process: on disk (RocksDB) or in memory.

    Only one process may open an on-disk store at a time; a second one gets
    :class:`~cams_graph.errors.StoreLockedError`.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        try:
            self._store = _OxStore(str(path)) if path is not None else _OxStore()
        except OSError as err:
            message = str(err)
            if "lock" in message.lower():
                raise StoreLockedError(
                    f"the store at {path} is in use by another cams process "
                    "(a server or an import); stop it or use another --store"
                ) from None
            raise StoreError(f"cannot open the store at {path}: {message}") from None
        self._prologue = query_prologue()
        self._prologue_lines = self._prologue.count("\n")

    @classmethod
    def in_memory(cls) -> EmbeddedStore:
        """A store that lives in memory only (tests, dry runs, validation)."""
        return cls(None)

    @property
    def location(self) -> str:
        return str(self._path) if self._path is not None else ":memory:"

    @property
    def oxigraph(self) -> _OxStore:
        """The underlying ``pyoxigraph.Store``."""
        return self._store

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        substitutions: dict[Variable, NamedNode | BlankNode | Literal | Triple] = {
            Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            if default_graphs is None:
                return self._store.query(
                    self._prologue + sparql,
                    use_default_graph_as_union=True,
                    substitutions=substitutions or None,
                    named_graphs=_nodes(named_graphs),
                )
            graphs: list[NamedNode | BlankNode | DefaultGraph] = [
                NamedNode(g) for g in default_graphs
            ]
            return self._store.query(
                self._prologue + sparql,
                default_graph=graphs,
                substitutions=substitutions or None,
                named_graphs=_nodes(named_graphs),
            )
        except SyntaxError as err:
            raise _syntax_error(err, self._prologue_lines, sparql) from None
        except OSError as err:
            raise StoreError(f"query failed: {err}") from None

    def update(self, sparql: str, bindings: Bindings | None = None) -> None:
        text = self._prologue + sparql
        if bindings:
            text = self._prologue + _bind_update(sparql, bindings)
        try:
            self._store.update(text)
        except SyntaxError as err:
            raise _syntax_error(err, self._prologue_lines, sparql) from None
        except OSError as err:
            raise StoreError(f"update failed: {err}") from None

    def add(self, quads: Iterable[Quad]) -> None:
        try:
            self._store.extend(quads)
        except OSError as err:
            raise StoreError(f"write failed, nothing was stored: {err}") from None

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        try:
            self._store.bulk_extend(quads)
        except OSError as err:
            raise StoreError(f"bulk write failed: {err}") from None

    def load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        try:
            self._store.load(data, format=rdf_format, to_graph=NamedNode(graph))
        except (OSError, SyntaxError, ValueError) as err:
            raise StoreError(f"load into <{graph}> failed: {err}") from None

    def bulk_load(self, data: bytes, rdf_format: RdfFormat, graph: str) -> None:
        try:
            self._store.bulk_load(data, format=rdf_format, to_graph=NamedNode(graph))
        except (OSError, SyntaxError, ValueError) as err:
            raise StoreError(f"bulk load into <{graph}> failed: {err}") from None

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}> ;\n" + insert_data(graph, triples))

    def drop_graph(self, graph: str, *, atomic: bool = True) -> None:
        if atomic:
            self.update(f"DROP SILENT GRAPH <{graph}>")
            return
        # Deleting costs about 30 µs a quad whichever way, but one transaction holds
        # every deletion in memory (gigabytes for millions of quads): slice it.
        name = NamedNode(graph)
        quads = self._store.quads_for_pattern(None, None, None, name)
        while chunk := list(itertools.islice(quads, DROP_SLICE)):
            plain = [q.triple for q in chunk if not has_blank_node(q)]
            text = serialize(plain, format=RdfFormat.N_TRIPLES) or b""
            self.update(f"DELETE DATA {{ GRAPH <{graph}> {{\n{text.decode()}}} }}")
            for quad in chunk:
                if has_blank_node(quad):  # DELETE DATA takes no blank node
                    self._store.remove(quad)
        self.update(f"DROP SILENT GRAPH <{graph}>")  # the (now empty) graph's name

    def graph_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for row in self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ):
            graph, count = row["g"], row["n"]
            if isinstance(graph, NamedNode) and isinstance(count, Literal):
                sizes[graph.value] = int(count.value)
        default = sum(1 for _ in self._store.quads_for_pattern(None, None, None, DefaultGraph()))
        if default:
            sizes[""] = default
        return sizes

    def dump(self, out: IO[bytes], rdf_format: RdfFormat = RdfFormat.N_QUADS) -> None:
        self._store.dump(out, format=rdf_format)

    def flush(self) -> None:
        """Make sure every committed write is on disk."""
        if self._path is not None:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _nodes(graphs: Sequence[str] | None) -> list[NamedNode | BlankNode] | None:
    return None if graphs is None else [NamedNode(g) for g in graphs]


def _bind_update(sparql: str, bindings: Bindings) -> str:
    """Bind values in an update with a ``VALUES`` block in front of its WHERE clause.

    Updates take no substitutions in Oxigraph; the terms are written by the RDF
    serializer (never pasted as text), and only into a ``WHERE`` that the
    update's text marks with ``#BIND`` on its own.
    """
    names = sorted(bindings)
    values = "VALUES (" + " ".join("?" + n for n in names) + ") { ("
    values += " ".join(str(bindings[n]) for n in names) + ") }"
    if "#BIND" not in sparql:
        raise ValueError("an update with bindings must mark the place of the values with #BIND")
    return sparql.replace("#BIND", values)


def insert_data(graph: str, triples: Iterable[Triple]) -> str:
    """An ``INSERT DATA`` update that adds ``triples`` to the named graph ``graph``."""
    body = " .\n".join(str(t) for t in triples)
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def quads_in(graph: str, triples: Iterable[Triple]) -> Iterator[Quad]:
    """The triples as quads of the named graph ``graph``."""
    name = NamedNode(graph)
    for t in triples:
        yield Quad(t.subject, t.predicate, t.object, name)


def open_store(
    location: str | os.PathLike[str],
    *,
    update_url: str | None = None,
    graph_store_url: str | None = None,
) -> Store:
    """Open the store at ``location``: a folder (a path or its text), ``:memory:``, or a
    SPARQL endpoint URL.

    ``update_url`` and ``graph_store_url`` are for a server that takes updates
    and Graph Store Protocol requests elsewhere (:mod:`cams_graph.remote`).

    The shipped ontology and vocabularies are installed (or refreshed) in the
    ontology graph, and the facts of an import interrupted before its commit
    record are dropped (:func:`cams_graph.provenance.recover`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with open_store(Path(folder) / "rights") as store:
    ...         store.ask("ASK { ?s a owl:Ontology }")
    True
    """
    from .config import is_remote
    from .ontology import install_ontology
    from .provenance import recover

    store: Store
    location = os.fspath(location)
    if is_remote(location):
        from .remote import RemoteStore

        store = RemoteStore.from_environment(
            location, update_url=update_url, graph_store_url=graph_store_url
        )
    elif location == ":memory:":
        store = EmbeddedStore.in_memory()
    else:
        store = EmbeddedStore(Path(location).expanduser())
    install_ontology(store)
    recover(store)
    return store


def row_text(row: Row, name: str) -> str | None:
    """The IRI, blank node id or lexical form bound to ``name`` in ``row`` (None: unbound).

    >>> row_text({"w": NamedNode("https://example.org/w1")}, "w"), row_text({}, "w")
    ('https://example.org/w1', None)
    """
    term = row.get(name)
    return term.value if term is not None else None


def values_clause(variable: str, terms: Iterable[Term]) -> str:
    """A ``VALUES`` block binding ``?variable`` to each term, written by the RDF serializer.

    >>> values_clause("w", [NamedNode("https://example.org/w1"), Literal('say "hi"')])
    'VALUES ?w { <https://example.org/w1> "say \\\\"hi\\\\"" }'
    """
    return f"VALUES ?{variable} {{ " + " ".join(str(t) for t in terms) + " }"


def values_rows(variables: Sequence[str], rows: Iterable[Sequence[Term]]) -> str:
    """A ``VALUES`` block binding several variables, one row per solution.

    >>> values_rows(["w", "d"], [[Literal("W1"), Literal("2024-05-01")]])
    'VALUES (?w ?d) { ("W1" "2024-05-01") }'
    """
    body = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in rows)
    return "VALUES (" + " ".join("?" + v for v in variables) + ") { " + body + " }"


def with_values(sparql: str, variable: str, terms: Iterable[Term] | None) -> str:
    """``sparql`` with ``?variable`` bound to ``terms`` at its ``#VALUES`` line (None: unbound)."""
    if terms is None:
        return sparql
    return bind_values(sparql, values_clause(variable, terms))


_VALUES_LINE = re.compile(r"^[ \t]*#VALUES[ \t]*$", re.MULTILINE)


def bind_values(sparql: str, clause: str) -> str:
    """``sparql`` with the ``VALUES`` block ``clause`` put at its ``#VALUES`` line.

    The shipped queries mark with a line ``#VALUES`` the place, at the start of
    their ``WHERE`` clause, where a caller binds the variables their header names.

    >>> query = chr(10).join(["SELECT * WHERE {", "  #VALUES", "  ?s ?p ?o }"])
    >>> print(bind_values(query, "VALUES ?s { <urn:x> }"))
    SELECT * WHERE {
      VALUES ?s { <urn:x> }
      ?s ?p ?o }
    """
    bound, found = _VALUES_LINE.subn(lambda _: "  " + clause, sparql, count=1)
    if not found:
        raise ValueError("the query has no #VALUES line to bind values at")
    return bound
