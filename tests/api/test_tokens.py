"""``/api/tokens`` and the token registry."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from cams_graph.tokens import Role, TokenRegistry, tokens_path
from tests.api.conftest import ADMIN


def test_tokens_are_stored_hashed_and_revocable(tmp_path: Path) -> None:
    registry = TokenRegistry(tmp_path / "t.json")
    issued = registry.create("admin", "ops")
    text = (tmp_path / "t.json").read_text()
    secret = issued.token.split("_", 2)[2]
    assert secret not in text and issued.id in text
    assert json.loads(text)["tokens"][0]["sha256"]
    assert registry.verify(issued.token).role is Role.ADMIN  # type: ignore[union-attr]
    assert registry.verify(issued.token + "x") is None
    assert registry.verify("cams_nope_nope") is None
    assert registry.revoke(issued.id) and registry.verify(issued.token) is None


def test_token_file_location() -> None:
    assert tokens_path("/srv/store", {}) == Path("/srv/store.tokens.json")
    assert tokens_path("http://h/sparql", {"CAMS_TOKENS": "/x.json"}) == Path("/x.json")


def test_token_api_is_admin_only(fresh: TestClient) -> None:
    assert fresh.get("/api/tokens").status_code == 401
    made = fresh.post("/api/tokens", json={"role": "steward", "label": "s"}, headers=ADMIN)
    assert made.status_code == 201
    steward = {"Authorization": f"Bearer {made.json()['token']}"}
    assert fresh.get("/api/tokens", headers=steward).status_code == 403
    listed = fresh.get("/api/tokens", headers=ADMIN).json()
    assert [t["role"] for t in listed] == ["steward"] and "token" not in listed[0]
    assert fresh.delete(f"/api/tokens/{made.json()['id']}", headers=ADMIN).status_code == 204
    assert fresh.get("/api/works", headers=steward).status_code == 401
    assert fresh.delete("/api/tokens/nope", headers=ADMIN).status_code == 404
    assert fresh.post("/api/tokens", json={"role": "king"}, headers=ADMIN).status_code == 422


def test_cli_token_commands(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cams_graph.cli import cli

    store = str(tmp_path / "store")
    runner = CliRunner()
    made = runner.invoke(
        cli, ["--store", store, "token", "create", "--role", "steward", "--label", "ci"]
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    registry = TokenRegistry.for_store(store, {})
    assert registry.verify(token).role is Role.STEWARD  # type: ignore[union-attr]
    listed = runner.invoke(cli, ["--store", store, "token", "list", "--format", "json"])
    token_id = json.loads(listed.stdout)[0]["id"]
    assert runner.invoke(cli, ["--store", store, "token", "revoke", token_id]).exit_code == 0
    assert registry.verify(token) is None
