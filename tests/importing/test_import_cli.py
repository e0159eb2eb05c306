"""`cams import`, `cams batches`, `cams retract` on the command line: outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cams_graph.cli import cli
from cams_graph.errors import CamsError
from cams_graph.store import Store

from .conftest import set_cell


def _cams(store_dir: Path, *args: str) -> tuple[int, str, str]:
    """Run cams as `cams_graph.cli.main` does: a CamsError becomes its exit status."""
    result = CliRunner().invoke(cli, ["--store", str(store_dir), *args])
    if isinstance(result.exception, CamsError):
        return result.exception.exit_code, result.stdout, str(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_then_nothing_new(tmp_path: Path, ledger: Path, derived: list[Store]) -> None:
    code, out, err = _cams(tmp_path / "store", "import", str(ledger), "--by", "lin")
    assert code == 0, out + err
    assert "stored batch" in out.splitlines()[-1]
    assert err == ""  # no progress bar when not on a terminal
    code, out, _ = _cams(tmp_path / "store", "import", str(ledger))
    assert code == 0 and out.splitlines()[-1].startswith("nothing new")
    code, out, _ = _cams(tmp_path / "store", "batches")
    assert code == 0 and "by lin" in out and "(1 batch)" in out
    code, out, _ = _cams(tmp_path / "store", "batches", "--format", "json")
    [batch] = json.loads(out)
    assert batch["created"] == {"parties": 4, "works": 3, "agreements": 3}


def test_violations_exit_1_with_one_line_each(tmp_path: Path, ledger: Path) -> None:
    set_cell(ledger / "works.csv", 3, "category", "novel")
    set_cell(ledger / "agreements.csv", 2, "start", "2006-02-30")
    code, out, _ = _cams(tmp_path / "store", "import", str(ledger))
    assert code == 1
    lines = out.splitlines()
    assert any(
        line.startswith(f"{ledger / 'works.csv'}:3: category: ") and line.endswith("(novel)")
        for line in lines
    )
    assert any(line.startswith(f"{ledger / 'agreements.csv'}:2: start: ") for line in lines)
    assert lines[-1].startswith("rejected: 2 violations")
    code, out, _ = _cams(tmp_path / "store", "import", str(ledger), "--format", "json")
    assert code == 1 and json.loads(out)["summary"]["violations"] == 2
    code, out, _ = _cams(tmp_path / "store", "batches")
    assert "(0 batches)" in out


def test_unreadable_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "works.csv"
    bad.write_bytes("work_id,title,category\nW1,河湾,literary\n".encode("gbk"))
    code, out, err = _cams(tmp_path / "store", "import", str(bad))
    assert code == 2 and str(bad) in err and out == ""
    code, out, err = _cams(tmp_path / "store", "import", str(tmp_path / "missing"))
    assert code == 2 and "missing" in err


def test_dry_run_update_report_and_retract(
    tmp_path: Path, ledger: Path, derived: list[Store]
) -> None:
    store = tmp_path / "store"
    code, out, _ = _cams(store, "import", "--dry-run", str(ledger))
    assert code == 0 and "dry run, nothing was stored" in out
    code, out, _ = _cams(store, "import", str(ledger))
    first = out.split("stored batch ")[1].split(":")[0]
    set_cell(ledger / "parties.csv", 2, "name", "Lin Wen (林文)")
    code, out, _ = _cams(store, "import", str(ledger), "--report", str(tmp_path / "r.ttl"))
    assert code == 1 and "--update" in out and first in out
    assert (tmp_path / "r.ttl").exists()
    code, out, _ = _cams(store, "import", "--update", str(ledger))
    assert code == 0 and f"(from batch {first})" in out
    second = out.split("stored batch ")[1].split(":")[0]
    code, _, err = _cams(store, "retract", second)  # the first batch's contributions name P1
    assert code == 2 and "cannot be retracted" in err and first in err
    code, out, _ = _cams(store, "retract", first)
    assert code == 0 and f"retracted batch {first}" in out
    code, out, _ = _cams(store, "retract", second)
    assert code == 0 and f"retracted batch {second}" in out
    code, out, _ = _cams(store, "batches")
    assert "(0 batches)" in out
    code, _, err = _cams(store, "retract", "20000101T000000Z-000000")
    assert code == 2 and "no batch" in err
