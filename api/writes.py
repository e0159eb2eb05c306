"""The writes of the server, as functions of the store that a backend runs one at a time.

On an embedded store they run in the writer process (:mod:`cams_graph.querypool`),
so each is a module-level function taking the store first, with plain,
picklable arguments and results.

>>> from cams_graph.store import open_store
>>> store = open_store(":memory:")
>>> put_graph(store, "urn:g", b'<urn:s> <urn:p> "o" .\\n')
True
>>> put_graph(store, "urn:g", b"")
False
>>> graph_exists(store, "urn:g"), delete_graph(store, "urn:g"), graph_exists(store, "urn:g")
(True, True, False)
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode

from cams_graph.demo import import_demo, is_empty
from cams_graph.errors import StoreError
from cams_graph.importer import ImportOptions, derive_pending, import_paths
from cams_graph.namespaces import PREFIXES
from cams_graph.provenance import RetractResult, retract
from cams_graph.querypool import syntax_error
from cams_graph.report import ImportReport
from cams_graph.store import EmbeddedStore, Store

__all__ = [
    "delete_graph",
    "graph_exists",
    "import_demo_if_empty",
    "import_files",
    "post_graph",
    "put_graph",
    "retract_batch",
    "sparql_update",
]


def import_files(
    store: Store, folder: str, names: list[str], options: ImportOptions
) -> ImportReport:
    """``cams import``: validate and (unless a dry run) store the files ``names`` of ``folder``.

    The files are named in the report and in the provenance record as they
    were uploaded (``works.csv``), not by the temporary folder they sit in.
    """
    paths = [str(Path(folder) / name) for name in names]
    return import_paths(store, paths, options, names=dict(zip(paths, names, strict=True)))


def retract_batch(store: Store, batch_id: str, force: bool) -> RetractResult:
    """``cams retract``: remove a batch, then re-derive what it touched."""
    result = retract(store, batch_id, force=force)
    derive_pending(store)
    return result


def import_demo_if_empty(store: Store) -> ImportReport | None:
    """Import the demo catalogue if the store holds no batch yet (else None)."""
    if not is_empty(store):
        return None
    return import_demo(store)


def sparql_update(store: Store, text: str, base_iri: str | None) -> None:
    """Run a screened SPARQL Update (the cams prefixes predeclared) in one transaction."""
    if isinstance(store, EmbeddedStore):
        try:
            store.oxigraph.update(text, base_iri=base_iri, prefixes=dict(PREFIXES))
        except SyntaxError as err:
            raise syntax_error(err) from None
        except (OSError, ValueError) as err:
            raise StoreError(f"the update failed, nothing was stored: {err}") from None
        return
    store.update((f"BASE <{base_iri}> " if base_iri else "") + text)


def graph_exists(store: Store, graph: str) -> bool:
    """Whether the store has the named graph ``graph`` (even empty)."""
    if isinstance(store, EmbeddedStore):
        return bool(store.oxigraph.contains_named_graph(NamedNode(graph)))
    return store.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def _insert(graph: str | None, ntriples: bytes) -> list[str]:
    if not ntriples.strip():
        return []
    body = ntriples.decode("utf-8")
    if graph is None:
        return [f"INSERT DATA {{\n{body}\n}}"]
    return [f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"]


def put_graph(store: Store, graph: str | None, ntriples: bytes) -> bool:
    """Make the N-Triples the whole content of ``graph`` (None: the default graph).

    Returns True when the graph was created, False when it was replaced.
    """
    created = graph is not None and not graph_exists(store, graph)
    if graph is None:
        operations = ["CLEAR SILENT DEFAULT"]
    else:
        operations = [f"DROP SILENT GRAPH <{graph}>", f"CREATE SILENT GRAPH <{graph}>"]
    store.update(" ;\n".join(operations + _insert(graph, ntriples)))
    return created


def post_graph(store: Store, graph: str | None, ntriples: bytes) -> bool:
    """Add the N-Triples to ``graph`` (None: the default graph); True when it was created."""
    created = graph is not None and not graph_exists(store, graph)
    operations = [f"CREATE SILENT GRAPH <{graph}>"] if graph is not None else []
    operations += _insert(graph, ntriples)
    if operations:
        store.update(" ;\n".join(operations))
    return created


def delete_graph(store: Store, graph: str | None) -> bool:
    """Remove ``graph`` (None: empty the default graph); False when there was no such graph."""
    if graph is None:
        store.update("CLEAR SILENT DEFAULT")
        return True
    if not graph_exists(store, graph):
        return False
    store.update(f"DROP GRAPH <{graph}>")
    return True
