"""Where the store lives: ``--store``, then ``CAMS_STORE``, then the user's data folder.

>>> store_location("/tmp/x") == "/tmp/x"
True
>>> store_location(None, environ={"CAMS_STORE": "http://localhost:7878/query"})
'http://localhost:7878/query'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_path

__all__ = ["default_store_path", "is_remote", "store_location"]

ENV_STORE = "CAMS_STORE"


def default_store_path() -> Path:
    """The embedded store in the user's data folder (platformdirs)."""
    return user_data_path("cams-graph", appauthor=False) / "store"


def store_location(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The store chosen by the ``--store`` option, the environment, or the default."""
    env = os.environ if environ is None else environ
    if option:
        return option
    if env.get(ENV_STORE):
        return env[ENV_STORE]
    return str(default_store_path())


def is_remote(location: str) -> bool:
    """Whether ``location`` names a SPARQL endpoint rather than a folder.

    >>> is_remote("https://db.example.org/sparql"), is_remote("./store")
    (True, False)
    """
    return location.startswith(("http://", "https://"))
