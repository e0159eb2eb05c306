"""The example ledgers of the specification (tests/scenarios/*): import, then title and conflicts.

Every field of ``expected.json`` is compared, except the free-text ``message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cams_graph.cli import cli

SCENARIOS = sorted(p for p in (Path(__file__).parents[1] / "scenarios").iterdir() if p.is_dir())


def test_scenarios_are_found() -> None:
    assert len(SCENARIOS) >= 3


def _cams(store: Path | str, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(store), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _without_messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_messages(v) for k, v in value.items() if k != "message"}
    if isinstance(value, list):
        return [_without_messages(v) for v in value]
    return value


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.name for p in SCENARIOS])
def scenario(
    request: pytest.FixtureRequest,
    store_kind: str,
    store_servers: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str]]:
    """The scenario imported into an empty store of each kind (conftest: embedded and servers)."""
    folder: Path = request.param
    target = store_servers.target(store_kind, tmp_path_factory.mktemp(folder.name))
    with pytest.MonkeyPatch.context() as env:
        store = target.apply(env)
        _cams(store, "import", str(folder))
        yield folder, store


def test_conflicts(scenario: tuple[Path, Path]) -> None:
    folder, store = scenario
    expected = json.loads((folder / "expected.json").read_text())["conflicts"]
    got = json.loads(_cams(store, "conflicts", "--format", "json"))
    assert _without_messages(got) == _without_messages(expected)
    assert all(c["message"] for c in got)


def test_titles(scenario: tuple[Path, Path]) -> None:
    folder, store = scenario
    expected = json.loads((folder / "expected.json").read_text())["titles"]
    queries = json.loads((folder / "queries.json").read_text())
    assert len(queries) == len(expected)
    for (work, right, territory, at), want in zip(queries, expected, strict=True):
        got = json.loads(
            _cams(
                store,
                "title",
                work,
                "--right",
                right,
                "--territory",
                territory,
                "--at",
                at,
                "--format",
                "json",
            )
        )
        assert _without_messages(got) == _without_messages(want), (work, right, territory, at)
