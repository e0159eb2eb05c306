"""The wheel carries the ontology, the shapes and the queries: built, installed into a fresh
virtual environment and used from outside the checkout; and what the package imports is
installed with it, not only with the development tools."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]

CHECK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import cams_graph
    from cams_graph.resources import data_dir, ontology_files, query_names, query_text, shape_files
    from cams_graph.ontology import ontology_graph
    from cams_graph.shacl import Validator

    here = Path(cams_graph.__file__).resolve().parent
    assert here.is_relative_to(Path(sys.prefix).resolve()), here
    for name in ("ontology", "shapes", "queries"):
        assert data_dir(name).resolve().is_relative_to(here), data_dir(name)
    assert len(ontology_graph()) > 4000
    assert len(ontology_files()) >= 4 and len(shape_files()) >= 4
    assert Validator.shipped().queries
    assert "title-chain" in query_names() and "SELECT" in query_text("title-chain")
    print("ok", here)
    """
)


@pytest.mark.slow
def test_the_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("cams_graph-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # The dependencies come from this environment; the package itself only from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        timeout=300,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CAMS_STORE")}
    done = subprocess.run(
        [str(python), "-c", CHECK],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")
    query = subprocess.run(
        [
            str(venv / "bin" / "cams"),
            "--store",
            str(tmp_path / "store"),
            "query",
            "-",
            "--format",
            "csv",
        ],
        input="SELECT (COUNT(?c) AS ?n) WHERE { ?c a cams:Territory }",
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.split() == ["n", "250"]


def _imported_modules() -> set[str]:
    """Top-level modules that ``cams_graph`` and ``api`` import, at any depth of the code."""
    found: set[str] = set()
    for package in ("cams_graph", "api"):
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"cams_graph", "api"}


def _installed_with(distribution: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """The distributions ``pip install distribution[extras]`` brings, itself included."""
    found: set[str] = set()
    waiting = [(distribution, extras)]
    while waiting:
        name, wanted = waiting.pop()
        key = name.lower().replace("_", "-")
        if key in found:
            continue
        found.add(key)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in wanted or {""}):
                waiting.append((requirement.name, frozenset(requirement.extras)))
    return found


def test_what_the_code_imports_is_a_runtime_dependency() -> None:
    runtime = _installed_with("cams-graph")
    owners = metadata.packages_distributions()
    missing = {
        module: owners.get(module)
        for module in _imported_modules()
        if not any(d.lower().replace("_", "-") in runtime for d in owners.get(module, []))
    }
    assert not missing, f"imported, but not installed by `pip install cams-graph`: {missing}"
