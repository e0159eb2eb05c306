"""What every command shares: the chosen store, opened once and closed at exit."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from ..config import store_location
from ..store import Store, open_store

__all__ = ["AppContext", "pass_app"]


@dataclass
class AppContext:
    """The global options of ``cams`` and the store they select."""

    store_option: str | None = None
    update_url: str | None = None
    """``--update-url``: where a SPARQL server takes updates (default: the store URL)."""
    graph_store_url: str | None = None
    """``--graph-store-url``: the server's Graph Store Protocol endpoint, for bulk loads."""
    _store: Store | None = field(default=None, repr=False)

    @property
    def location(self) -> str:
        """The store location the options and the environment select."""
        return store_location(self.store_option)

    def store(self) -> Store:
        """The store, opened on first use (and closed when the command ends)."""
        if self._store is None:
            self._store = open_store(
                self.location, update_url=self.update_url, graph_store_url=self.graph_store_url
            )
            click.get_current_context().call_on_close(self.close)
        return self._store

    def derived_store(self) -> Store:
        """The store, with the works an interrupted import or derivation left pending derived.

        The commands that read the chain of title use it, so that they never
        answer from results that a crash left out of date.
        """
        from ..derive import derive_pending

        store = self.store()
        derive_pending(store)
        return store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(AppContext)
