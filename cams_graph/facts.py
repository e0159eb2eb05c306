"""The facts the title engine reasons on: parties, works and agreements, named by their keys.

They are read from the store (:mod:`cams_graph.catalogue`) or built directly in
tests. Dates are :class:`datetime.date`; absent values are ``None``; defaults
of the ledger (``signed`` = ``start``, ``written`` = true, ``sublicensable`` =
false) are applied here, so a CSV ledger and an RDF import behave the same.

>>> from datetime import date
>>> a = Agreement("A1", "assignment", grantors=("P1",), grantees=("P2",), works=("W1",),
...               rights=("economic",), territories=("WORLD",), start=date(2010, 1, 1))
>>> a.signed_on, a.is_written, a.is_transfer, a.is_licence
(datetime.date(2010, 1, 1), True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "AGREEMENT_TYPES",
    "EXCLUSIVE_TYPES",
    "LICENCE_TYPES",
    "Agreement",
    "Catalogue",
    "Party",
    "Work",
]

LICENCE_TYPES = frozenset({"exclusive_licence", "sole_licence", "non_exclusive_licence"})
"""The ledger types of licences."""
EXCLUSIVE_TYPES = frozenset({"exclusive_licence", "sole_licence"})
"""Licences that exclude others (独占许可, 排他许可)."""
AGREEMENT_TYPES = (
    "assignment",
    "succession",
    "exclusive_licence",
    "sole_licence",
    "non_exclusive_licence",
    "pledge",
    "termination",
)
"""Every agreement type of the ledger."""


@dataclass(frozen=True)
class Party:
    """A person or an organization."""

    key: str
    kind: str = "person"
    name: str | None = None
    born: date | None = None
    died: date | None = None

    @property
    def is_organization(self) -> bool:
        return self.kind == "organization"


@dataclass(frozen=True)
class Work:
    """A work with its authors and initial owners (``contributions.csv``)."""

    key: str
    category: str = "other"
    title: str | None = None
    created: date | None = None
    first_published: date | None = None
    authorship: str = "natural"
    derived_from: str | None = None
    derivation: str | None = None
    authors: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()

    @property
    def initial_owners(self) -> tuple[str, ...]:
        """Who owns the economic rights at creation: the ``owner`` parties, else the authors."""
        return self.owners if self.owners else self.authors


@dataclass(frozen=True)
class Agreement:
    """One row of ``agreements.csv`` (or its RDF form)."""

    key: str
    type: str
    grantors: tuple[str, ...] = ()
    grantees: tuple[str, ...] = ()
    works: tuple[str, ...] = ()
    rights: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    excluded_territories: tuple[str, ...] = ()
    start: date = date.min
    end: date | None = None
    signed: date | None = None
    written: bool | None = None
    sublicensable: bool | None = None
    parent: str | None = None
    registration: str | None = None
    document: str | None = None

    @property
    def signed_on(self) -> date:
        return self.signed if self.signed is not None else self.start

    @property
    def is_written(self) -> bool:
        return self.written is not False

    @property
    def may_sublicense(self) -> bool:
        return self.sublicensable is True

    @property
    def is_transfer(self) -> bool:
        return self.type in ("assignment", "succession")

    @property
    def is_licence(self) -> bool:
        return self.type in LICENCE_TYPES

    @property
    def is_exclusive(self) -> bool:
        return self.type in EXCLUSIVE_TYPES

    @property
    def rank(self) -> int:
        """Among agreements of the same start and signing day: terminations, transfers, the rest."""
        if self.type == "termination":
            return 0
        return 1 if self.is_transfer else 2


@dataclass
class Catalogue:
    """Parties, works and agreements by key: the input of the title engine."""

    parties: dict[str, Party] = field(default_factory=dict)
    works: dict[str, Work] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    iris: dict[str, str] = field(default_factory=dict)
    """IRI of a node by ``"party:KEY"``, ``"work:KEY"`` or ``"agreement:KEY"``, when it is
    not the one minted from its key (RDF imports may bring their own)."""
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """What the engine computed from these facts (the order of judgement, indexes);
    emptied whenever a fact is added."""

    def add(self, *items: Party | Work | Agreement) -> Catalogue:
        """Add parties, works or agreements (replacing any of the same key); returns itself."""
        self.derived.clear()
        for item in items:
            if isinstance(item, Party):
                self.parties[item.key] = item
            elif isinstance(item, Work):
                self.works[item.key] = item
            else:
                self.agreements[item.key] = item
        return self
