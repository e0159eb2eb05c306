"""Reading the facts of the title engine out of the store, for every work or for a few.

The facts come out with the SPARQL queries of ``queries/facts-*.rq``. To
derive a few works (after an import), :func:`load_catalogue` widens them to
every work that shares an agreement with them, and also reads the works they
were made from (the derivative rule looks at their title).

>>> from cams_graph.store import EmbeddedStore
>>> loaded = load_catalogue(EmbeddedStore.in_memory())
>>> len(loaded.catalogue.works), loaded.targets
(0, set())
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, NamedNode

from .facts import Agreement, Catalogue, Party, Work
from .namespaces import CAMS
from .resources import query_text
from .store import Row, Store, Term, row_text, with_values

__all__ = ["CHUNK", "Loaded", "load_catalogue", "work_iris_by_key"]

_AGREEMENT_TYPES = {
    str(CAMS.Assignment): "assignment",
    str(CAMS.Succession): "succession",
    str(CAMS.ExclusiveLicence): "exclusive_licence",
    str(CAMS.SoleLicence): "sole_licence",
    str(CAMS.NonExclusiveLicence): "non_exclusive_licence",
    str(CAMS.Pledge): "pledge",
    str(CAMS.Termination): "termination",
}

CHUNK = 5000
"""How many IRIs one query binds at most."""


def _chunks(items: Sequence[Term], size: int = CHUNK) -> Iterator[Sequence[Term]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _select(store: Store, name: str, variable: str, iris: Iterable[str] | None) -> Iterator[Row]:
    text = query_text(name)
    if iris is None:
        yield from store.select(text)
        return
    nodes: list[Term] = [NamedNode(i) for i in sorted(set(iris))]
    for chunk in _chunks(nodes):
        yield from store.select(with_values(text, variable, chunk))


def _date(row: Row, name: str) -> date | None:
    term = row.get(name)
    if not isinstance(term, Literal):
        return None
    try:
        return date.fromisoformat(term.value)
    except ValueError:
        return None


def _bool(row: Row, name: str) -> bool | None:
    value = row_text(row, name)
    return None if value is None else value in ("true", "1")


def _iri(row: Row, name: str) -> str:
    term = row[name]
    return term.value


class _Loader:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.catalogue = Catalogue()

    def works(self, iris: Iterable[str] | None) -> None:
        for row in _select(self.store, "facts-works", "work", iris):
            key = row_text(row, "key")
            if key is None or key in self.catalogue.works:
                continue
            self.catalogue.iris["work:" + key] = _iri(row, "work")
            self.catalogue.works[key] = Work(
                key,
                category=row_text(row, "category") or "other",
                created=_date(row, "created"),
                first_published=_date(row, "published"),
                authorship=row_text(row, "authorship") or "natural",
                derived_from=row_text(row, "source"),
                derivation=row_text(row, "derivation"),
            )
        people: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in _select(self.store, "facts-contributions", "work", iris):
            key, role, party = row_text(row, "key"), row_text(row, "role"), row_text(row, "party")
            if key and role and party and party not in people[key][role]:
                people[key][role].append(party)
        for key, roles in people.items():
            work = self.catalogue.works.get(key)
            if work is not None:
                self.catalogue.works[key] = Work(
                    **{
                        **work.__dict__,
                        "authors": tuple(sorted(roles["author"])),
                        "owners": tuple(sorted(roles["owner"])),
                    }
                )

    def agreements(self, iris: Iterable[str] | None) -> None:
        links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in _select(self.store, "facts-agreement-links", "agreement", iris):
            key, prop, value = (
                row_text(row, "key"),
                row_text(row, "property"),
                row_text(row, "value"),
            )
            if key and prop and value is not None and value not in links[key][prop]:
                links[key][prop].append(value)
        for row in _select(self.store, "facts-agreements", "agreement", iris):
            key, start = row_text(row, "key"), _date(row, "start")
            kind = _AGREEMENT_TYPES.get(row_text(row, "class") or "")
            if key is None or kind is None or start is None or key in self.catalogue.agreements:
                continue
            self.catalogue.iris["agreement:" + key] = _iri(row, "agreement")
            got = links.get(key, {})
            self.catalogue.agreements[key] = Agreement(
                key,
                kind,
                grantors=tuple(sorted(got.get("grantor", ()))),
                grantees=tuple(sorted(got.get("grantee", ()))),
                works=tuple(sorted(got.get("work", ()))),
                rights=tuple(got.get("right", ())),
                territories=tuple(got.get("territory", ())),
                excluded_territories=tuple(got.get("excluded", ())),
                start=start,
                end=_date(row, "end"),
                signed=_date(row, "signed"),
                written=_bool(row, "written"),
                sublicensable=_bool(row, "sublicensable"),
                parent=row_text(row, "parent"),
                registration=row_text(row, "registration"),
                document=row_text(row, "document"),
            )

    def parties(self, iris: Iterable[str] | None) -> None:
        for row in _select(self.store, "facts-parties", "party", iris):
            key = row_text(row, "key")
            if key is None or key in self.catalogue.parties:
                continue
            self.catalogue.iris["party:" + key] = _iri(row, "party")
            self.catalogue.parties[key] = Party(
                key,
                row_text(row, "kind") or "person",
                row_text(row, "name"),
                _date(row, "born"),
                _date(row, "died"),
            )

    def agreements_of(self, work_iris: Iterable[str]) -> set[str]:
        """The agreements that name these works, and the terminations of those agreements."""
        named = {
            _iri(row, "agreement")
            for row in _select(self.store, "agreements-of-works", "work", work_iris)
        }
        ending = {
            _iri(row, "agreement")
            for row in _select(self.store, "terminations-of-agreements", "named", named)
        }
        return named | ending


@dataclass(frozen=True)
class Loaded:
    """The facts read for a derivation, and what to derive."""

    catalogue: Catalogue
    targets: set[str]
    """Keys of the works to derive."""
    iris: set[str]
    """IRIs of the works whose derived results are replaced (targets, and asked works gone)."""


def load_catalogue(store: Store, works: Iterable[str] | None = None) -> Loaded:
    """The facts needed to derive ``works`` (work IRIs), and the keys of the works to derive.

    ``works=None`` reads everything and derives every work. Otherwise the works
    are widened with the works made from them (whose derivative rule looks at
    them), then to whole clusters (works sharing agreements, transitively);
    works that no longer exist are left out of the targets.
    """
    loader = _Loader(store)
    if works is None:
        loader.works(None)
        loader.agreements(None)
        loader.parties(None)
        catalogue = loader.catalogue
        return Loaded(
            catalogue, set(catalogue.works), {catalogue.iris["work:" + k] for k in catalogue.works}
        )

    asked = set(works)
    dependents = {
        _iri(row, "work") for row in _select(store, "derived-from-works", "source", asked)
    }
    cluster: set[str] = asked | dependents
    agreements: set[str] = set()
    frontier = set(cluster)
    while frontier:
        new_agreements = loader.agreements_of(frontier) - agreements
        agreements |= new_agreements
        linked = _works_of(store, new_agreements)
        frontier = linked - cluster
        cluster |= frontier
    loader.works(cluster)
    targets = set(loader.catalogue.works)
    sources = {
        w.derived_from for w in loader.catalogue.works.values() if w.derived_from is not None
    } - targets
    if sources:
        source_iris = work_iris_by_key(store, sources)
        loader.works(source_iris)
        agreements |= loader.agreements_of(source_iris)
    loader.agreements(agreements)
    loader.parties(_parties_of(store, loader.catalogue))
    return Loaded(loader.catalogue, targets, cluster)


def _nodes_by_key(store: Store, query: str, variable: str, keys: Iterable[str]) -> set[str]:
    literals: list[Term] = [Literal(k) for k in sorted(keys)]
    out: set[str] = set()
    for chunk in _chunks(literals):
        for row in store.select(with_values(query_text(query), "key", chunk)):
            out.add(_iri(row, variable))
    return out


def _works_of(store: Store, agreements: Iterable[str]) -> set[str]:
    return {
        _iri(row, "work") for row in _select(store, "works-of-agreements", "agreement", agreements)
    }


def work_iris_by_key(store: Store, keys: Iterable[str]) -> set[str]:
    """The IRIs of the works with these keys."""
    return _nodes_by_key(store, "works-by-key", "work", keys)


def _parties_of(store: Store, catalogue: Catalogue) -> set[str]:
    keys: set[str] = set()
    for work in catalogue.works.values():
        keys.update(work.authors, work.owners)
    for a in catalogue.agreements.values():
        keys.update(a.grantors, a.grantees)
    return _nodes_by_key(store, "parties-by-key", "party", keys)
