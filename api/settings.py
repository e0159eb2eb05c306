"""The server's settings: one validated object, built from options or the environment.

>>> s = Settings(store="/tmp/cams-store")
>>> s.query_timeout, s.max_body_bytes
(30.0, 52428800)
>>> Settings.from_environment({"CAMS_STORE": ":memory:", "CAMS_QUERY_TIMEOUT": "5"}).query_timeout
5.0
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cams_graph.config import store_location
from cams_graph.tokens import ENV_ADMIN_TOKEN, ENV_TOKENS, tokens_path

__all__ = ["Settings"]


class Settings(BaseModel):
    """Everything the app factory needs to know; nothing is read from global state later."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    store: str = Field(description="The store: a folder, ':memory:' or a SPARQL endpoint URL.")
    demo: bool = Field(False, description="Import the demo catalogue into an empty store.")
    query_timeout: float = Field(
        30.0, gt=0, description="Seconds a SPARQL query or update may run before it is stopped."
    )
    query_workers: int = Field(2, ge=1, le=64, description="Worker processes for SPARQL.")
    max_body_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Largest request body.")
    max_result_rows: int = Field(100_000, gt=0, description="Most rows (triples) in an answer.")
    max_result_bytes: int = Field(200 * 1024 * 1024, gt=0, description="Largest answer.")
    unknown_graphs: Literal["refuse", "empty"] = Field(
        "refuse",
        description="A dataset (FROM, default-graph-uri, ...) naming graphs the store does not "
        "hold: refused with 400 ('refuse'), or read as empty graphs ('empty').",
    )
    tokens_file: Path | None = Field(None, description="The token file (default: by store).")
    admin_token: str | None = Field(None, repr=False, description="One more admin token.")
    public_url: str | None = Field(
        None, description="The server's external base URL, if it runs behind a proxy."
    )

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> Settings:
        """Settings from ``CAMS_*`` environment variables, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {"store": store_location(None, env)}
        names = {
            "CAMS_QUERY_TIMEOUT": "query_timeout",
            "CAMS_QUERY_WORKERS": "query_workers",
            "CAMS_MAX_BODY_BYTES": "max_body_bytes",
            "CAMS_MAX_RESULT_ROWS": "max_result_rows",
            "CAMS_MAX_RESULT_BYTES": "max_result_bytes",
            "CAMS_UNKNOWN_GRAPHS": "unknown_graphs",
            "CAMS_PUBLIC_URL": "public_url",
            ENV_TOKENS: "tokens_file",
            ENV_ADMIN_TOKEN: "admin_token",
        }
        for variable, name in names.items():
            if env.get(variable):
                values[name] = env[variable]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    def token_file(self) -> Path:
        """Where this server's tokens are kept."""
        return self.tokens_file or tokens_path(self.store, {})
