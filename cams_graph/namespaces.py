"""The namespaces of cams-graph, declared once.

Every IRI the code writes or reads is built here. The ontology's own terms live
in one namespace, ``cams:`` (:class:`CAMS`); its controlled vocabularies (SKOS
concepts) and the nodes minted from ledger keys live under the same base.

>>> str(CAMS.Work)
'https://w3id.org/cams-graph/ontology#Work'
>>> str(RIGHT["reproduction"])
'https://w3id.org/cams-graph/right/reproduction'
>>> str(party_iri("P1"))
'https://w3id.org/cams-graph/id/party/P1'
>>> PREFIXES["cams"]
'https://w3id.org/cams-graph/ontology#'
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ODRL2,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "AGREEMENT",
    "ASSET_CLASS",
    "AUTHORSHIP",
    "BASE",
    "CAMS",
    "CATEGORY",
    "CONFLICT",
    "DCTERMS",
    "DERIVATION",
    "DERIVED_GRAPH",
    "EVENT",
    "EVERY_WORK",
    "FOAF",
    "GRAPH",
    "ID",
    "ODRL2",
    "ONTOLOGY_GRAPH",
    "OWL",
    "PARTY",
    "PREFIXES",
    "PROV",
    "PROVENANCE_GRAPH",
    "RDF",
    "RDFS",
    "RIGHT",
    "SDO",
    "SEVERITY",
    "SH",
    "SKOS",
    "SYSTEM_GRAPH",
    "TERRITORY",
    "WORK",
    "WRITE_IN_PROGRESS",
    "XSD",
    "agreement_iri",
    "batch_graph",
    "bind_prefixes",
    "party_iri",
    "work_iri",
]

BASE = "https://w3id.org/cams-graph/"
"""The base under which every cams-graph IRI is minted."""


class CAMS(DefinedNamespace):
    """The cams-graph ontology (``ontology/cams.ttl``): every term it declares.

    A test checks that this list and the ontology's declarations are the same set.
    """

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # -- works and their register entries ------------------------------------
    Work: URIRef
    category: URIRef
    firstPublished: URIRef
    authorship: URIRef
    derivedFrom: URIRef
    derivation: URIRef
    author: URIRef
    initialOwner: URIRef
    assetClass: URIRef
    responsibleUnit: URIRef
    registrationNumber: URIRef
    valuation: URIRef
    Valuation: URIRef
    amount: URIRef
    currency: URIRef
    valuationDate: URIRef

    # -- parties --------------------------------------------------------------
    Party: URIRef
    Person: URIRef
    Organization: URIRef
    name: URIRef
    born: URIRef
    died: URIRef
    country: URIRef

    # -- agreements -----------------------------------------------------------
    Agreement: URIRef
    Transfer: URIRef
    Assignment: URIRef
    Succession: URIRef
    Licence: URIRef
    ExclusiveLicence: URIRef
    SoleLicence: URIRef
    NonExclusiveLicence: URIRef
    Pledge: URIRef
    Termination: URIRef
    grantor: URIRef
    grantee: URIRef
    work: URIRef
    right: URIRef
    territory: URIRef
    excludedTerritory: URIRef
    start: URIRef
    end: URIRef
    signed: URIRef
    written: URIRef
    sublicensable: URIRef
    parent: URIRef
    document: URIRef

    # -- controlled vocabularies (SKOS concept classes and schemes) -----------
    Right: URIRef
    MoralRight: URIRef
    EconomicRight: URIRef
    RightGroup: URIRef
    WorkCategory: URIRef
    Territory: URIRef
    AuthorshipType: URIRef
    DerivationType: URIRef
    AssetClass: URIRef
    ConflictCode: URIRef
    Severity: URIRef
    code: URIRef
    derivationRight: URIRef
    RightScheme: URIRef
    WorkCategoryScheme: URIRef
    TerritoryScheme: URIRef
    AuthorshipScheme: URIRef
    DerivationScheme: URIRef
    AssetClassScheme: URIRef
    ConflictCodeScheme: URIRef
    SeverityScheme: URIRef

    # -- import provenance ----------------------------------------------------
    Batch: URIRef
    Import: URIRef
    SourceFile: URIRef
    batchId: URIRef
    fileName: URIRef
    sha256: URIRef
    rowCount: URIRef
    tripleCount: URIRef
    worksCreated: URIRef
    partiesCreated: URIRef
    agreementsCreated: URIRef
    replacedBatch: URIRef
    derivationPending: URIRef

    # -- derived title (materialized by the title engine) ---------------------
    TitleRecord: URIRef
    ChainEvent: URIRef
    CreationEvent: URIRef
    AssignmentEvent: URIRef
    SuccessionEvent: URIRef
    ReversionEvent: URIRef
    Holding: URIRef
    LicenceInForce: URIRef
    Conflict: URIRef
    RightSet: URIRef
    TerritorySet: URIRef
    event: URIRef
    holding: URIRef
    rightSet: URIRef
    territorySet: URIRef
    agreement: URIRef
    fromParty: URIRef
    toParty: URIRef
    holder: URIRef
    date: URIRef
    sequence: URIRef
    validFrom: URIRef
    validUntil: URIRef
    judgedUnder: URIRef
    protectionExpires: URIRef
    derivationDigest: URIRef
    conflictCode: URIRef
    severity: URIRef
    related: URIRef
    affectedWork: URIRef
    message: URIRef


ID = Namespace(BASE + "id/")
PARTY = Namespace(BASE + "id/party/")
WORK = Namespace(BASE + "id/work/")
AGREEMENT = Namespace(BASE + "id/agreement/")
EVENT = Namespace(BASE + "id/derived/")

RIGHT = Namespace(BASE + "right/")
CATEGORY = Namespace(BASE + "category/")
TERRITORY = Namespace(BASE + "territory/")
AUTHORSHIP = Namespace(BASE + "authorship/")
DERIVATION = Namespace(BASE + "derivation/")
ASSET_CLASS = Namespace(BASE + "asset-class/")
CONFLICT = Namespace(BASE + "conflict/")
SEVERITY = Namespace(BASE + "severity/")

GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_GRAPH = GRAPH["ontology"]
"""Named graph of the ontology and its vocabularies."""
DERIVED_GRAPH = GRAPH["derived"]
"""Named graph of the title engine's results."""
PROVENANCE_GRAPH = GRAPH["provenance"]
"""Named graph of the PROV-O records of imports."""
SYSTEM_GRAPH = GRAPH["system"]
"""Named graph of bookkeeping (works waiting for re-derivation)."""
EVERY_WORK = URIRef(str(DERIVED_GRAPH) + "#every-work")
"""Marked ``cams:derivationPending`` when every work is pending (a first import)."""
WRITE_IN_PROGRESS = URIRef(str(DERIVED_GRAPH) + "#write-in-progress")
"""Marked ``cams:derivationPending`` while derived results are written in several steps:
left by a crash, it says that stored results may be incomplete."""

PREFIXES: dict[str, str] = {
    "cams": str(CAMS._NS),
    "right": str(RIGHT),
    "category": str(CATEGORY),
    "territory": str(TERRITORY),
    "authorship": str(AUTHORSHIP),
    "derivation": str(DERIVATION),
    "assetclass": str(ASSET_CLASS),
    "conflict": str(CONFLICT),
    "severity": str(SEVERITY),
    "party": str(PARTY),
    "work": str(WORK),
    "agreement": str(AGREEMENT),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SDO),
    "odrl": str(ODRL2),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}
"""Prefix → namespace IRI for every namespace cams-graph uses."""


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every cams-graph prefix on ``graph`` and return it.

    >>> g = bind_prefixes(Graph())
    >>> dict(g.namespaces())["cams"] == URIRef(PREFIXES["cams"])
    True
    """
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def party_iri(key: str) -> URIRef:
    """The IRI minted for the ledger key of a party."""
    return PARTY[key]


def work_iri(key: str) -> URIRef:
    """The IRI minted for the ledger key of a work."""
    return WORK[key]


def agreement_iri(key: str) -> URIRef:
    """The IRI minted for the ledger key of an agreement."""
    return AGREEMENT[key]


def batch_graph(batch_id: str) -> URIRef:
    """The named graph that holds the facts of one import batch.

    >>> str(batch_graph("20261125T120000-ab12"))
    'https://w3id.org/cams-graph/graph/batch/20261125T120000-ab12'
    """
    return GRAPH["batch/" + batch_id]
