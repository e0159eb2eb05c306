"""HermiT on the ontology: the shipped one is consistent and satisfiable; broken ones are caught."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest

from cams_graph.errors import CamsError, InputError
from cams_graph.reasoner import ReasonerError, check_ontology

PREFIXES = """\
@prefix cams: <https://w3id.org/cams-graph/ontology#> .
@prefix ex: <https://example.org/extension#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

UNSATISFIABLE = (
    PREFIXES
    + """
ex:PersonAndOrganization a owl:Class ;
    rdfs:subClassOf cams:Person , cams:Organization .
"""
)

INCONSISTENT = (
    PREFIXES
    + """
ex:both a owl:NamedIndividual , cams:ExclusiveLicence , cams:Assignment .
"""
)


@pytest.mark.java
def test_shipped_ontology_is_consistent_and_satisfiable() -> None:
    result = check_ontology()
    assert result.consistent
    assert result.unsatisfiable == ()
    assert result.ok
    assert result.classes > 40
    assert result.reasoner == "HermiT"
    assert result.seconds > 0


@pytest.mark.java
def test_class_under_two_disjoint_classes_is_unsatisfiable() -> None:
    result = check_ontology(extra_turtle=[UNSATISFIABLE])
    assert result.consistent
    assert result.unsatisfiable == ("https://example.org/extension#PersonAndOrganization",)
    assert not result.ok


@pytest.mark.java
def test_individual_of_two_disjoint_classes_is_inconsistent(tmp_path: Path) -> None:
    extension = tmp_path / "extension.ttl"
    extension.write_text(INCONSISTENT, encoding="utf-8")
    result = check_ontology(extra_files=[extension])
    assert not result.consistent
    assert not result.ok


@pytest.mark.java
def test_extension_may_import_the_cams_ontology() -> None:
    extension = (
        PREFIXES
        + "<https://example.org/extension> a owl:Ontology ;\n"
        + "    owl:imports <https://w3id.org/cams-graph/ontology> .\n"
        + "ex:Novel a owl:Class ; rdfs:subClassOf cams:Work .\n"
    )
    result = check_ontology(extra_turtle=[extension])
    assert result.ok


def test_other_imports_are_refused() -> None:
    extension = PREFIXES + "ex:x owl:imports <https://example.org/elsewhere> .\n"
    with pytest.raises(InputError, match="offline"):
        check_ontology(extra_turtle=[extension])


def test_unparsable_extension_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.ttl"):
        check_ontology(extra_files=[bad])


def test_missing_java_is_a_cams_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-for-cams-tests")
    with pytest.raises(ReasonerError, match="Java runtime") as caught:
        check_ontology()
    assert isinstance(caught.value, CamsError)
