"""The demo catalogue that ``cams serve --demo`` imports into an empty store.

A small but realistic rights ledger (the four CSV files of this folder): a
novel and its English translation, the film made from it and the film's
score, a stage play adapted without a licence, a co-written song, a software
product made by employees and pledged to a bank, and a poem long in the public
domain. Its defects are deliberate, so that every page has something to show:
each of the twelve conflict codes occurs at least once.

>>> sorted(p.name for p in demo_files())
['agreements.csv', 'contributions.csv', 'parties.csv', 'works.csv']
>>> from cams_graph.store import open_store
>>> store = open_store(":memory:")
>>> import_demo(store).status
'stored'
>>> is_empty(store)
False
"""

from __future__ import annotations

from pathlib import Path

from ..importer import ImportOptions, import_paths
from ..provenance import list_batches
from ..report import ImportReport
from ..store import Store

__all__ = ["DEMO_BY", "demo_files", "demo_folder", "import_demo", "is_empty"]

DEMO_BY = "cams demo"
"""The name the demo import is recorded under in the provenance graph."""


def demo_folder() -> Path:
    """The folder of the demo ledger (inside the installed package)."""
    return Path(__file__).resolve().parent


def demo_files() -> list[Path]:
    """The demo ledger's CSV files."""
    return sorted(demo_folder().glob("*.csv"))


def is_empty(store: Store) -> bool:
    """Whether the store holds no import batch yet."""
    return not list_batches(store)


def import_demo(store: Store) -> ImportReport:
    """Import the demo ledger as one batch (derived at once), and return the report."""
    return import_paths(store, [demo_folder()], ImportOptions(by=DEMO_BY))
