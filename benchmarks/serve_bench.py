"""Benchmark of ``cams serve``: title and a SPARQL query mix over HTTP, against raw servers.

usage: python benchmarks/serve_bench.py [--works 100000] [--seed 1] [--out DIR]
                                        [--duration 10] [--rounds 4] [--concurrency 4]
                                        [--no-rdflib] [--no-shipped] [--baseline TREE]

1. generates a ledger (``cams generate``) and imports it into an embedded store
   (both kept in ``--out``, reused by the next run);
2. dumps the store and loads the same quads into a raw Oxigraph server
   (``oxigraph serve-read-only --union-default-graph``) and into rdflib-endpoint
   (an rdflib ``Dataset`` with the default graph as union);
3. serves the store with ``cams serve`` (worker processes over snapshots), and
   with ``--baseline`` also a second source tree of cams-graph (an earlier
   commit, say) on a copy of the store;
4. prints requests per second and p50/p99 latency of ``/api/works/{w}/title``
   (one client, then ``--concurrency`` clients), and of a SPARQL query mix
   (point lookups, the shipped title query, a conflict listing, a join) against
   every server, with the ratios, and the CPU time the server's processes
   spent per request (Linux).

Each server's SPARQL measure lasts ``--duration`` seconds, in ``--rounds``
parts taken in turn with the other servers': on a shared machine whose load
changes from minute to minute, every server meets the same conditions. The
ratios are of the totals; the median of the per-round ratios is printed too.

Targets: title p50 <= 10 ms over HTTP; SPARQL throughput >= 0.8x raw Oxigraph
and >= 20x rdflib-endpoint.
"""

from __future__ import annotations

import argparse
import contextlib
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
from dataclasses import dataclass, field
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
    cells = [(r["key"].value, r["right"].value, r["territory"].value) for r in rows]  # type: ignore[union-attr]
    random.Random(1).shuffle(cells)
    del rows, opened
    works = sorted({c[0] for c in cells})
    return works[:n], cells[:n]


@dataclass
class Measure:
    """Latencies (seconds) of the requests of one or more rounds, and their time."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failures: int = 0
    cpu: float | None = 0.0
    rounds: list[float] = field(default_factory=list)

    def add(self, other: Measure) -> None:
        """Count ``other`` (one round) in."""
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        self.failures += other.failures
        self.cpu = None if self.cpu is None or other.cpu is None else self.cpu + other.cpu
        self.rounds.append(other.rps)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def row(self, label: str) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        cpu = "" if self.cpu is None else f"{self.cpu * 1000 / len(ordered):>12.2f}"
        failed = f"  ({self.failures} failed)" if self.failures else ""
        return f"{label:<44}{self.rps:>9.1f}{p50:>9.2f}{p99:>9.2f}{len(ordered):>7}{cpu}{failed}"


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) of process ``pid`` and its descendants; None off Linux."""
    total = 0.0
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    total += _cpu_seconds(int(child)) or 0.0
    except (OSError, ValueError, IndexError):
        return None
    return total


def measure(
    call: Callable[[httpx.Client, int], None],
    url: str,
    concurrency: int,
    duration: float,
    pid: int | None = None,
) -> Measure:
    """Run ``call`` from ``concurrency`` threads for ``duration`` seconds, timing each call;
    with ``pid``, the CPU time of that server's processes too."""
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
    cpu_before = None if pid is None else _cpu_seconds(pid)
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    cpu_after = None if pid is None else _cpu_seconds(pid)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Measure(latencies, elapsed, failures[0], cpu)


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


def serve_instant(port: int, tokens: Path) -> None:
    """Run ``cams serve``'s application with every query answered at once by a fixed
    small answer (``--instant``): what the server costs without the query and its
    hand-over to a query process."""
    import uvicorn

    from api import Settings, create_app
    from api.backend import LocalBackend
    from cams_graph.querypool import QueryJob, QueryOutcome
    from cams_graph.store import open_store

    answer = QueryOutcome(
        "solutions",
        "json",
        "application/sparql-results+json; charset=utf-8",
        1,
        0.0,
        body=b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"literal","value":"x"}}]}}',
    )

    class Instant(LocalBackend):
        async def query(self, job: QueryJob, timeout: float) -> QueryOutcome:
            return answer

    settings = Settings.model_validate({"store": ":memory:", "tokens_file": tokens})
    app = create_app(settings, backend=Instant(open_store(":memory:")))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _serve_cams(store: Path, port: int, tree: Path | None = None) -> subprocess.Popen[bytes]:
    """``cams serve`` on ``store``, from the installed package or from the source ``tree``."""
    env = None if tree is None else {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cams_graph.cli import main; main()",
            "--store",
            str(store),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "serve")
    parser.add_argument(
        "--duration", type=float, default=10.0, help="Seconds of each measure, for each server."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="Parts each SPARQL measure is taken in, in turn with the other servers.",
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-rdflib", action="store_true", help="Skip rdflib-endpoint.")
    parser.add_argument(
        "--no-shipped",
        action="store_true",
        help="Leave the shipped title-owners query out of the SPARQL mix.",
    )
    parser.add_argument(
        "--instant",
        action="store_true",
        help="Also serve cams serve's application with every query answered at once (no "
        "query, no hand-over): the cost of the rest of the server.",
    )
    parser.add_argument("--serve-instant", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="TREE",
        help="A source tree of cams-graph (e.g. `git worktree add TREE <commit>`) to serve "
        "too, on a copy of the store, for a before/after in the same run.",
    )
    args = parser.parse_args(argv)
    if args.serve_instant is not None:
        serve_instant(args.serve_instant, args.out / "instant-tokens.json")
        return 0
    oxigraph = OxigraphServer.executable()
    if oxigraph is None:
        parser.error("the oxigraph server is not installed: pip install oxigraph")
    if args.baseline is not None and not (args.baseline / "cams_graph").is_dir():
        parser.error(f"--baseline {args.baseline}: no cams_graph package there")
    out: Path = args.out / f"{args.works}-works-seed-{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    _, store = prepare(out, args.works, args.seed)
    nquads = dump(store, out)
    works, cells = keys(store)
    queries = sparql_mix(works, cells, shipped=not args.no_shipped)
    processes: list[subprocess.Popen[bytes]] = []
    baseline_store = out / "store-baseline"
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
        oxi = subprocess.Popen(
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
        processes.append(oxi)
        cams = _serve_cams(store, cams_port)
        processes.append(cams)
        servers = {
            "cams": (f"http://127.0.0.1:{cams_port}", cams),
            "oxigraph": (f"http://127.0.0.1:{oxi_port}", oxi),
        }
        _wait(servers["cams"][0] + "/api/health", cams)
        _wait(servers["oxigraph"][0] + "/query?query=ASK%7B%7D", oxi)
        if args.baseline is not None:
            shutil.rmtree(baseline_store, ignore_errors=True)
            shutil.copytree(store, baseline_store)
            port = _port()
            before = _serve_cams(baseline_store, port, args.baseline.resolve())
            processes.append(before)
            servers["cams (baseline)"] = (f"http://127.0.0.1:{port}", before)
            _wait(servers["cams (baseline)"][0] + "/api/health", before)
        if args.instant:
            port = _port()
            instant = subprocess.Popen(
                [sys.executable, __file__, "--serve-instant", str(port), "--out", str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(instant)
            servers["cams, instant answers"] = (f"http://127.0.0.1:{port}", instant)
            _wait(servers["cams, instant answers"][0] + "/api/health", instant)
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
            servers["rdflib-endpoint"] = (f"http://127.0.0.1:{rdflib_port}", rdflib)
            _wait(servers["rdflib-endpoint"][0] + "/sparql?query=ASK%7B%7D", rdflib, timeout=3600)
            print(
                f"rdflib-endpoint loaded the dump in {time.perf_counter() - began:.0f} s",
                flush=True,
            )
        health = httpx.get(servers["cams"][0] + "/api/health").json()
        print(f"cams serve: {health['backend']}")

        def title(client: httpx.Client, i: int) -> None:
            key, right, territory = cells[i % len(cells)]
            r = client.get(
                f"/api/works/{key}/title",
                params={"right": right, "territory": territory, "at": "2021-06-01"},
            )
            r.raise_for_status()

        rows: dict[str, Measure] = {}
        rounds = max(1, args.rounds)
        for label, concurrency in (
            ("title, 1 client", 1),
            (f"title, {args.concurrency} clients", args.concurrency),
        ):
            titled: list[str] = [n for n in ("cams", "cams (baseline)") if n in servers]
            turns = rounds if len(titled) > 1 else 1
            for server in titled:
                rows[label + ("" if server == "cams" else f", {server}")] = Measure()
            for _ in range(turns):
                for server in titled:
                    url, process = servers[server]
                    part = measure(title, url, concurrency, args.duration / turns, process.pid)
                    rows[label + ("" if server == "cams" else f", {server}")].add(part)
        paths = {"oxigraph": "/query"}
        for name in servers:
            rows[f"SPARQL mix, {name}"] = Measure()
        for _ in range(rounds):
            for name, (url, process) in servers.items():
                path = paths.get(name, "/sparql")

                def sparql(client: httpx.Client, i: int, path: str = path) -> None:
                    r = client.post(
                        path,
                        data={"query": queries[i % len(queries)]},
                        headers={"Accept": "application/sparql-results+json"},
                    )
                    r.raise_for_status()

                rows[f"SPARQL mix, {name}"].add(
                    measure(sparql, url, args.concurrency, args.duration / rounds, process.pid)
                )
        print(f"\n{'measure':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'n':>7}{'CPU ms/req':>12}")
        for label, m in rows.items():
            print(m.row(label))
        ours = rows["SPARQL mix, cams"]
        against = [("oxigraph", "raw Oxigraph", 0.8)]
        if "SPARQL mix, rdflib-endpoint" in rows:
            against.append(("rdflib-endpoint", "rdflib-endpoint", 20.0))
        print()
        for server, label, target in against:
            theirs = rows[f"SPARQL mix, {server}"]
            ratios = [a / b for a, b in zip(ours.rounds, theirs.rounds, strict=True) if b]
            print(
                f"SPARQL throughput: {ours.rps / theirs.rps:.2f}x {label} (target >= {target:g}; "
                f"median of {rounds} rounds {statistics.median(ratios or [0.0]):.2f}x)"
            )
        if "SPARQL mix, cams (baseline)" in rows:
            older = rows["SPARQL mix, cams (baseline)"]
            raw = rows["SPARQL mix, oxigraph"]
            print(
                f"SPARQL throughput of the baseline: {older.rps / raw.rps:.2f}x raw Oxigraph; "
                f"this tree {ours.rps / older.rps:.2f}x the baseline"
            )
        for label in ("title, 1 client", "title, 1 client, cams (baseline)"):
            if label in rows:
                p50 = statistics.median(rows[label].latencies) * 1000
                print(
                    f"{label.replace(', 1 client', ' p50 over HTTP')}: {p50:.2f} ms (target <= 10)"
                )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(baseline_store, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
