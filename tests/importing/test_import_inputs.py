"""Input as people really save it, hostile input, and refusals that name the file."""

from __future__ import annotations

import http.server
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from cams_graph.errors import InputError
from cams_graph.importer import ImportOptions, import_paths
from cams_graph.ledger import Limits
from cams_graph.store import Store

from .conftest import snapshot

HEADER = "work_id,title,category,created\r\n"


def test_bom_crlf_quoted_newlines_and_chinese(
    store: Store, tmp_path: Path, derived: list[Store]
) -> None:
    text = (
        "\ufeff"
        + HEADER
        + 'W1,"河湾, 第一部 ""上""\r\n（续）",literary,2005-03-01\r\n'
        + "W2,江城子,literary,2006-01-01\r\n"
    )
    path = tmp_path / "works.csv"
    path.write_bytes(text.encode("utf-8"))
    report = import_paths(store, [path])
    assert report.status == "stored", report.problems
    titles = {
        r["t"].value for r in store.select("SELECT ?t WHERE { ?w a cams:Work ; dcterms:title ?t }")
    }
    assert titles == {'河湾, 第一部 "上"\r\n（续）', "江城子"}
    # a quoted line break does not start a new spreadsheet row
    path.write_bytes((HEADER + 'W3,"a\r\nb",novel,2005-03-01\r\nW4,x,novel,\r\n').encode())
    rows = {p.row for p in import_paths(store, [path]).violations}
    assert rows == {2, 3}


def test_gbk_is_refused_with_how_to_resave(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "works.csv"
    path.write_bytes((HEADER + "W1,河湾,literary,2005-03-01\r\n").encode("gbk"))
    with pytest.raises(InputError) as caught:
        import_paths(store, [path])
    message = str(caught.value)
    assert str(path) in message and "UTF-8" in message and '"CSV UTF-8' in message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("works.csv", b"\x00\x01\x02PK\x03\x04" * 10, "binary"),
        ("works.ttl", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (
            "works.ttl",
            b"@prefix cams: <https://w3id.org/cams-graph/ontology#> .\n"
            b'<https://x/w> cams:name "trunc',
            "line 2",
        ),
        ("works.nt", b"<https://x/a> <https://x/p> <https://x/b>", "N-Triples"),
        ("works.csv", b'work_id,title,category\nW1,"unterminated,literary\n', "quoted"),
        ("works.csv", b"", "empty"),
        ("works.xlsx", b"PK\x03\x04", "not a ledger CSV"),
    ],
    ids=[
        "binary csv",
        "binary ttl",
        "truncated turtle",
        "truncated n-triples",
        "truncated csv",
        "empty csv",
        "spreadsheet",
    ],
)
def test_unreadable_files_are_refused_naming_them(
    store: Store, tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(store)
    with pytest.raises(InputError, match=expected) as caught:
        import_paths(store, [path])
    assert str(path) in str(caught.value)
    assert snapshot(store) == before


def test_missing_path(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_paths(store, [tmp_path / "nope.csv"])


def test_size_limits(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "works.csv"
    path.write_text(HEADER + "W1," + "x" * 500 + ",literary,2005-03-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 100 bytes"):
        import_paths(store, [path], ImportOptions(limits=Limits(max_file_bytes=100)))
    report = import_paths(store, [path], ImportOptions(limits=Limits(max_literal_chars=100)))
    assert [(p.rule, p.row, p.column) for p in report.violations] == [
        ("literal-too-long", 2, "title")
    ]
    ttl = tmp_path / "w.ttl"
    ttl.write_text('<https://x/w> <http://purl.org/dc/terms/title> "' + "y" * 500 + '" .\n')
    report = import_paths(store, [ttl], ImportOptions(limits=Limits(max_literal_chars=100)))
    assert [(p.rule, p.line) for p in report.violations][:1] == [("literal-too-long", 1)]


# -- hostile RDF, with a local listener that must see no request ------------------------


class _Listener(http.server.ThreadingHTTPServer):
    requests: list[str]


@pytest.fixture
def listener() -> Iterator[_Listener]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            body = b'{"@context": {"title": "http://purl.org/dc/terms/title"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = _Listener(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: _Listener, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/{path}"


@pytest.mark.parametrize("shape", ["string", "list", "import"])
def test_remote_jsonld_context_is_refused_and_not_fetched(
    store: Store, tmp_path: Path, listener: _Listener, shape: str
) -> None:
    url = _url(listener, "context.jsonld")
    context = {
        "string": f'"{url}"',
        "list": f'["{url}", {{"x": "http://x/"}}]',
        "import": f'{{"@import": "{url}"}}',
    }[shape]
    path = tmp_path / "works.jsonld"
    path.write_text(f'{{"@context": {context}, "@id": "https://x/w1", "title": "River"}}')
    with pytest.raises(InputError, match="remote") as caught:
        import_paths(store, [path])
    assert str(path) in str(caught.value)
    time.sleep(0.2)
    assert listener.requests == []


def test_inline_jsonld_context_is_read(store: Store, tmp_path: Path, derived: list[Store]) -> None:
    path = tmp_path / "works.jsonld"
    path.write_text(
        '{"@context": {"cams": "https://w3id.org/cams-graph/ontology#",'
        ' "dcterms": "http://purl.org/dc/terms/",'
        ' "category": {"@id": "cams:category", "@type": "@id"}},'
        ' "@id": "https://example.org/w1", "@type": "cams:Work", "dcterms:identifier": "W1",'
        ' "dcterms:title": "River", "category": "https://w3id.org/cams-graph/category/literary"}'
    )
    report = import_paths(store, [path])
    assert report.status == "stored", report.problems


def test_rdfxml_external_entity_is_refused(
    store: Store, tmp_path: Path, listener: _Listener
) -> None:
    path = tmp_path / "works.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "{_url(listener, "e")}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:dcterms="http://purl.org/dc/terms/">\n'
        '<rdf:Description rdf:about="https://x/w"><dcterms:title>&x;</dcterms:title>'
        "</rdf:Description></rdf:RDF>\n"
    )
    with pytest.raises(InputError, match="entities") as caught:
        import_paths(store, [path])
    assert str(path) in str(caught.value)
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{_url(listener, "dtd")}">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    with pytest.raises(InputError, match="external DTD"):
        import_paths(store, [path])
    time.sleep(0.2)
    assert listener.requests == []


def test_billion_laughs_is_refused_quickly(store: Store, tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">'
    for i in range(1, 10):
        previous = "lol" if i == 1 else f"lol{i - 1}"
        entities += f'<!ENTITY lol{i} "{("&" + previous + ";") * 10}">'
    path = tmp_path / "laughs.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:dcterms="http://purl.org/dc/terms/">'
        '<rdf:Description rdf:about="https://x/w"><dcterms:title>&lol9;</dcterms:title>'
        "</rdf:Description></rdf:RDF>"
    )
    tracemalloc.start()
    began = time.perf_counter()
    with pytest.raises(InputError, match="entities"):
        import_paths(store, [path])
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 5
    assert peak < 50 * 1024 * 1024


def test_owl_imports_is_stored_as_data(
    store: Store, tmp_path: Path, listener: _Listener, derived: list[Store]
) -> None:
    url = _url(listener, "ontology.ttl")
    path = tmp_path / "works.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix cams: <https://w3id.org/cams-graph/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        f"<https://example.org/data> a owl:Ontology ; owl:imports <{url}> .\n"
        '<https://example.org/w1> a cams:Work ; dcterms:identifier "W1" ;\n'
        '    dcterms:title "River" ;\n'
        "    cams:category <https://w3id.org/cams-graph/category/literary> .\n"
    )
    report = import_paths(store, [path])
    assert report.status == "stored", report.problems
    assert store.ask(f"ASK {{ <https://example.org/data> owl:imports <{url}> }}")
    time.sleep(0.2)
    assert listener.requests == []


def test_rdf_problems_have_lines(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "works.ttl"
    path.write_text(
        "@prefix cams: <https://w3id.org/cams-graph/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix work: <https://w3id.org/cams-graph/id/work/> .\n"
        "\n"
        'work:W1 a cams:Work ; dcterms:identifier "W1" ; dcterms:title "River" ;\n'
        "    cams:category <https://w3id.org/cams-graph/category/novel> .\n"
        'work:W2 a cams:Work ; dcterms:identifier "W1" ; dcterms:title "Other" ;\n'
        "    cams:category <https://w3id.org/cams-graph/category/literary> .\n"
    )
    report = import_paths(store, [path])
    assert report.status == "rejected"
    located = {(p.rule, p.line, p.column) for p in report.violations}
    assert ("duplicate-key", 7, "dcterms:identifier") in located
    assert any(line == 5 and column == "cams:category" for _, line, column in located)
