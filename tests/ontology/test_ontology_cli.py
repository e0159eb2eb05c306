"""``cams ontology check``: through click's runner, and once as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cams_graph.cli import cli

BROKEN = """\
@prefix cams: <https://w3id.org/cams-graph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/ext#LicensedWork> a owl:Class ;
    rdfs:subClassOf cams:Work , cams:Licence .
"""

INCONSISTENT = """\
@prefix cams: <https://w3id.org/cams-graph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://example.org/ext#p> a owl:NamedIndividual , cams:Person , cams:Organization .
"""

CAMS = Path(sys.executable).parent / "cams"


@pytest.mark.java
def test_check_passes() -> None:
    result = CliRunner().invoke(cli, ["ontology", "check"])
    assert result.exit_code == 0, result.output
    assert "consistent: yes" in result.output
    assert "unsatisfiable classes: none" in result.output
    assert "classes: " in result.output


@pytest.mark.java
def test_check_json() -> None:
    result = CliRunner().invoke(cli, ["ontology", "check", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["consistent"] is True
    assert report["unsatisfiable"] == []
    assert report["classes"] > 40
    assert report["reasoner"] == "HermiT"


@pytest.mark.java
def test_check_reports_unsatisfiable_class(tmp_path: Path) -> None:
    extension = tmp_path / "extension.ttl"
    extension.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ontology", "check", "--extra", str(extension)])
    assert result.exit_code == 1, result.output
    assert "consistent: yes" in result.output
    assert "unsatisfiable classes: 1" in result.output
    assert "https://example.org/ext#LicensedWork" in result.output


@pytest.mark.java
def test_check_reports_inconsistency(tmp_path: Path) -> None:
    extension = tmp_path / "extension.ttl"
    extension.write_text(INCONSISTENT, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["ontology", "check", "--extra", str(extension), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["consistent"] is False


def test_check_needs_an_existing_extra_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ontology", "check", "--extra", str(tmp_path / "none.ttl")])
    assert result.exit_code == 2


@pytest.mark.java
def test_cams_ontology_check_as_a_process() -> None:
    assert CAMS.is_file(), f"the cams console script is not installed at {CAMS}"
    done = subprocess.run(
        [str(CAMS), "ontology", "check"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "consistent: yes" in done.stdout
    assert "unsatisfiable classes: none" in done.stdout


def test_missing_java_is_one_line_and_status_2(tmp_path: Path) -> None:
    assert CAMS.is_file(), f"the cams console script is not installed at {CAMS}"
    env = {**os.environ, "PATH": str(tmp_path)}
    done = subprocess.run(
        [str(CAMS), "ontology", "check"], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("cams: error:")
    assert "Java runtime" in done.stderr
    assert "Traceback" not in done.stderr
