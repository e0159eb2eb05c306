"""The wheel carries the ontology, the shapes and the queries: built, installed into a fresh
virtual environment and used from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

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
