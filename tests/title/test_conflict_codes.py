"""One focused case (or a few) per conflict code of title.md, on the in-memory engine."""

from __future__ import annotations

from datetime import date

from cams_graph.cells import territory_mask
from cams_graph.vocabularies import CONFLICT_CODES
from tests.title.helpers import agreement, codes, licences, org, owners, person, run, work

COVERED = {
    "NON_OWNER_GRANT",
    "CO_OWNER_CONSENT_MISSING",
    "EXCEEDS_GRANTOR_TITLE",
    "OVERLAPPING_EXCLUSIVE",
    "NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE",
    "SUBLICENCE_NOT_PERMITTED",
    "MORAL_RIGHT_TRANSFER",
    "UNWRITTEN_CONTRACT",
    "BEYOND_TERM",
    "DERIVATIVE_WITHOUT_LICENCE",
    "UNREGISTERED_PLEDGE",
    "DEALING_UNDER_PLEDGE",
}


def test_every_code_has_a_test_here() -> None:
    assert set(CONFLICT_CODES) == COVERED


BASE = (person("P1"), person("P2"), person("P3"), person("P4"), org("C1"), work("W1", "P1"))


# -- NON_OWNER_GRANT --------------------------------------------------------------


def test_non_owner_grant_by_a_stranger() -> None:
    d = run(*BASE, agreement("A1", "assignment", "P2", "P3"))
    assert codes(d) == [("NON_OWNER_GRANT", "A1", ())]
    assert owners(d, "2011-01-01") == ("P1",)
    assert "P2 granted reproduction of W1 in CN by A1" in d.conflicts[0].message


def test_non_owner_grant_after_assigning_away_names_the_assignment() -> None:
    d = run(
        *BASE,
        agreement("A1", "assignment", "P1", "P2", start="2010-01-01"),
        agreement("A2", "non_exclusive_licence", "P1", "P3", start="2012-01-01"),
    )
    assert codes(d) == [("NON_OWNER_GRANT", "A2", ())]
    message = d.conflicts[0].message
    assert "no longer owned it" in message and "A1" in message and "2010-01-01" in message
    assert licences(d, "2013-01-01") == []


def test_non_owner_grant_when_signed_after_the_grantors_death() -> None:
    d = run(
        person("P1", died="2015-06-30"),
        person("P2"),
        work("W1", "P1"),
        agreement("A1", "non_exclusive_licence", "P1", "P2", start="2016-01-01"),
        agreement(
            "A2", "non_exclusive_licence", "P1", "P2", start="2017-01-01", signed="2015-06-01"
        ),
    )
    assert codes(d) == [("NON_OWNER_GRANT", "A1", ())]
    assert "died on 2015-06-30" in d.conflicts[0].message
    assert [lic[0] for lic in licences(d, "2018-01-01")] == ["A2"]


def test_a_succession_after_death_is_not_a_non_owner_grant() -> None:
    d = run(
        person("P1", died="2015-06-30"),
        person("H"),
        work("W1", "P1"),
        agreement("A1", "succession", "P1", "H", start="2015-07-01", rights="economic"),
    )
    assert codes(d) == []
    assert owners(d, "2016-01-01") == ("H",)


# -- CO_OWNER_CONSENT_MISSING -------------------------------------------------------


def test_co_owner_assignment_needs_all_co_owners() -> None:
    d = run(*BASE[:4], work("W1", "P1", "P2"), agreement("A1", "assignment", "P1", "P3"))
    assert codes(d) == [("CO_OWNER_CONSENT_MISSING", "A1", ())]
    assert owners(d, "2011-01-01") == ("P1", "P2")


def test_co_owner_may_grant_a_non_exclusive_licence_alone_but_not_an_exclusive_one() -> None:
    d = run(
        *BASE[:4],
        work("W1", "P1", "P2"),
        agreement("A1", "non_exclusive_licence", "P1", "P3", end="2010-12-31"),
        agreement("A2", "sole_licence", "P2", "P4", start="2012-01-01"),
        agreement("A3", "pledge", "P1", "P4", start="2013-01-01", registration="R1"),
    )
    assert codes(d) == [
        ("CO_OWNER_CONSENT_MISSING", "A2", ()),
        ("CO_OWNER_CONSENT_MISSING", "A3", ()),
    ]
    assert [lic[0] for lic in licences(d, "2010-06-01")] == ["A1"]


def test_co_owners_together_may_assign() -> None:
    d = run(*BASE[:4], work("W1", "P1", "P2"), agreement("A1", "assignment", "P1;P2", "P3"))
    assert codes(d) == []
    assert owners(d, "2011-01-01") == ("P3",)


# -- EXCEEDS_GRANTOR_TITLE ---------------------------------------------------------


def test_grant_from_a_capped_owner_is_in_force_only_to_the_cap() -> None:
    d = run(
        *BASE,
        agreement("A1", "assignment", "P1", "P2", start="2010-01-01", end="2014-12-31"),
        agreement("A2", "exclusive_licence", "P2", "P3", start="2011-01-01"),
    )
    assert codes(d) == [("EXCEEDS_GRANTOR_TITLE", "A2", ())]
    assert licences(d, "2012-01-01") == [("A2", "2011-01-01", "2014-12-31", None)]
    assert licences(d, "2015-01-01") == []
    assert owners(d, "2015-01-01") == ("P1",)


def test_sublicence_past_its_licence_is_cut_at_the_licence_end() -> None:
    d = run(
        *BASE,
        agreement("A1", "exclusive_licence", "P1", "P2", end="2015-12-31", sublicensable=True),
        agreement("A2", "non_exclusive_licence", "P2", "P3", start="2011-01-01", end="2018-12-31"),
    )
    assert codes(d) == [("EXCEEDS_GRANTOR_TITLE", "A2", ())]
    assert licences(d, "2012-01-01") == [
        ("A1", "2010-01-01", "2015-12-31", None),
        ("A2", "2011-01-01", "2015-12-31", "A1"),
    ]


def test_exclusive_sublicence_under_a_non_exclusive_licence_counts_as_non_exclusive() -> None:
    d = run(
        *BASE,
        agreement("A1", "non_exclusive_licence", "P1", "P2", sublicensable=True),
        agreement("A2", "exclusive_licence", "P2", "P3", start="2011-01-01"),
        agreement("A3", "non_exclusive_licence", "P1", "P4", start="2012-01-01"),
    )
    # A2 is downgraded, so A3 (non-exclusive) meets no exclusive licence.
    assert codes(d) == [("EXCEEDS_GRANTOR_TITLE", "A2", ())]


# -- OVERLAPPING_EXCLUSIVE and NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE ---------------------


def test_overlapping_exclusive_reported_on_the_later_with_the_earlier_related() -> None:
    d = run(
        *BASE,
        agreement("A2", "exclusive_licence", "P1", "P2", start="2010-01-01", end="2015-12-31"),
        agreement("A1", "sole_licence", "P1", "P3", start="2015-12-31", end="2020-12-31"),
        agreement("A3", "exclusive_licence", "P1", "P4", start="2021-01-01"),
    )
    assert codes(d) == [("OVERLAPPING_EXCLUSIVE", "A1", ("A2",))]


def test_nonexclusive_in_exclusive_scope_reported_on_the_later_of_the_two() -> None:
    d = run(
        *BASE,
        agreement("A1", "exclusive_licence", "P1", "P2", start="2010-01-01", end="2015-12-31"),
        agreement("A2", "non_exclusive_licence", "P1", "P3", start="2012-01-01"),
    )
    assert codes(d) == [("NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE", "A2", ("A1",))]


def test_a_sublicence_is_never_in_conflict_with_its_licence() -> None:
    d = run(
        *BASE,
        agreement("A1", "exclusive_licence", "P1", "P2", sublicensable=True),
        agreement("A2", "exclusive_licence", "P2", "P3", start="2011-01-01", sublicensable=True),
        agreement("A3", "non_exclusive_licence", "P3", "P4", start="2012-01-01"),
    )
    assert codes(d) == []
    assert [lic[3] for lic in licences(d, "2013-01-01")] == [None, "A1", "A2"]


def test_exclusive_licences_in_different_territories_do_not_overlap() -> None:
    d = run(
        *BASE,
        agreement("A1", "exclusive_licence", "P1", "P2", territories="WORLD;-CN"),
        agreement("A2", "exclusive_licence", "P1", "P3", territories="CN"),
    )
    assert codes(d) == []


# -- SUBLICENCE_NOT_PERMITTED --------------------------------------------------------


def test_sublicence_under_a_licence_that_forbids_it() -> None:
    d = run(
        *BASE,
        agreement("A1", "exclusive_licence", "P1", "P2"),
        agreement("A2", "non_exclusive_licence", "P2", "P3", start="2011-01-01"),
    )
    assert codes(d) == [("SUBLICENCE_NOT_PERMITTED", "A2", ())]
    assert [lic[0] for lic in licences(d, "2012-01-01")] == ["A1"]


# -- MORAL_RIGHT_TRANSFER -----------------------------------------------------------


def test_moral_right_transfer_lists_the_moral_codes_and_judges_the_economic_ones() -> None:
    d = run(
        *BASE,
        agreement("A1", "assignment", "P1", "P2", rights="all"),
        agreement(
            "A2",
            "exclusive_licence",
            "P1",
            "P3",
            works="W1",
            rights="modification",
            start="2009-01-01",
            end="2009-06-30",
        ),
        agreement("A3", "succession", "P2", "P4", rights="moral", start="2012-01-01"),
    )
    assert codes(d) == [("MORAL_RIGHT_TRANSFER", "A1", ())]
    conflict = d.conflicts[0]
    assert conflict.territories == 0
    from cams_graph.cells import rights_codes

    assert rights_codes(conflict.rights) == [
        "publication",
        "attribution",
        "modification",
        "integrity",
    ]
    assert owners(d, "2011-01-01") == ("P2",)
    assert owners(d, "2011-01-01", right="attribution") == ("P1",)


# -- UNWRITTEN_CONTRACT --------------------------------------------------------------


def test_unwritten_contract_for_assignments_exclusive_licences_and_pledges_only() -> None:
    d = run(
        *BASE,
        agreement("A1", "exclusive_licence", "P1", "P2", written=False),
        agreement(
            "A2",
            "non_exclusive_licence",
            "P1",
            "P3",
            written=False,
            start="2011-01-01",
            territories="US",
        ),
    )
    assert codes(d) == [("UNWRITTEN_CONTRACT", "A1", ())]
    assert [lic[0] for lic in licences(d, "2012-01-01")] == ["A1"]


# -- BEYOND_TERM -------------------------------------------------------------------------


def test_beyond_term_when_the_end_or_the_start_falls_after_expiry() -> None:
    d = run(
        person("P1", died="1960-07-07"),
        person("P2"),
        work("W1", "P1", created="1935-01-01"),
        agreement("A1", "non_exclusive_licence", "P1", "P2", start="1955-01-01", end="2015-12-31"),
        agreement("A2", "assignment", "P2", "P1", start="2012-01-01"),
    )
    assert codes(d) == [("BEYOND_TERM", "A1", ()), ("BEYOND_TERM", "A2", ())]
    # cells in the public domain on a grant's start are not judged for authority
    assert licences(d, "2010-12-31") == [("A1", "1955-01-01", "2010-12-31", None)]


# -- DERIVATIVE_WITHOUT_LICENCE ---------------------------------------------------------


def test_derivative_without_licence_names_both_works() -> None:
    d = run(
        *BASE, work("W2", "P2", created="2015-01-01", derived_from="W1", derivation="translation")
    )
    found = [c for c in d.conflicts if c.code == "DERIVATIVE_WITHOUT_LICENCE"]
    assert len(found) == 1 and found[0].agreement is None
    assert found[0].works == ("W1", "W2")


def test_derivative_with_a_licence_in_any_territory_or_owned_is_fine() -> None:
    d = run(
        *BASE,
        agreement(
            "A1",
            "non_exclusive_licence",
            "P1",
            "P2",
            rights="translation",
            territories="US",
            end="2020-12-31",
        ),
        work("W2", "P2", created="2015-01-01", derived_from="W1", derivation="translation"),
        work("W3", "P1", created="2016-01-01", derived_from="W1", derivation="arrangement"),
        work("W4", "P3", created="2016-01-01", derived_from="W1", derivation="arrangement"),
    )
    assert codes(d) == [("DERIVATIVE_WITHOUT_LICENCE", None, ())]
    assert d.conflicts[0].works == ("W1", "W4")


def test_derivative_of_a_public_domain_work_or_of_unknown_date_is_fine() -> None:
    d = run(
        person("P1", died="1900-01-01"),
        person("P2"),
        work("W1", "P1", created="1890-01-01"),
        work("W2", "P2", created="2015-01-01", derived_from="W1", derivation="filming"),
        work("W3", "P2", created=None, derived_from="W1", derivation="filming"),
    )
    assert codes(d) == []


# -- UNREGISTERED_PLEDGE and DEALING_UNDER_PLEDGE -----------------------------------------


def test_unregistered_pledge_encumbers_nothing() -> None:
    d = run(
        *BASE,
        agreement("A1", "pledge", "P1", "P4"),
        agreement("A2", "assignment", "P1", "P2", start="2011-01-01"),
    )
    assert codes(d) == [("UNREGISTERED_PLEDGE", "A1", ())]


def test_dealing_under_a_registered_pledge() -> None:
    d = run(
        *BASE,
        agreement("A1", "pledge", "P1", "P4", registration="R-1", end="2015-12-31"),
        agreement("A2", "exclusive_licence", "P1", "P2", start="2011-01-01", end="2011-12-31"),
        agreement("A3", "assignment", "P1", "P4", start="2012-01-01"),
        agreement("A4", "non_exclusive_licence", "P4", "P3", start="2016-01-01"),
    )
    assert codes(d) == [("DEALING_UNDER_PLEDGE", "A2", ("A1",))]
    assert owners(d, "2013-01-01") == ("P4",)
    assert d.conflicts[0].severity == "warning"


def test_conflict_territories_sum_up_the_cells() -> None:
    d = run(
        *BASE,
        agreement(
            "A1",
            "assignment",
            "P2",
            "P3",
            territories="WORLD;-US",
            rights="reproduction;distribution",
        ),
    )
    (conflict,) = d.conflicts
    assert conflict.territories == territory_mask(["WORLD"], ["US"])
    assert date(2010, 1, 1) == conflict.start
