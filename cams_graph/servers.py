"""Local SPARQL servers started on demand, for the test suite and the benchmarks.

:class:`OxigraphServer` runs ``oxigraph serve`` (the ``oxigraph`` package of
PyPI) with the union default graph; :class:`VirtuosoServer` runs Debian's
``virtuoso-t`` (package ``virtuoso-opensource``) on a configuration of its own
in a temporary folder, with the ``dba`` password set and ``ResultSetMaxRows``
chosen. Both bind 127.0.0.1 on free ports, start in the foreground, are
stopped by :meth:`LocalServer.stop`, and tell how to reach them as a cams
store: :attr:`LocalServer.location` and :attr:`LocalServer.environ` (the
``CAMS_STORE_*`` variables: update URL, graph store URL, credentials).

>>> OxigraphServer.available() in (True, False)
True
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = ["LocalServer", "OxigraphServer", "VirtuosoServer", "free_port"]

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} within {seconds} s: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-1500:]
    except OSError:
        return "(no log)"


class LocalServer:
    """A SPARQL server process on this machine."""

    name = "server"
    location: str
    """The query endpoint, for ``--store``."""
    environ: dict[str, str]
    """The ``CAMS_STORE_*`` variables that reach it (update URL, graph store, credentials)."""
    started_in: float
    """Seconds from launch to the first answer."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LocalServer:
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server (politely, then for good)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def rss_bytes(self) -> int:
        """The server's resident memory now (Linux), 0 when unknown."""
        if self.process is None:
            return 0
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) * 1024 if match else 0


class OxigraphServer(LocalServer):
    """``oxigraph serve --union-default-graph`` on a folder of its own."""

    name = "oxigraph"

    @staticmethod
    def executable() -> str | None:
        """The ``oxigraph`` command: next to this Python, else on the PATH."""
        beside = Path(sys.executable).with_name("oxigraph")
        return str(beside) if beside.exists() else shutil.which("oxigraph")

    @classmethod
    def available(cls) -> bool:
        return cls.executable() is not None

    def start(self) -> OxigraphServer:
        command = self.executable()
        if command is None:
            raise RuntimeError("the oxigraph server is not installed: pip install oxigraph")
        port = free_port()
        began = time.monotonic()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    command,
                    "serve",
                    "--location",
                    str(self.folder / "data"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--union-default-graph",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/query?query=ASK%7B%7D", self.process, 30, self.log)
        self.started_in = time.monotonic() - began
        self.location = f"{base}/query"
        self.environ = {
            "CAMS_STORE_UPDATE_URL": f"{base}/update",
            "CAMS_STORE_GRAPH_STORE_URL": f"{base}/store",
        }
        return self


class VirtuosoServer(LocalServer):
    """Debian's Virtuoso 7 on a database of its own, with HTTP digest auth for updates."""

    name = "virtuoso"
    password = "camstest"

    def __init__(self, folder: Path, *, max_rows: int = 10_000, buffers: int = 60_000) -> None:
        super().__init__(folder)
        self.max_rows = max_rows
        self.buffers = buffers

    @staticmethod
    def available() -> bool:
        return shutil.which("virtuoso-t") is not None and VIRTUOSO_INI.exists()

    def _ini(self, sql_port: int, http_port: int) -> Path:
        db = self.folder / "db"
        db.mkdir(exist_ok=True)
        values: dict[str, dict[str, object]] = {
            "Database": {
                "DatabaseFile": db / "virtuoso.db",
                "ErrorLogFile": db / "virtuoso.log",
                "LockFile": db / "virtuoso.lck",
                "TransactionFile": db / "virtuoso.trx",
                "xa_persistent_file": db / "virtuoso.pxa",
            },
            "TempDatabase": {
                "DatabaseFile": db / "virtuoso-temp.db",
                "TransactionFile": db / "virtuoso-temp.trx",
            },
            "Parameters": {
                "ServerPort": f"127.0.0.1:{sql_port}",
                "DirsAllowed": f"., /usr/share/virtuoso-opensource-7/vad, {self.folder}",
                "NumberOfBuffers": self.buffers,
                "MaxDirtyBuffers": self.buffers * 3 // 4,
            },
            "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
            "SPARQL": {"ResultSetMaxRows": self.max_rows, "MaxQueryExecutionTime": 600},
        }
        lines: list[str] = []
        section = ""
        for line in VIRTUOSO_INI.read_text().splitlines():
            header = re.match(r"\[(.+)\]", line)
            if header:
                section = header.group(1)
            key = re.match(r"\s*([A-Za-z_]+)\s*=", line)
            if key and key.group(1) in values.get(section, {}):
                line = f"{key.group(1)} = {values[section][key.group(1)]}"
            lines.append(line)
        ini = self.folder / "virtuoso.ini"
        ini.write_text("\n".join(lines) + "\n")
        return ini

    def _isql(self, statement: str, password: str) -> None:
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", password, f"exec={statement}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        if b"*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql {statement!r}: {(done.stdout + done.stderr).decode()[-500:]}")

    def start(self) -> VirtuosoServer:
        if not self.available():
            raise RuntimeError(
                "Virtuoso is not installed: apt-get install virtuoso-opensource "
                "(see docs/remote-store.md)"
            )
        self.sql_port, http_port = free_port(), free_port()
        ini = self._ini(self.sql_port, http_port)
        began = time.monotonic()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["virtuoso-t", "+configfile", str(ini), "+foreground"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.folder,
            )
        base = f"http://127.0.0.1:{http_port}"
        _wait_http(f"{base}/sparql?query=ASK%7B%7D", self.process, 90, self.log)
        self._isql(f"SET PASSWORD dba {self.password};", "dba")
        self._isql("select 1;", self.password)  # fails when the password did not change
        self.started_in = time.monotonic() - began
        self.location = f"{base}/sparql"
        self.environ = {
            "CAMS_STORE_UPDATE_URL": f"{base}/sparql-auth",
            "CAMS_STORE_GRAPH_STORE_URL": f"{base}/sparql-graph-crud-auth",
            "CAMS_STORE_USER": "dba",
            "CAMS_STORE_PASSWORD": self.password,
            "CAMS_STORE_AUTH": "digest",
        }
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self._isql("shutdown;", self.password)
                self.process.wait(timeout=30)
            except (subprocess.SubprocessError, OSError):
                pass
        super().stop()


def _environ_of(server: LocalServer) -> dict[str, str]:  # pragma: no cover - for debugging
    return {**os.environ, **server.environ, "CAMS_STORE": server.location}
