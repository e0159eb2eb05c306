"""The screen of query texts and the result caps: what their shortcuts must never change."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, QuerySolutions, Store

from cams_graph.errors import ResultTooLargeError, UnsafeQueryError
from cams_graph.sparql import (
    _CACHED_TEXT,
    CappedOutput,
    screen_query,
    screen_update,
    screened,
)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { sErViCe <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053\\u0045RVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o } #\nLOAD",
        # read as an IRI one way, as a less-than and a keyword the other
        "SELECT * WHERE { ?s ?p ?a FILTER(?a<1&&SERVICE>2) }",
        "SELECT * WHERE { ?s ?p ?o }" + " " * _CACHED_TEXT + "SERVICE <http://x/> {}",
    ],
)
def test_service_and_load_are_refused_however_written(query: str) -> None:
    with pytest.raises(UnsafeQueryError):
        screen_query(query)
    with pytest.raises(UnsafeQueryError):
        screen_query(query)  # and again, once the screen may have remembered texts


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s <http://x/service> 'LOAD' } # SERVICE",
        "SELECT ?from ?loaded WHERE { ?s ?p ?from ; <urn:loadFactor> ?loaded }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 2) }",
    ],
)
def test_the_words_elsewhere_are_not_keywords(query: str) -> None:
    found = screen_query(query)
    assert found.form == "SELECT" and not found.has_dataset


def test_a_remembered_screen_still_resolves_against_its_own_base() -> None:
    query = "SELECT * FROM <g> WHERE { ?s ?p ?o }"
    assert screened(query, base="http://a.example/sparql").default_graphs == ("http://a.example/g",)
    assert screened(query, base="http://b.example/sparql").default_graphs == ("http://b.example/g",)


def test_held_graphs_are_checked_every_time() -> None:
    query = "ASK FROM <urn:g> FROM NAMED <urn:h> { }"
    assert screen_query(query, held_graphs=frozenset({"urn:g", "urn:h"})).named_graphs == ("urn:h",)
    with pytest.raises(UnsafeQueryError, match="FROM NAMED <urn:h>"):
        screen_query(query, held_graphs=frozenset({"urn:g"}))
    assert screen_query(query, held_graphs=frozenset(), unknown_graphs="empty").has_dataset


def test_updates_are_screened_for_their_own_keywords() -> None:
    found = screen_update("WITH <urn:g> DELETE { ?s ?p ?o } USING <urn:h> WHERE { ?s ?p ?o }")
    assert found.form == "UPDATE" and found.has_with and found.default_graphs == ("urn:h",)
    assert not screen_update("INSERT DATA { <urn:s> <urn:with> 'using' }").has_with
    with pytest.raises(UnsafeQueryError, match="USING <urn:h>"):
        screen_update(
            "DELETE WHERE { ?s ?p ?o }; INSERT {} USING <urn:h> WHERE {}", held_graphs=frozenset()
        )


def _solutions(n: int) -> QuerySolutions:
    """``n`` rows whose values hold quotes, commas, braces and line breaks."""
    store = Store()
    for i in range(n):
        store.add(Quad(NamedNode(f"urn:s{i}"), NamedNode("urn:p"), Literal(f'a "{i}",{{\n[{{')))
    solutions = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert isinstance(solutions, QuerySolutions)
    return solutions


@pytest.mark.parametrize("key", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 20])
def test_rows_are_counted_exactly_however_the_answer_is_written(key: str, chunk: int) -> None:
    n = 40
    formats = {
        "json": QueryResultsFormat.JSON,
        "xml": QueryResultsFormat.XML,
        "csv": QueryResultsFormat.CSV,
        "tsv": QueryResultsFormat.TSV,
    }
    data = _solutions(n).serialize(format=formats[key])
    assert data is not None
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]

    roomy = CappedOutput(key, max_rows=10 * len(data), max_bytes=len(data))
    for piece in pieces:
        roomy.write(piece)
    assert roomy.counted is None  # too short to pass the row cap: not counted yet
    assert roomy.rows == n
    assert roomy.getvalue() == data

    exact = CappedOutput(key, max_rows=n, max_bytes=len(data))
    for piece in pieces:
        exact.write(piece)
    assert exact.rows == n

    short = CappedOutput(key, max_rows=n - 1, max_bytes=len(data))
    with pytest.raises(ResultTooLargeError, match=f"more than {n - 1} rows"):
        for piece in pieces:
            short.write(piece)


def test_a_spilled_answer_was_counted_before_it_left_memory() -> None:
    data = _solutions(50).serialize(format=QueryResultsFormat.TSV)
    assert data is not None
    out = CappedOutput("tsv", max_rows=10_000, max_bytes=10**6, spill=100)
    out.write(data)
    assert out.spilled and out.counted == 50 and out.file().read() == data
