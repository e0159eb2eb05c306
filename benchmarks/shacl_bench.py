"""How fast the compiled SHACL validator is, next to pyshacl, on generated ledgers.

Usage: python benchmarks/shacl_bench.py [WORKS] [--pyshacl-works M] [--no-pyshacl]

Generates WORKS works (default 20 000) in the RDF form of the ledger, with half
as many parties and about 1.3 agreements per work (licences, assignments,
sublicences, terminations), about one record in a hundred breaking a rule.
The data is loaded, with the ontology, into an in-memory pyoxigraph store, in
a batch graph, and validated by the compiled validator (the batch as focus
graph, and the whole store). pyshacl then validates the same kind of data,
generated with M works (default min(WORKS, 1 000)), as one rdflib graph holding
data and ontology; the two are compared per triple.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator

import pyshacl
from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from cams_graph.namespaces import ONTOLOGY_GRAPH, SH, batch_graph
from cams_graph.ontology import ontology_graph, ontology_triples
from cams_graph.shacl import Validator, shapes_graph

PREFIXES = """@prefix cams: <https://w3id.org/cams-graph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix party: <https://w3id.org/cams-graph/id/party/> .
@prefix work: <https://w3id.org/cams-graph/id/work/> .
@prefix agreement: <https://w3id.org/cams-graph/id/agreement/> .
@prefix category: <https://w3id.org/cams-graph/category/> .
@prefix right: <https://w3id.org/cams-graph/right/> .
@prefix territory: <https://w3id.org/cams-graph/territory/> .
@prefix derivation: <https://w3id.org/cams-graph/derivation/> .
@prefix assetclass: <https://w3id.org/cams-graph/asset-class/> .
"""
CATEGORIES = ["literary", "musical", "audiovisual", "fine_art", "photographic", "software"]
RIGHTS = ["reproduction", "distribution", "information_network", "broadcasting", "economic"]
TERRITORIES = ["CN", "HK", "TW", "US", "GB", "WORLD"]
LICENCES = ["ExclusiveLicence", "SoleLicence", "NonExclusiveLicence"]


def date(rng: random.Random, first: int, last: int) -> str:
    return (
        f'"{rng.randint(first, last)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"^^xsd:date'
    )


def statement(subject: str, *pairs: str) -> str:
    """One Turtle statement: the subject and its ``predicate object`` pairs."""
    return subject + " " + " ;\n    ".join(pairs) + " .\n"


def ledger(works: int, seed: int = 7) -> Iterator[str]:
    """Turtle statements of a ledger with ``works`` works, a few of them broken."""
    rng = random.Random(seed)
    parties = max(works // 2, 2)
    yield PREFIXES
    for i in range(parties):
        pairs = [
            f'dcterms:identifier "P{i}"',
            f"cams:country territory:{rng.choice(TERRITORIES[:5])}",
        ]
        pairs.append('cams:name ""' if rng.random() < 0.01 else f'cams:name "Party {i}"')
        if i % 5 == 4:
            pairs.insert(0, "a cams:Organization")
        else:
            pairs[:0] = ["a cams:Person", f"cams:born {date(rng, 1930, 1990)}"]
            if rng.random() < 0.2:
                pairs.append(f"cams:died {date(rng, 2000, 2024)}")
        yield statement(f"party:P{i}", *pairs)
    agreement = 0
    for i in range(works):
        author = rng.randrange(parties)
        category = "poetry" if rng.random() < 0.005 else rng.choice(CATEGORIES)
        pairs = [
            "a cams:Work",
            f'dcterms:identifier "W{i}"',
            f'dcterms:title "Work {i}"',
            f"cams:category category:{category}",
            f"dcterms:created {date(rng, 1990, 2005)}",
            f"cams:firstPublished {date(rng, 2006, 2010)}",
            f"cams:author party:P{author}",
        ]
        if i % 10 == 0:
            pairs += ["cams:assetClass assetclass:core", f'cams:registrationNumber "R-{i}"']
        if i % 7 == 0 and i > 0:
            pairs.append(f"cams:derivedFrom work:W{rng.randrange(i)}")
            if rng.random() > 0.01:
                pairs.append("cams:derivation derivation:translation")
        yield statement(f"work:W{i}", *pairs)

        grantee = rng.randrange(parties)
        kind = "Assignment" if i % 4 == 0 else rng.choice(LICENCES)
        start = rng.randint(2011, 2020)
        end = start + (rng.randint(-2, 10) if rng.random() < 0.01 else 5)
        parent = agreement
        yield statement(
            f"agreement:A{agreement}",
            f"a cams:{kind}",
            f'dcterms:identifier "A{agreement}"',
            f"cams:grantor party:P{author}",
            f"cams:grantee party:P{grantee}",
            f"cams:work work:W{i}",
            f"cams:right right:{rng.choice(RIGHTS)}",
            f"cams:territory territory:{rng.choice(TERRITORIES)}",
            f'cams:start "{start}-01-01"^^xsd:date',
            f'cams:end "{end}-12-31"^^xsd:date',
            f'cams:signed "{start - 1}-12-01"^^xsd:date',
            "cams:written true",
            f'cams:document "contracts/A{agreement}.pdf"',
        )
        agreement += 1
        if i % 5 == 1 and kind != "Assignment":
            yield statement(
                f"agreement:A{agreement}",
                "a cams:NonExclusiveLicence",
                f'dcterms:identifier "A{agreement}"',
                f"cams:grantor party:P{grantee}",
                f"cams:grantee party:P{rng.randrange(parties)}",
                f"cams:work work:W{i}",
                "cams:right right:reproduction",
                "cams:territory territory:CN",
                f'cams:start "{start + 1}-01-01"^^xsd:date',
                f"cams:parent agreement:A{parent}",
            )
            agreement += 1
        if i % 20 == 3:
            yield statement(
                f"agreement:A{agreement}",
                "a cams:Termination",
                f'dcterms:identifier "A{agreement}"',
                f'cams:start "{start + 2}-06-01"^^xsd:date',
                f"cams:parent agreement:A{parent}",
            )
            agreement += 1


def load(store: Store, works: int, graph: str, prefix: str = "") -> int:
    """Load a generated ledger into ``graph``; return its number of triples."""
    text = "".join(ledger(works, seed=len(prefix) + 7))
    if prefix:  # other keys, so that a second batch adds new nodes
        for kind in ("party:P", "work:W", "agreement:A"):
            text = text.replace(kind, f"{kind}{prefix}")
    store.bulk_load(text.encode(), format=RdfFormat.TURTLE, to_graph=NamedNode(graph))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(graph)))


def timed(validator: Validator, store: Store, focus: str | None, triples: int, label: str) -> None:
    started = time.perf_counter()
    results = validator.validate(store, focus_graph=focus)
    seconds = time.perf_counter() - started
    violations = sum(r.severity == "violation" for r in results)
    print(
        f"compiled ({label}): {seconds:.2f} s, {triples / seconds:,.0f} triples/s, "
        f"{violations} violations, {len(results) - violations} warnings"
    )


def compiled_run(works: int) -> None:
    store = Store()
    ontology = NamedNode(str(ONTOLOGY_GRAPH))
    store.extend(Quad(t.subject, t.predicate, t.object, ontology) for t in ontology_triples())
    batch = str(batch_graph("bench"))
    started = time.perf_counter()
    triples = load(store, works, batch)
    loaded = time.perf_counter() - started
    print(f"data: {works} works, {triples} triples in the batch (loaded in {loaded:.2f} s)")

    started = time.perf_counter()
    validator = Validator(shapes_graph())
    print(f"compile: {len(validator.queries)} queries in {time.perf_counter() - started:.2f} s")
    timed(validator, store, batch, triples, "the batch as focus graph")
    timed(validator, store, None, triples, "the whole store")

    small = max(works // 100, 10)
    increment = str(batch_graph("increment"))
    added = load(store, small, increment, prefix="N")
    timed(validator, store, increment, added, f"a second batch of {small} works, {added} triples")


def pyshacl_run(works: int) -> None:
    data = ontology_graph()
    size = len(data)
    data.parse(data="".join(ledger(works)), format="turtle")
    triples = len(data) - size
    shapes = shapes_graph()
    started = time.perf_counter()
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=None, inference="none", advanced=False
    )
    seconds = time.perf_counter() - started
    results = len(list(report.objects(None, SH.result)))
    print(
        f"pyshacl ({works} works, {triples} triples, rdflib memory): {seconds:.2f} s, "
        f"{triples / seconds:,.0f} triples/s, {results} results"
    )
    compiled_store = Store()
    ontology = NamedNode(str(ONTOLOGY_GRAPH))
    compiled_store.extend(
        Quad(t.subject, t.predicate, t.object, ontology) for t in ontology_triples()
    )
    batch = str(batch_graph("bench"))
    compiled_store.bulk_load(
        "".join(ledger(works)).encode(), format=RdfFormat.TURTLE, to_graph=NamedNode(batch)
    )
    validator = Validator(shapes)
    started = time.perf_counter()
    compiled_results = validator.validate(compiled_store, focus_graph=batch)
    compiled = time.perf_counter() - started
    print(
        f"compiled on the same {triples} triples: {compiled:.2f} s, {len(compiled_results)} "
        f"results; pyshacl takes {seconds / compiled:,.0f}x as long per triple"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("works", nargs="?", type=int, default=20_000)
    parser.add_argument("--pyshacl-works", type=int, default=None)
    parser.add_argument("--no-pyshacl", action="store_true")
    args = parser.parse_args()
    compiled_run(args.works)
    if not args.no_pyshacl:
        pyshacl_run(args.pyshacl_works or min(args.works, 1_000))


if __name__ == "__main__":
    main()
