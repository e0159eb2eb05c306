"""``/api/works/{work}/title``: the JSON of title.md; 404 for a work, 422 for the rest."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

CELL = {"right": "information_network", "territory": "CN", "at": "2020-01-01"}


def test_title_is_the_json_of_the_command(client: TestClient, tmp_path) -> None:
    answer = client.get("/api/works/W-NOVEL/title", params=CELL).json()
    assert answer["owners"] == ["P-SRP"]
    assert [e["event"] for e in answer["chain"]] == ["creation", "assignment"]
    assert answer["chain"][1]["from"] == ["P-LIN"]
    assert [lic["agreement"] for lic in answer["licences"]] == ["A-004", "A-006"]
    assert list(answer) == [
        "work",
        "right",
        "territory",
        "at",
        "status",
        "expires",
        "owners",
        "licences",
        "chain",
        "conflicts",
    ]
    # the same as `cams title --format json` on the same ledger
    from cams_graph.demo import demo_folder

    store = tmp_path / "store"
    run = [sys.executable, "-c", "from cams_graph.cli import main; main()", "--store", str(store)]
    subprocess.run([*run, "import", str(demo_folder())], check=True, capture_output=True)
    printed = subprocess.run(
        [
            *run,
            "title",
            "W-NOVEL",
            "--right",
            "information_network",
            "--territory",
            "CN",
            "--at",
            "2020-01-01",
            "--format",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(printed) == answer


@pytest.mark.parametrize(
    ("params", "status", "word"),
    [
        ({"right": "economic"}, 422, "right"),
        ({"right": "nope"}, 422, "right"),
        ({"territory": "WORLD"}, 422, "territory"),
        ({"territory": "XX"}, 422, "territory"),
        ({"at": "2020-13-01"}, 422, "date"),
        ({"at": "yesterday"}, 422, "date"),
    ],
)
def test_bad_cell_is_422(
    client: TestClient, params: dict[str, str], status: int, word: str
) -> None:
    response = client.get("/api/works/W-NOVEL/title", params={**CELL, **params})
    assert response.status_code == status
    assert word in response.json()["detail"]


def test_unknown_work_is_404_even_with_a_bad_day_checked_first(client: TestClient) -> None:
    response = client.get("/api/works/NOPE/title", params=CELL)
    assert response.status_code == 404


def test_missing_right_is_422(client: TestClient) -> None:
    response = client.get("/api/works/W-NOVEL/title", params={"territory": "CN"})
    assert response.status_code == 422
    assert "right" in response.json()["detail"]


def test_public_domain_work(client: TestClient) -> None:
    answer = client.get(
        "/api/works/W-POEM/title",
        params={"right": "reproduction", "territory": "CN", "at": "2024-01-01"},
    ).json()
    assert answer["status"] == "public_domain" and answer["owners"] == []
