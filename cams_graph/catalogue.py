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

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    Triple,
)

from .facts import Agreement, Catalogue, Party, Work
from .namespaces import CAMS, DCTERMS, DERIVED_GRAPH, RDF
from .resources import query_text
from .store import EmbeddedStore, Row, Store, Term, row_text, with_values

__all__ = [
    "CHUNK",
    "Loaded",
    "facts_of_triples",
    "load_catalogue",
    "read_all_facts",
    "vocabulary_codes",
    "work_iris_by_key",
]

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


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _flag(text: str | None) -> bool | None:
    return None if text is None else text in ("true", "1")


def _date(row: Row, name: str) -> date | None:
    return _day(row_text(row, name))


def _bool(row: Row, name: str) -> bool | None:
    return _flag(row_text(row, name))


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
    if works is None:
        catalogue = read_all_facts(store)
        return Loaded(
            catalogue, set(catalogue.works), {catalogue.iris["work:" + k] for k in catalogue.works}
        )
    loader = _Loader(store)

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


# -- every fact at once ---------------------------------------------------------------
#
# Reading all facts with the joins of facts-*.rq costs the store a join per value; one
# pattern per predicate is a plain index scan, and the answers come back as TSV written by
# the store, parsed here without a Python object per term.

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    char = match.group(3)
    return _ESCAPED.get(char, char)


def _value(token: str) -> str:
    """The IRI, blank node label or lexical form of one term of a TSV result.

    >>> _value("<https://example.org/a>"), _value('"2020-01-01"^^<urn:dt>'), _value("true")
    ('https://example.org/a', '2020-01-01', 'true')
    >>> _value('"say \\\\"hi\\\\""@en')
    'say "hi"'
    """
    if token.startswith("<"):
        return token[1:-1]
    if token.startswith('"'):
        text = token[1 : token.rindex('"')]
        return _ESCAPE.sub(_unescape, text) if "\\" in text else text
    return token


def _pairs(store: Store, predicate: str) -> list[tuple[str, str]]:
    """Every (subject, object) of ``predicate`` in the facts: every graph but the derived."""
    return _parse_pairs(
        store.query(
            f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o "
            f"MINUS {{ GRAPH <{DERIVED_GRAPH}> {{ ?s <{predicate}> ?o }} }} }}"
        )
    )


def _fact_graphs(store: EmbeddedStore) -> list[NamedNode | BlankNode | DefaultGraph]:
    """Every graph of the store but the derived one."""
    derived = NamedNode(str(DERIVED_GRAPH))
    return [DefaultGraph(), *(g for g in store.oxigraph.named_graphs() if g != derived)]


def _scan(
    store: EmbeddedStore, graphs: list[NamedNode | BlankNode | DefaultGraph], predicate: str
) -> list[tuple[str, str]]:
    """:func:`_pairs` on the embedded store: a plain index scan of the fact graphs (the
    derived graph, which holds as many triples as the facts, is not even looked at)."""
    return _parse_pairs(
        store.oxigraph.query(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}", default_graph=graphs)
    )


def _parse_pairs(result: object) -> list[tuple[str, str]]:
    assert isinstance(result, QuerySolutions)
    data = result.serialize(format=QueryResultsFormat.TSV)
    assert data is not None
    pairs = []
    for line in data.decode("utf-8").split("\n")[1:]:
        subject, tab, obj = line.partition("\t")
        if tab:
            pairs.append((_value(subject), _value(obj)))
    return pairs


_KINDS = {
    **_AGREEMENT_TYPES,
    str(CAMS.Work): "work",
    str(CAMS.Person): "person",
    str(CAMS.Organization): "organization",
}


def _first(pairs: list[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for subject, obj in pairs:
        found.setdefault(subject, obj)
    return found


def _many(pairs: list[tuple[str, str]], names: dict[str, str]) -> dict[str, list[str]]:
    """Each subject's values, named (keys or codes) by ``names``; unnamed values dropped."""
    found: dict[str, list[str]] = defaultdict(list)
    for subject, obj in pairs:
        name = names.get(obj)
        if name is not None and name not in found[subject]:
            found[subject].append(name)
    return found


def read_all_facts(store: Store) -> Catalogue:
    """Every party, work and agreement of the store, as the title engine takes them.

    The same facts as the queries ``facts-*.rq`` give, read one predicate at a time.
    """
    if not isinstance(store, EmbeddedStore):
        return _catalogue(lambda predicate: _pairs(store, predicate))
    # The store evaluates and serializes without holding the interpreter: two queries at a
    # time keep both cores busy (the parsing of one answer overlaps the next query).
    graphs = _fact_graphs(store)
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = dict(zip(_READ, pool.map(lambda p: _scan(store, graphs, p), _READ), strict=True))
    return _catalogue(answers.__getitem__)


def facts_of_triples(triples: Iterable[Triple], codes: Mapping[str, str]) -> Catalogue:
    """The parties, works and agreements that ``triples`` state, as :func:`read_all_facts`
    would read them from a store holding only these triples and the vocabularies whose
    codes (concept IRI → code) are ``codes``.

    >>> from pyoxigraph import Triple
    >>> w = NamedNode("https://example.org/w1")
    >>> cat = facts_of_triples([Triple(w, NamedNode(str(RDF.type)), NamedNode(str(CAMS.Work))),
    ...     Triple(w, NamedNode(str(DCTERMS.identifier)), Literal("W1"))], {})
    >>> cat.works["W1"].category, cat.iris["work:W1"]
    ('other', 'https://example.org/w1')
    """
    by_predicate: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for t in triples:
        subject, obj = t.subject, t.object
        if isinstance(subject, Triple) or isinstance(obj, Triple):
            continue  # statements about statements say nothing the engine reads
        by_predicate[t.predicate.value].append(
            (
                subject.value if isinstance(subject, NamedNode) else f"_:{subject.value}",
                f"_:{obj.value}" if isinstance(obj, BlankNode) else obj.value,
            )
        )
    by_predicate[str(CAMS.code)] = list(codes.items())
    return _catalogue(lambda predicate: by_predicate.get(predicate, []))


def vocabulary_codes(store: Store) -> dict[str, str]:
    """Concept IRI → code, for every concept of the store's vocabularies."""
    return _first(_pairs(store, str(CAMS.code)))


_READ = tuple(
    str(term)
    for term in (
        DCTERMS.identifier,
        CAMS.code,
        RDF.type,
        CAMS.died,
        CAMS.born,
        CAMS.name,
        CAMS.category,
        DCTERMS.created,
        CAMS.firstPublished,
        CAMS.authorship,
        CAMS.derivedFrom,
        CAMS.derivation,
        CAMS.author,
        CAMS.initialOwner,
        CAMS.start,
        CAMS.end,
        CAMS.signed,
        CAMS.written,
        CAMS.sublicensable,
        CAMS.parent,
        CAMS.registrationNumber,
        CAMS.document,
        CAMS.grantor,
        CAMS.grantee,
        CAMS.work,
        CAMS.right,
        CAMS.territory,
        CAMS.excludedTerritory,
    )
)
"""Every predicate the title engine reads (:func:`_catalogue` asks for no other)."""


def _catalogue(read: Callable[[str], list[tuple[str, str]]]) -> Catalogue:
    """A catalogue built from the (subject, object) pairs of each predicate ``read`` gives."""

    def pairs(term: object) -> list[tuple[str, str]]:
        return read(str(term))

    keys = _first(pairs(DCTERMS.identifier))
    codes = _first(pairs(CAMS.code))
    kinds: dict[str, list[str]] = defaultdict(list)
    for subject, cls in pairs(RDF.type):
        kind = _KINDS.get(cls)
        if kind is not None and subject in keys:
            kinds[subject].append(kind)

    catalogue = Catalogue()
    person = {"person", "organization"}
    died, born, name = _first(pairs(CAMS.died)), _first(pairs(CAMS.born)), _first(pairs(CAMS.name))
    for node, found in kinds.items():
        kind = next((k for k in found if k in person), None)
        key = keys[node]
        if kind is None or key in catalogue.parties:
            continue
        catalogue.iris["party:" + key] = node
        catalogue.parties[key] = Party(
            key, kind, name.get(node), _day(born.get(node)), _day(died.get(node))
        )

    category, created = _first(pairs(CAMS.category)), _first(pairs(DCTERMS.created))
    published, authorship = _first(pairs(CAMS.firstPublished)), _first(pairs(CAMS.authorship))
    source, derivation = _first(pairs(CAMS.derivedFrom)), _first(pairs(CAMS.derivation))
    authors = _many(pairs(CAMS.author), keys)
    owners = _many(pairs(CAMS.initialOwner), keys)
    for node, found in kinds.items():
        key = keys[node]
        if "work" not in found or key in catalogue.works:
            continue
        catalogue.iris["work:" + key] = node
        catalogue.works[key] = Work(
            key,
            category=codes.get(category.get(node, ""), "other"),
            created=_day(created.get(node)),
            first_published=_day(published.get(node)),
            authorship=codes.get(authorship.get(node, ""), "natural"),
            derived_from=keys.get(source.get(node, "")),
            derivation=codes.get(derivation.get(node, "")),
            authors=tuple(sorted(authors.get(node, ()))),
            owners=tuple(sorted(owners.get(node, ()))),
        )

    start, end = _first(pairs(CAMS.start)), _first(pairs(CAMS.end))
    signed, written = _first(pairs(CAMS.signed)), _first(pairs(CAMS.written))
    sublicensable, parent = _first(pairs(CAMS.sublicensable)), _first(pairs(CAMS.parent))
    registration = _first(pairs(CAMS.registrationNumber))
    document = _first(pairs(CAMS.document))
    grantors, grantees = _many(pairs(CAMS.grantor), keys), _many(pairs(CAMS.grantee), keys)
    named_works = _many(pairs(CAMS.work), keys)
    rights = _many(pairs(CAMS.right), codes)
    territories = _many(pairs(CAMS.territory), codes)
    excluded = _many(pairs(CAMS.excludedTerritory), codes)
    for node, found in kinds.items():
        key, first_day = keys[node], _day(start.get(node))
        kind = next((k for k in found if k in _AGREEMENT_KINDS), None)
        if kind is None or first_day is None or key in catalogue.agreements:
            continue
        catalogue.iris["agreement:" + key] = node
        catalogue.agreements[key] = Agreement(
            key,
            kind,
            grantors=tuple(sorted(grantors.get(node, ()))),
            grantees=tuple(sorted(grantees.get(node, ()))),
            works=tuple(sorted(named_works.get(node, ()))),
            rights=tuple(rights.get(node, ())),
            territories=tuple(territories.get(node, ())),
            excluded_territories=tuple(excluded.get(node, ())),
            start=first_day,
            end=_day(end.get(node)),
            signed=_day(signed.get(node)),
            written=_flag(written.get(node)),
            sublicensable=_flag(sublicensable.get(node)),
            parent=keys.get(parent.get(node, "")),
            registration=registration.get(node),
            document=document.get(node),
        )
    return catalogue


_AGREEMENT_KINDS = frozenset(_AGREEMENT_TYPES.values())
