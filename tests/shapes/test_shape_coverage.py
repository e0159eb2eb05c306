"""Which blocking rule of ledger.md is checked by which shape, and which are checked in code.

Read this table to see the coverage of "Rules that block an import" (ledger.md):
every rule that can be stated on the RDF form is a shape with severity
sh:Violation, and every violation shape is listed here.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from cams_graph.namespaces import RDFS, SH
from cams_graph.shacl import SHAPES

LEDGER_RULES: dict[str, list[str]] = {
    "missing required cell: party_id, work_id, agreement_id (the key)": ["IdentifierShape"],
    "missing required cell: name": ["PartyNameShape"],
    "missing required cell: kind; kind outside its list": ["PartyKindShape"],
    "missing required cell: title": ["WorkTitleShape"],
    "missing required cell: category; category outside its list": ["WorkCategoryShape"],
    "missing required cell: type; type outside its list": ["AgreementTypeShape"],
    "missing required cell: start": ["AgreementStartShape"],
    "missing required cell but for termination: grantors": ["GrantorRequiredShape"],
    "missing required cell but for termination: grantees": ["GranteeRequiredShape"],
    "missing required cell but for termination: works": ["GrantedWorkRequiredShape"],
    "missing required cell but for termination: rights": ["GrantedRightRequiredShape"],
    "missing required cell but for termination: territories": ["GrantedTerritoryRequiredShape"],
    "value outside its list: right code": ["RightValueShape"],
    "value outside its list: territory code": [
        "TerritoryValueShape",
        "ExcludedTerritoryValueShape",
        "PartyCountryShape",
    ],
    "value outside its list: authorship": ["WorkAuthorshipShape"],
    "value outside its list: derivation": ["WorkDerivationShape"],
    "malformed date": [
        "PartyBornShape",
        "PartyDiedShape",
        "WorkCreatedShape",
        "WorkFirstPublishedShape",
        "AgreementStartShape",
        "AgreementEndShape",
        "AgreementSignedShape",
    ],
    "malformed boolean": ["AgreementWrittenShape", "AgreementSublicensableShape"],
    "reference to a party that exists neither in the batch nor in the store": [
        "WorkAuthorShape",
        "WorkInitialOwnerShape",
        "GrantorReferenceShape",
        "GranteeReferenceShape",
    ],
    "reference to a work that exists neither in the batch nor in the store": [
        "WorkReferenceShape",
        "WorkDerivedFromShape",
    ],
    "reference to an agreement that exists neither in the batch nor in the store": [
        "ParentReferenceShape"
    ],
    "end before start": ["AgreementPeriodShape"],
    "died before born": ["PartyLifespanShape"],
    "derived_from without derivation": ["WorkDerivationRequiredShape"],
    "a work derived from itself (directly)": ["WorkNotSelfDerivedShape"],
    "a termination without parent": ["TerminationParentRequiredShape"],
    "a termination whose parent is itself a termination": ["TerminationOfTerminationShape"],
}
"""Rule of ledger.md → the shapes (camsh: local names) that block it."""

RDF_FORM_RULES: dict[str, list[str]] = {
    "a node with work properties is a cams:Work": ["WorkTypeShape"],
    "asset class outside its list": ["WorkAssetClassShape"],
    "a valuation is a cams:Valuation with one decimal amount, an ISO 4217 currency, a date": [
        "WorkValuationShape",
        "ValuationAmountShape",
        "ValuationCurrencyShape",
        "ValuationDateShape",
    ],
}
"""Rules of the RDF form and the asset register (docs/rdf-form.md) that block an import too."""

CHECKED_IN_CODE: dict[str, str] = {
    "missing required column, unknown column": "the CSV reader (the RDF form has no columns)",
    "value outside its list: role": "the CSV reader (a role is cams:author or cams:initialOwner)",
    "duplicate key inside the batch": "the import pipeline",
    "a work derived from itself through a cycle": "the import pipeline",
    "a different row under an existing key, unless the import is an update": "the import pipeline",
}
"""Blocking rules that SHACL does not state, and where they are checked instead."""

TABLES = {**LEDGER_RULES, **RDF_FORM_RULES}


def violation_shapes(shapes: Graph) -> set[str]:
    return {
        str(s)[len(str(SHAPES)) :]
        for s in shapes.subjects(SH.severity, SH.Violation)
        if isinstance(s, URIRef)
    }


@pytest.mark.parametrize("rule", sorted(TABLES))
def test_rule_is_blocked_by_violation_shapes(shapes: Graph, rule: str) -> None:
    for name in TABLES[rule]:
        shape = SHAPES[name]
        assert (shape, SH.severity, SH.Violation) in shapes, f"{rule}: {name} is no violation shape"


@pytest.mark.parametrize("rule", sorted(LEDGER_RULES))
def test_ledger_rule_is_cited_by_its_shapes(shapes: Graph, rule: str) -> None:
    for name in LEDGER_RULES[rule]:
        comment = str(shapes.value(SHAPES[name], RDFS.comment))
        assert "ledger.md" in comment, f"{name} should cite ledger.md for {rule!r}"


def test_every_violation_shape_is_in_the_table(shapes: Graph) -> None:
    listed = {name for names in TABLES.values() for name in names}
    assert sorted(violation_shapes(shapes) - listed) == []


def test_rules_in_code_are_not_claimed_by_shapes() -> None:
    assert not set(CHECKED_IN_CODE) & set(TABLES)
