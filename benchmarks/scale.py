"""How cams-graph scales: a size series on the embedded store and on the Oxigraph server.

usage: python benchmarks/scale.py [--sizes 1000,10000,100000] [--stores embedded,oxigraph]
                                  [--seed 1] [--titles 200] [--out benchmarks/out/scale]
                                  [--no-http]

For each size N it generates a ledger of N works (``cams generate``, defects
5 %), keeps its last 1 000 agreements apart, and for each store, in a process
of its own (so that peak memory is that run's):

1. imports the ledger (``import_paths``: read, SHACL validation, commit and the
   first derivation of every work, all of its results written) and reports
   triples stored per second and the derivation's own time;
2. derives every work from scratch again (``derive_all``: every fact read back,
   every work derived and its digest compared; with the same facts nothing is
   written);
3. imports the 1 000 agreements kept apart: the incremental derivation of the
   works they touch (and their clusters) is the ``derive`` time of that import;
4. asks ``title`` for random cells in process (on the Oxigraph server that is
   already over HTTP, through :class:`~cams_graph.remote.RemoteStore`);
5. scans the conflicts (``cams conflicts``);
6. serves the store with ``cams serve`` and asks ``/api/works/{w}/title`` over
   HTTP (one client);

then prints a table, writes it to ``OUT/results.json`` and plots cost against
size (log-log) in ``benchmarks/out/scale.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INCREMENT = 1000
AT = "2021-06-01"


def _ledger(out: Path, works: int, seed: int) -> tuple[Path, Path]:
    """The generated ledger split in two: everything but the last 1 000 agreements, and those."""
    from cams_graph.generate import generate

    base, extra = out / f"ledger-{works}" / "base", out / f"ledger-{works}" / "extra"
    if (extra / "agreements.csv").exists():
        return base, extra
    generate(base, works, seed)
    rows = list(csv.reader((base / "agreements.csv").open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    keep = max(1, len(body) - INCREMENT)
    extra.mkdir(parents=True, exist_ok=True)
    for path, part in ((base, body[:keep]), (extra, body[keep:])):
        with (path / "agreements.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *part])
    return base, extra


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p50 * 1000, p99 * 1000


def _cells(base: Path, count: int, seed: int) -> list[str]:
    keys = [r["work_id"] for r in csv.DictReader((base / "works.csv").open(encoding="utf-8"))]
    rng = random.Random(seed)
    return [rng.choice(keys) for _ in range(count)]


def _http_titles(location: str, env: dict[str, str], works: list[str]) -> dict[str, Any]:
    """``cams serve`` on the store, and the title of each work over HTTP (one client)."""
    import httpx

    from cams_graph.servers import free_port

    port = free_port()
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    began = time.perf_counter()
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cams_graph.cli import main; main()",
                "--store",
                location,
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                return {"http_error": log.read_text(errors="replace")[-300:]}
            try:
                httpx.get(base + "/api/health", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if time.perf_counter() - began > 1800:
                    return {"http_error": "cams serve did not answer in 30 min"}
                time.sleep(0.2)
        ready = time.perf_counter() - began
        samples: list[float] = []
        with httpx.Client(base_url=base, timeout=120) as client:
            for work in works:
                t = time.perf_counter()
                answer = client.get(
                    f"/api/works/{work}/title",
                    params={"right": "reproduction", "territory": "CN", "at": AT},
                )
                answer.raise_for_status()
                samples.append(time.perf_counter() - t)
        p50, p99 = _percentiles(samples)
        return {"http_p50_ms": p50, "http_p99_ms": p99, "serve_ready_s": ready}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)


def run_one(works: int, kind: str, out: Path, seed: int, titles: int, http: bool) -> dict[str, Any]:
    """One size on one store, in this process."""
    from cams_graph.derive import derive_all
    from cams_graph.importer import ImportOptions, import_paths
    from cams_graph.ledger import Limits
    from cams_graph.servers import OxigraphServer
    from cams_graph.store import open_store
    from cams_graph.title import conflicts, title

    base, extra = _ledger(out, works, seed)
    folder = out / f"run-{works}-{kind}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    server = None
    env: dict[str, str] = {}
    if kind == "oxigraph":
        server = OxigraphServer(folder).start()
        location, env = server.location, server.environ
        os.environ.update(env)
    else:
        location = str(folder / "store")
    row: dict[str, Any] = {"works": works, "store": kind}
    options = ImportOptions(by="benchmark", limits=Limits(max_file_bytes=1 << 36))
    try:
        store = open_store(location)
        t = time.perf_counter()
        report = import_paths(store, [base], options)
        row["import_s"] = time.perf_counter() - t
        assert report.status == "stored", report.status
        row["triples"] = report.triples_stored
        row["import_triples_per_s"] = report.triples_stored / row["import_s"]
        row["import_steps_s"] = {k: round(v, 2) for k, v in report.timings.items()}
        row["agreements"] = report.created.as_dict().get("agreements")
        row["derive_first_s"] = report.timings.get("derive", float("nan"))

        t = time.perf_counter()
        stats = derive_all(store)
        row["derive_all_s"] = time.perf_counter() - t
        row["derive_all_written"] = stats.written
        row["derive_all_phases_s"] = {k: round(v, 2) for k, v in stats.phases.items()}
        row["conflicts"] = stats.conflicts

        t = time.perf_counter()
        more = import_paths(store, [extra], options)
        assert more.status == "stored", more.status
        row["increment_import_s"] = time.perf_counter() - t
        row["derive_increment_s"] = more.timings.get("derive", float("nan"))

        cells = _cells(base, titles, seed)
        samples = []
        for work in cells:
            t = time.perf_counter()
            title(store, work, "reproduction", "CN", AT)
            samples.append(time.perf_counter() - t)
        row["title_p50_ms"], row["title_p99_ms"] = _percentiles(samples)

        t = time.perf_counter()
        found = conflicts(store)
        row["conflicts_scan_s"] = time.perf_counter() - t
        row["conflicts_listed"] = len(found)
        store.close()
        del store
        if http:
            row.update(_http_titles(location, env, cells))
        row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if server is not None:
            row["server_peak_rss_mb"] = server.rss_bytes() / 2**20
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return row


COLUMNS = [
    ("works", "works", "{:,}"),
    ("store", "store", "{}"),
    ("triples", "triples", "{:,}"),
    ("import_triples_per_s", "import tr/s", "{:,.0f}"),
    ("import_s", "import s", "{:.1f}"),
    ("derive_first_s", "first derive s", "{:.1f}"),
    ("derive_all_s", "derive all s", "{:.1f}"),
    ("derive_increment_s", "incr. derive s", "{:.2f}"),
    ("title_p50_ms", "title p50 ms", "{:.1f}"),
    ("title_p99_ms", "title p99 ms", "{:.1f}"),
    ("http_p50_ms", "HTTP p50 ms", "{:.1f}"),
    ("http_p99_ms", "HTTP p99 ms", "{:.1f}"),
    ("conflicts_scan_s", "conflicts s", "{:.2f}"),
    ("peak_rss_mb", "peak MB", "{:,.0f}"),
    ("server_peak_rss_mb", "server MB", "{:,.0f}"),
]


def table(results: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    head = "| " + " | ".join(label for _, label, _ in COLUMNS) + " |"
    lines = [head, "|" + "|".join(" --- " for _ in COLUMNS) + "|"]
    for row in results:
        cells = []
        for key, _, fmt in COLUMNS:
            value = row.get(key)
            cells.append("–" if value is None else fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Seconds (or ms) against works, log-log, one line per measure and store."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measures = [
        ("import_s", "import, first derivation included (s)"),
        ("derive_first_s", "first derivation, all written (s)"),
        ("derive_all_s", "full derivation, nothing changed (s)"),
        ("derive_increment_s", "incremental derivation (s)"),
        ("conflicts_scan_s", "conflicts scan (s)"),
        ("title_p50_ms", "title p50 in process (ms)"),
        ("http_p50_ms", "title p50 over HTTP (ms)"),
        ("peak_rss_mb", "peak memory of the process (MB)"),
    ]
    fig, axes = plt.subplots(2, 4, figsize=(18, 8))
    stores = sorted({r["store"] for r in results})
    for ax, (key, label) in zip(axes.flat, measures, strict=True):
        for store in stores:
            points = sorted(
                (r["works"], r[key])
                for r in results
                if r["store"] == store and r.get(key) is not None
            )
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=store)
        sizes = sorted({r["works"] for r in results})
        if len(sizes) > 1:  # a linear reference through the first point of the first store
            first = [r for r in results if r["works"] == sizes[0] and r.get(key)]
            if first:
                y0 = first[0][key]
                ax.plot(sizes, [y0 * s / sizes[0] for s in sizes], "k:", lw=0.8, label="linear")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(label)
        ax.set_xlabel("works")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"cams-graph scale series ({machine()})", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def machine() -> str:
    """This machine in one line: cores, memory, Python."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--stores", default="embedded,oxigraph")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--titles", type=int, default=200, help="Title queries per run.")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "scale")
    parser.add_argument("--plot", type=Path, default=HERE / "out" / "scale.png")
    parser.add_argument("--no-http", action="store_true", help="Skip the cams serve column.")
    parser.add_argument("--one", nargs=2, metavar=("WORKS", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.one:
        row = run_one(int(args.one[0]), args.one[1], out, args.seed, args.titles, not args.no_http)
        print("RESULT " + json.dumps(row), flush=True)
        return
    results_path = out / "results.json"
    results: list[dict[str, Any]] = (
        json.loads(results_path.read_text()) if results_path.exists() else []
    )
    for works in (int(s) for s in args.sizes.split(",")):
        for kind in args.stores.split(","):
            began = time.perf_counter()
            print(f"== {works:,} works on {kind}", flush=True)
            command = [
                sys.executable,
                __file__,
                "--one",
                str(works),
                kind,
                "--out",
                str(out),
                "--seed",
                str(args.seed),
                "--titles",
                str(args.titles),
            ]
            if args.no_http:
                command.append("--no-http")
            done = subprocess.run(command, capture_output=True, text=True)
            lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
            if done.returncode or not lines:
                print(f"   failed ({done.returncode}): {done.stderr[-2000:]}", flush=True)
                continue
            row = json.loads(lines[-1][len("RESULT ") :])
            row["wall_s"] = time.perf_counter() - began
            row["machine"] = machine()
            results = [r for r in results if (r["works"], r["store"]) != (works, kind)] + [row]
            results.sort(key=lambda r: (r["works"], r["store"]))
            results_path.write_text(json.dumps(results, indent=1))
            print(f"   done in {row['wall_s']:.0f} s: {json.dumps(row)}", flush=True)
            plot(results, args.plot)
    print(f"\n{machine()}\n")
    print(table(results))
    plot(results, args.plot)
    print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
