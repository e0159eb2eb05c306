"""Benchmark of ``cams serve``: title and a SPARQL query mix over HTTP, against raw servers.

usage: python benchmarks/serve_bench.py [--works 100000] [--seed 1] [--out DIR]
                                        [--duration 10] [--concurrency 4] [--no-rdflib]

1. generates a ledger (``cams generate``) and imports it into an embedded store
   (both kept in ``--out``, reused by the next run);
2. dumps the store and loads the same quads into a raw Oxigraph server
   (``oxigraph serve --union-default-graph``) and into rdflib-endpoint
   (an rdflib ``Dataset`` with the default graph as union);
3. serves the store with ``cams serve`` (worker processes over snapshots);
4. prints requests per second and p50/p99 latency of ``/api/works/{w}/title``
   (one client, then ``--concurrency`` clients), and of a SPARQL query mix
   (point lookups, the shipped title query, a conflict listing, a join) against
   all three servers, with the ratios.

Targets: title p50 <= 10 ms over HTTP; SPARQL throughput >= 0.8x raw Oxigraph
and >= 20x rdflib-endpoint.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from cams_graph.servers import OxigraphServer

HERE = Path(__file__).resolve().parent
PREFIXES = """PREFIX cams: <https://w3id.org/cams-graph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX right: <https://w3id.org/cams-graph/right/>
PREFIX territory: <https://w3id.org/cams-graph/territory/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cams(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from cams_graph.cli import main; main()", *args]
    return subprocess.run(command, check=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not start")


def prepare(out: Path, works: int, seed: int) -> tuple[Path, Path]:
    """The ledger and the imported store (made once per size and seed, then reused)."""
    ledger, store, done = out / "ledger", out / "store", out / "imported"
    if not (ledger / "works.csv").exists():
        began = time.perf_counter()
        _cams("generate", "--works", str(works), "--seed", str(seed), str(ledger))
        print(f"generated {works} works in {time.perf_counter() - began:.1f} s", flush=True)
    if not done.exists():  # a store left by an interrupted run is made again
        shutil.rmtree(store, ignore_errors=True)
        began = time.perf_counter()
        _cams("--store", str(store), "import", str(ledger), stdout=subprocess.DEVNULL)
        done.touch()
        print(f"imported into {store} in {time.perf_counter() - began:.1f} s", flush=True)
    return ledger, store


def dump(store: Path, out: Path) -> Path:
    target = out / "dump.nq"
    if not target.exists():
        from pyoxigraph import RdfFormat, Store

        began = time.perf_counter()
        opened = Store.read_only(str(store))
        partial = target.with_suffix(".partial")
        with partial.open("wb") as handle:
            opened.dump(handle, format=RdfFormat.N_QUADS)
        partial.replace(target)  # whole, or not there at all
        del opened
        print(f"dumped the store in {time.perf_counter() - began:.1f} s", flush=True)
    return target


def keys(store: Path, n: int = 400) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Some work keys, and (work, right, territory) cells named by their agreements."""
    from pyoxigraph import Store

    opened = Store.read_only(str(store))
    rows = opened.query(
        PREFIXES
        + """SELECT ?key ?right ?territory WHERE {
          ?a cams:work ?w ; cams:right/cams:code ?right ; cams:territory/cams:code ?territory .
          ?w dcterms:identifier ?key FILTER(?territory != "WORLD")
        } LIMIT 20000""",
        use_default_graph_as_union=True,
    )
    cells = [(r["key"].value, r["right"].value, r["territory"].value) for r in rows]  # type: ignore[index,union-attr]
    random.Random(1).shuffle(cells)
    del rows, opened
    works = sorted({c[0] for c in cells})
    return works[:n], cells[:n]


def measure(
    call: Callable[[httpx.Client, int], None], url: str, concurrency: int, duration: float
) -> dict[str, float]:
    """Run ``call`` from ``concurrency`` threads for ``duration`` seconds; rps, p50, p99 (ms)."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker(number: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=url, timeout=120) as client:
            i = number
            while time.monotonic() < stop:
                began = time.perf_counter()
                try:
                    call(client, i)
                except Exception:
                    failures[0] += 1
                mine.append(time.perf_counter() - began)
                i += concurrency
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "n": len(latencies),
        "failures": failures[0],
    }


def sparql_mix(
    works: list[str], cells: list[tuple[str, str, str]], shipped: bool = True
) -> list[str]:
    from cams_graph.resources import query_text
    from cams_graph.store import bind_values

    owners = query_text("title-owners")
    queries = []
    for i in range(200):
        work = works[i % len(works)]
        key, right, territory = cells[i % len(cells)]
        kind = i % 5
        if kind == 2 and not shipped:
            kind = 0
        if kind == 0:
            queries.append(
                PREFIXES
                + f"""SELECT ?title ?category WHERE {{
              ?w a cams:Work ; dcterms:identifier "{work}" ; dcterms:title ?title ;
                 cams:category/cams:code ?category }}"""
            )
        elif kind == 1:
            queries.append(
                PREFIXES
                + f"""SELECT ?key ?type ?start WHERE {{
              ?w dcterms:identifier "{work}" . ?a cams:work ?w ; a ?type ;
                 dcterms:identifier ?key ; cams:start ?start }}"""
            )
        elif kind == 2:
            values = (
                f'VALUES (?work ?right ?territory ?at) {{ ("{key}" right:{right} '
                f'territory:{territory} "2021-06-01"^^xsd:date) }}'
            )
            queries.append(PREFIXES + bind_values(owners, values))
        elif kind == 3:
            queries.append(
                PREFIXES
                + f"""SELECT ?party ?name WHERE {{
              ?w dcterms:identifier "{work}" ; cams:author ?p .
              ?p dcterms:identifier ?party ; cams:name ?name }}"""
            )
        else:
            queries.append(
                PREFIXES
                + """SELECT ?c ?message WHERE {
              ?c a cams:Conflict ; cams:conflictCode/cams:code "OVERLAPPING_EXCLUSIVE" ;
                 cams:message ?message } LIMIT 20"""
            )
    return queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "serve")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-rdflib", action="store_true", help="Skip rdflib-endpoint.")
    parser.add_argument(
        "--no-shipped",
        action="store_true",
        help="Leave the shipped title-owners query out of the SPARQL mix.",
    )
    args = parser.parse_args(argv)
    oxigraph = OxigraphServer.executable()
    if oxigraph is None:
        parser.error("the oxigraph server is not installed: pip install oxigraph")
    out: Path = args.out / f"{args.works}-works-seed-{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    _, store = prepare(out, args.works, args.seed)
    nquads = dump(store, out)
    works, cells = keys(store)
    queries = sparql_mix(works, cells, shipped=not args.no_shipped)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        oxi_dir = out / "oxigraph"
        if not (out / "oxigraph-loaded").exists():
            shutil.rmtree(oxi_dir, ignore_errors=True)
            subprocess.run(
                [oxigraph, "load", "--location", str(oxi_dir), "--file", str(nquads)],
                check=True,
                capture_output=True,
            )
            (out / "oxigraph-loaded").touch()
        oxi_port, cams_port, rdflib_port = _port(), _port(), _port()
        processes.append(
            subprocess.Popen(
                [
                    oxigraph,
                    "serve-read-only",
                    "--location",
                    str(oxi_dir),
                    "--bind",
                    f"127.0.0.1:{oxi_port}",
                    "--union-default-graph",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        cams = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cams_graph.cli import main; main()",
                "--store",
                str(store),
                "serve",
                "--port",
                str(cams_port),
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(cams)
        servers = {
            "cams": f"http://127.0.0.1:{cams_port}",
            "oxigraph": f"http://127.0.0.1:{oxi_port}",
        }
        _wait(servers["cams"] + "/api/health", cams)
        _wait(servers["oxigraph"] + "/query?query=ASK%7B%7D", processes[0])
        if not args.no_rdflib:
            code = (
                "import sys, rdflib, uvicorn\n"
                "from rdflib_endpoint import SparqlEndpoint\n"
                "d = rdflib.Dataset(default_union=True)\n"
                "d.parse(sys.argv[1], format='nquads')\n"
                "uvicorn.run(SparqlEndpoint(graph=d, path='/sparql'), host='127.0.0.1', "
                "port=int(sys.argv[2]), log_level='warning')\n"
            )
            began = time.perf_counter()
            rdflib = subprocess.Popen(
                [sys.executable, "-c", code, str(nquads), str(rdflib_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(rdflib)
            servers["rdflib-endpoint"] = f"http://127.0.0.1:{rdflib_port}"
            _wait(servers["rdflib-endpoint"] + "/sparql?query=ASK%7B%7D", rdflib, timeout=3600)
            print(
                f"rdflib-endpoint loaded the dump in {time.perf_counter() - began:.0f} s",
                flush=True,
            )
        health = httpx.get(servers["cams"] + "/api/health").json()
        print(f"cams serve: {health['backend']}")

        def title(client: httpx.Client, i: int) -> None:
            key, right, territory = cells[i % len(cells)]
            r = client.get(
                f"/api/works/{key}/title",
                params={"right": right, "territory": territory, "at": "2021-06-01"},
            )
            r.raise_for_status()

        print(f"\n{'measure':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'n':>7}")
        rows: dict[str, dict[str, float]] = {}
        for label, concurrency in (
            ("title, 1 client", 1),
            (f"title, {args.concurrency} clients", args.concurrency),
        ):
            rows[label] = measure(title, servers["cams"], concurrency, args.duration)
        paths = {"cams": "/sparql", "oxigraph": "/query", "rdflib-endpoint": "/sparql"}
        for name, url in servers.items():
            path = paths[name]

            def sparql(client: httpx.Client, i: int, path: str = path) -> None:
                r = client.post(
                    path,
                    data={"query": queries[i % len(queries)]},
                    headers={"Accept": "application/sparql-results+json"},
                )
                r.raise_for_status()

            rows[f"SPARQL mix, {name}"] = measure(sparql, url, args.concurrency, args.duration)
        for label, m in rows.items():
            print(
                f"{label:<44}{m['rps']:>9.1f}{m['p50']:>9.2f}{m['p99']:>9.2f}{m['n']:>7.0f}"
                + (f"  ({m['failures']:.0f} failed)" if m["failures"] else "")
            )
        ours = rows["SPARQL mix, cams"]["rps"]
        print(
            f"\nSPARQL throughput: {ours / rows['SPARQL mix, oxigraph']['rps']:.2f}x raw "
            "Oxigraph (target >= 0.8)"
        )
        if "SPARQL mix, rdflib-endpoint" in rows:
            print(
                f"SPARQL throughput: {ours / rows['SPARQL mix, rdflib-endpoint']['rps']:.1f}x "
                "rdflib-endpoint (target >= 20)"
            )
        print(f"title p50 over HTTP: {rows['title, 1 client']['p50']:.2f} ms (target <= 10)")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
