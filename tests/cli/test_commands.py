"""Every `cams` command runs; errors are one line on standard error with the specified status."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cams_graph.cli import cli

SCENARIO = Path(__file__).parents[1] / "scenarios" / "novel-to-film"


def _run(store: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(store), *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("cli") / "store"
    code, out, err = _run(location, "import", str(SCENARIO))
    assert code == 0, out + err
    return location


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def test_every_command_has_help() -> None:
    commands = _commands(cli)
    assert {
        ("import",),
        ("title",),
        ("conflicts",),
        ("avails",),
        ("query",),
        ("info",),
        ("serve",),
        ("generate",),
        ("ontology", "check"),
    } <= set(commands)
    for path in commands:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_query_table_json_and_csv(store: Path) -> None:
    text = "SELECT ?key WHERE { ?w a cams:Work ; dcterms:identifier ?key } ORDER BY ?key"
    code, out, _ = _run(store, "query", "-", stdin=text)
    assert code == 0 and out.splitlines()[0].strip() == "key" and "W1" in out
    assert "(2 rows)" in out
    code, out, _ = _run(store, "query", "-", "--format", "json", stdin=text)
    keys = [b["key"]["value"] for b in json.loads(out)["results"]["bindings"]]
    assert keys == ["W1", "W2"]
    code, out, _ = _run(store, "query", "-", "--format", "csv", stdin=text)
    assert out.split() == ["key", "W1", "W2"]


def test_query_over_the_ontology_graph(store: Path, tmp_path: Path) -> None:
    query = tmp_path / "rights.rq"
    query.write_text("SELECT (COUNT(?r) AS ?n) WHERE { ?r a cams:EconomicRight }")
    code, out, _ = _run(store, "query", str(query), "--format", "csv")
    assert code == 0 and out.split() == ["n", "13"]


def test_query_syntax_error_names_line_and_column(store: Path) -> None:
    code, out, err = _run(store, "query", "-", stdin="SELECT ?x WHERE {\n  ?x ?y ?z ?w }\n")
    assert code == 2 and out == ""
    assert re.match(r"cams: error: line \d+, column \d+: expected", err)


def test_info_lists_the_graphs(store: Path) -> None:
    code, out, _ = _run(store, "info")
    assert code == 0
    assert f"store: {store}" in out
    assert "graph/ontology" in out and "graph/derived" in out and "graph/batch/" in out


def test_derive_all_keeps_the_answers(store: Path) -> None:
    before = _run(store, "conflicts", "--format", "json")[1]
    code, out, _ = _run(store, "derive", "--all")
    assert code == 0 and out.startswith("derived 2 works")
    assert "0 works written" in out and "2 unchanged" in out  # the same facts: nothing to write
    assert _run(store, "conflicts", "--format", "json")[1] == before
    code, out, _ = _run(store, "derive")
    assert code == 0 and out.startswith("derived 0 works")


def test_derive_all_takes_a_number_of_workers(store: Path) -> None:
    code, out, _ = _run(store, "derive", "--all", "--workers", "2")
    assert code == 0 and "2 unchanged" in out
    assert "processes" not in out  # two works are one slice: derived in process
    code, _, err = _run(store, "derive", "--all", "--workers", "0")
    assert code == 2 and "--workers" in err


def test_avails_json_and_text(store: Path) -> None:
    args = (
        "avails",
        "W1",
        "--right",
        "filming",
        "--territory",
        "CN",
        "--from",
        "2000-01-01",
        "--to",
        "2030-12-31",
    )
    code, out, _ = _run(store, *args, "--format", "json")
    assert code == 0
    assert json.loads(out)["windows"] == [
        {"start": "2005-03-01", "end": "2009-12-31", "owners": ["P1"]},
        {"start": "2020-01-01", "end": "2030-12-31", "owners": ["P1"]},
    ]
    code, out, _ = _run(store, *args)
    assert "2005-03-01 to 2009-12-31  granted by P1" in out


@pytest.mark.parametrize(
    "args",
    [
        ("title", "W9", "--right", "reproduction", "--territory", "CN", "--at", "2020-01-01"),
        ("title", "W1", "--right", "economic", "--territory", "CN", "--at", "2020-01-01"),
        ("title", "W1", "--right", "reproduction", "--territory", "WORLD", "--at", "2020-01-01"),
        ("title", "W1", "--right", "reproduction", "--territory", "CN", "--at", "2020-02-30"),
        (
            "avails",
            "W1",
            "--right",
            "reproduction",
            "--territory",
            "XX",
            "--from",
            "2020-01-01",
            "--to",
            "2021-01-01",
        ),
        ("conflicts", "--work", "W9"),
    ],
)
def test_unknown_terms_exit_2_with_one_line(store: Path, args: tuple[str, ...]) -> None:
    code, out, err = _run(store, *args, "--format", "json")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("cams: error:")


def test_a_store_held_by_another_process_is_reported(tmp_path: Path) -> None:
    location = tmp_path / "held"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from cams_graph.store import open_store
            store = open_store({str(location)!r}); print("open", flush=True); time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        done = subprocess.run(
            [sys.executable, "-m", "cams_graph", "--store", str(location), "info"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert "in use by another cams process" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()
