"""cams-graph: a knowledge graph of copyright assets, with chain of title and conflicts.

The public API, for programs that embed cams-graph instead of calling ``cams``:

>>> import cams_graph
>>> store = cams_graph.open_store(":memory:")
>>> cams_graph.derive_pending(store).works
0
"""

from __future__ import annotations

from ._version import __version__
from .derive import DeriveStats, derive_all, derive_pending, derive_works
from .engine import Conflict, Derivation, TitleAnswer, derive
from .errors import (
    CamsError,
    ConflictingStateError,
    InputError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    StoreLockedError,
    UnknownTermError,
    UnsafeQueryError,
    ValidationError,
)
from .facts import Agreement, Catalogue, Party, Work
from .store import EmbeddedStore, Store, open_store

__all__ = [
    "Agreement",
    "CamsError",
    "Catalogue",
    "Conflict",
    "ConflictingStateError",
    "Derivation",
    "DeriveStats",
    "EmbeddedStore",
    "InputError",
    "Party",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "Store",
    "StoreError",
    "StoreLockedError",
    "TitleAnswer",
    "UnknownTermError",
    "UnsafeQueryError",
    "ValidationError",
    "Work",
    "__version__",
    "derive",
    "derive_all",
    "derive_pending",
    "derive_works",
    "open_store",
]
