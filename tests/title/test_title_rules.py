"""The rules of title.md one by one: order, reversions, creation, terminations, caps, sublicences,
co-owners, succession, public domain, territories, moral rights and the term of protection."""

from __future__ import annotations

from datetime import date

from cams_graph.engine import judging_order
from cams_graph.protection import expires
from tests.title.helpers import (
    agreement,
    chain,
    codes,
    licences,
    org,
    owners,
    person,
    run,
    work,
)

PARTIES = (person("P1"), person("P2"), person("P3"), person("P4"), person("P5"))
W1 = work("W1", "P1", created="2000-01-01")

# -- order ------------------------------------------------------------------------------


def test_order_is_start_signed_type_parent_key() -> None:
    items = [
        agreement("B", "non_exclusive_licence", start="2010-01-01"),
        agreement("A", "non_exclusive_licence", start="2010-01-01", signed="2009-01-01"),
        agreement("T", "termination", start="2010-01-01", parent="X"),
        agreement("S", "assignment", start="2010-01-01"),
        agreement("C", "sole_licence", start="2010-01-01", parent="D"),
        agreement("D", "exclusive_licence", start="2010-01-01", parent="E"),
        agreement("E", "exclusive_licence", start="2010-01-01"),
        agreement("Z", "assignment", start="2009-12-31"),
    ]
    assert [a.key for a in judging_order(items)] == ["Z", "A", "T", "S", "B", "E", "D", "C"]


def test_same_day_assignment_is_judged_before_a_licence() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L", "non_exclusive_licence", "P2", "P3", start="2010-01-01"),
        agreement("A", "assignment", "P1", "P2", start="2010-01-01"),
    )
    assert codes(d) == []
    assert [lic[0] for lic in licences(d, "2010-01-01")] == ["L"]


def test_same_day_termination_is_applied_before_grants_of_that_day() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", start="2005-01-01"),
        agreement("T1", "termination", start="2010-01-01", parent="A1"),
        agreement("A2", "assignment", "P1", "P3", start="2010-01-01"),
    )
    assert codes(d) == []
    assert owners(d, "2010-01-01") == ("P3",)
    assert chain(d, "2010-01-01") == [
        ("creation", None),
        ("assignment", "A1"),
        ("reversion", "A1"),
        ("assignment", "A2"),
    ]


def test_later_judgements_do_not_change_earlier_ones() -> None:
    # A2 is judged with A1 in force (the termination comes later): not a non-owner grant.
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", start="2005-01-01"),
        agreement("A2", "non_exclusive_licence", "P2", "P3", start="2008-01-01"),
        agreement("T1", "termination", start="2009-01-01", parent="A1"),
    )
    assert codes(d) == []
    assert [lic[0] for lic in licences(d, "2012-01-01")] == ["A2"]
    assert owners(d, "2012-01-01") == ("P1",)


# -- creation ---------------------------------------------------------------------------


def test_grant_before_creation_is_judged_and_in_force_from_creation() -> None:
    d = run(
        *PARTIES,
        work("W1", "P1", created="2005-03-01"),
        agreement("A1", "assignment", "P1", "P2", start="2004-01-01"),
        agreement("A2", "non_exclusive_licence", "P2", "P3", start="2004-06-01"),
    )
    assert codes(d) == []
    assert chain(d, "2006-01-01") == [("creation", None), ("assignment", "A1")]
    assert d.title("W1", "reproduction", "CN", date(2006, 1, 1)).chain[1].date == date(2005, 3, 1)
    assert licences(d, "2006-01-01") == [("A2", "2005-03-01", None, None)]
    assert d.title("W1", "reproduction", "CN", date(2005, 2, 1)).status == "not_created"


def test_grant_whose_period_ends_before_creation_creates_nothing_but_is_judged() -> None:
    d = run(
        *PARTIES,
        work("W1", "P1", created="2005-03-01"),
        agreement("A1", "assignment", "P1", "P2", start="2004-01-01", end="2004-12-31"),
        agreement("A2", "exclusive_licence", "P3", "P4", start="2004-01-01", end="2004-12-31"),
    )
    assert codes(d) == [("NON_OWNER_GRANT", "A2", ())]
    assert chain(d, "2006-01-01") == [("creation", None)]


def test_unknown_creation_means_owned_from_the_beginning() -> None:
    d = run(
        *PARTIES,
        work("W1", "P1", created=None),
        agreement("A1", "assignment", "P1", "P2", start="1990-01-01"),
    )
    answer = d.title("W1", "reproduction", "CN", date(1980, 1, 1))
    assert answer.status == "protected" and answer.owners == ("P1",)
    assert answer.chain[0].date is None


# -- reversions and caps -------------------------------------------------------------------


def test_capped_assignment_reverts_the_day_after_its_end() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", start="2010-01-01", end="2014-12-31"),
    )
    assert owners(d, "2014-12-31") == ("P2",)
    assert owners(d, "2015-01-01") == ("P1",)
    answer = d.title("W1", "reproduction", "CN", date(2015, 1, 1))
    assert [(e.kind, e.agreement, e.date) for e in answer.chain][-1] == (
        "reversion",
        "A1",
        date(2015, 1, 1),
    )


def test_assignments_ending_the_same_day_revert_most_recent_first() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", start="2010-01-01", end="2014-12-31"),
        agreement("A2", "assignment", "P2", "P3", start="2012-01-01"),
    )
    assert codes(d) == [("EXCEEDS_GRANTOR_TITLE", "A2", ())]
    assert owners(d, "2013-01-01") == ("P3",)
    assert owners(d, "2015-01-01") == ("P1",)
    assert chain(d, "2015-01-01") == [
        ("creation", None),
        ("assignment", "A1"),
        ("assignment", "A2"),
        ("reversion", "A2"),
        ("reversion", "A1"),
    ]


def test_termination_known_on_the_grants_start_caps_the_title() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", start="2005-01-01"),
        agreement("T1", "termination", start="2015-01-01", parent="A1", signed="2008-01-01"),
        agreement("A2", "assignment", "P2", "P3", start="2016-01-01"),
    )
    assert codes(d) == [("NON_OWNER_GRANT", "A2", ())]
    assert owners(d, "2016-06-01") == ("P1",)


def test_terminated_assignment_whose_title_was_passed_on_is_not_touched() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", start="2005-01-01"),
        agreement("A2", "assignment", "P2", "P3", start="2008-01-01", end="2020-12-31"),
        agreement("T1", "termination", start="2010-01-01", parent="A1"),
    )
    assert codes(d) == []
    assert owners(d, "2015-01-01") == ("P3",)
    assert owners(d, "2021-01-01") == ("P1",)
    assert chain(d, "2021-01-01")[-2:] == [("reversion", "A2"), ("reversion", "A1")]


def test_termination_of_a_licence_ends_its_sublicences_without_conflict() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L1", "exclusive_licence", "P1", "P2", sublicensable=True),
        agreement("L2", "non_exclusive_licence", "P2", "P3", start="2011-01-01"),
        agreement("T1", "termination", start="2013-01-01", parent="L1"),
    )
    assert codes(d) == []
    assert [lic[:3] for lic in licences(d, "2012-12-31")] == [
        ("L1", "2010-01-01", "2012-12-31"),
        ("L2", "2011-01-01", "2012-12-31"),
    ]
    assert licences(d, "2013-01-01") == []


def test_licence_survives_a_change_of_owner() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L1", "exclusive_licence", "P1", "P2"),
        agreement("A1", "assignment", "P1", "P3", start="2011-01-01"),
        agreement("T1", "termination", start="2012-01-01", parent="A1"),
    )
    assert codes(d) == []
    assert [lic[0] for lic in licences(d, "2013-01-01")] == ["L1"]


def test_termination_of_a_pledge_ends_the_encumbrance() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("P", "pledge", "P1", "P4", registration="R"),
        agreement("T1", "termination", start="2012-01-01", parent="P"),
        agreement("A1", "assignment", "P1", "P2", start="2013-01-01"),
    )
    assert codes(d) == []


def test_termination_before_a_grant_starts_makes_its_period_empty() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("T1", "termination", start="2009-01-01", parent="A1"),
        agreement("A1", "assignment", "P1", "P2", start="2010-01-01"),
    )
    assert owners(d, "2011-01-01") == ("P1",)
    assert chain(d, "2011-01-01") == [("creation", None)]


# -- sublicences --------------------------------------------------------------------------


def test_sublicence_uses_the_earliest_sublicensable_licence() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L1", "non_exclusive_licence", "P1", "P2"),
        agreement(
            "L2",
            "non_exclusive_licence",
            "P1",
            "P2",
            start="2010-02-01",
            sublicensable=True,
            end="2014-12-31",
        ),
        agreement(
            "L3", "non_exclusive_licence", "P1", "P2", start="2010-03-01", sublicensable=True
        ),
        agreement("S", "non_exclusive_licence", "P2", "P3", start="2011-01-01"),
    )
    assert codes(d) == [("EXCEEDS_GRANTOR_TITLE", "S", ())]
    assert licences(d, "2012-01-01")[-1] == ("S", "2011-01-01", "2014-12-31", "L2")


def test_sublicence_naming_its_parent_is_judged_under_that_one_only() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L1", "non_exclusive_licence", "P1", "P2", sublicensable=True),
        agreement("L2", "non_exclusive_licence", "P1", "P2", start="2010-02-01"),
        agreement("S", "non_exclusive_licence", "P2", "P3", start="2011-01-01", parent="L2"),
    )
    assert codes(d) == [("SUBLICENCE_NOT_PERMITTED", "S", ())]


def test_sublicence_chain_of_three() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L1", "exclusive_licence", "P1", "P2", sublicensable=True, end="2020-12-31"),
        agreement(
            "L2",
            "exclusive_licence",
            "P2",
            "P3",
            start="2011-01-01",
            sublicensable=True,
            end="2019-12-31",
        ),
        agreement("L3", "exclusive_licence", "P3", "P4", start="2012-01-01", end="2018-12-31"),
    )
    assert codes(d) == []
    assert [lic[3] for lic in licences(d, "2013-01-01")] == [None, "L1", "L2"]


def test_licensee_is_not_an_owner_for_assignments() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("L1", "exclusive_licence", "P1", "P2", sublicensable=True),
        agreement("A1", "assignment", "P2", "P3", start="2011-01-01"),
    )
    assert codes(d) == [("NON_OWNER_GRANT", "A1", ())]


# -- co-owners and succession ----------------------------------------------------------------


def test_succession_of_one_co_owner_needs_no_consent() -> None:
    d = run(
        *PARTIES,
        person("H1"),
        work("W1", "P1", "P2"),
        agreement(
            "S1",
            "succession",
            "P1",
            "H1",
            start="2010-01-01",
            rights="economic",
            territories="WORLD",
        ),
    )
    assert codes(d) == []
    assert owners(d, "2011-01-01") == ("H1", "P2")
    assert chain(d, "2011-01-01") == [("creation", None), ("succession", "S1")]


def test_succession_from_a_non_owner() -> None:
    d = run(*PARTIES, W1, agreement("S1", "succession", "P2", "P3"))
    assert codes(d) == [("NON_OWNER_GRANT", "S1", ())]


def test_owner_rows_replace_authors_as_initial_owners() -> None:
    d = run(
        *PARTIES,
        org("C1"),
        work(
            "W1",
            "P1",
            "P2",
            owners=("C1", "P1"),
            authorship="work_for_hire",
            category="software",
            first_published="2001-01-01",
        ),
    )
    assert owners(d, "2005-01-01") == ("C1", "P1")
    assert owners(d, "2005-01-01", right="attribution") == ("P1", "P2")
    assert owners(d, "2005-01-01", right="integrity") == ("C1", "P1")


# -- public domain and term ----------------------------------------------------------------


def test_public_domain_keeps_the_chain_up_to_expiry() -> None:
    d = run(
        person("P1", died="1960-07-07"),
        person("P2"),
        work("W1", "P1", created="1935-01-01"),
        agreement("A1", "assignment", "P1", "P2", start="1950-01-01", end="2012-12-31"),
    )
    answer = d.title("W1", "reproduction", "CN", date(2013, 6, 1))
    assert answer.status == "public_domain" and answer.owners == ()
    assert [(e.kind, e.agreement) for e in answer.chain] == [
        ("creation", None),
        ("assignment", "A1"),
    ]
    attribution = d.title("W1", "attribution", "CN", date(2013, 6, 1))
    assert attribution.status == "protected" and attribution.expires is None
    publication = d.title("W1", "publication", "CN", date(2013, 6, 1))
    assert publication.status == "public_domain"


def test_grant_in_the_public_domain_is_not_judged_for_authority() -> None:
    d = run(
        person("P1", died="1960-07-07"),
        person("P2"),
        person("P3"),
        work("W1", "P1", created="1935-01-01"),
        agreement("A1", "exclusive_licence", "P3", "P2", start="2012-01-01"),
    )
    assert codes(d) == [("BEYOND_TERM", "A1", ())]


def test_term_by_publication_and_by_life() -> None:
    parties = {"P1": person("P1", died="1990-05-01"), "P2": person("P2"), "C": org("C")}
    assert expires(work("W", "P1", created="1970-01-01"), parties) == date(2040, 12, 31)
    assert expires(work("W", "P1", "P2", created="1970-01-01"), parties) is None
    assert expires(
        work("W", "C", created="1970-01-01", first_published="1975-05-05"), parties
    ) == date(2025, 12, 31)
    late = work("W", "C", created="1970-01-01", first_published="2021-01-01")
    assert expires(late, parties) == date(2020, 12, 31)
    assert expires(work("W", "P1", created=None, authorship="legal_person"), parties) is None
    hire = work("W", "P1", owners=("C",), authorship="work_for_hire", created="1980-01-01")
    assert expires(hire, parties) == date(2030, 12, 31)


# -- territories -------------------------------------------------------------------------------


def test_excluded_territories_are_not_granted() -> None:
    d = run(*PARTIES, W1, agreement("A1", "assignment", "P1", "P2", territories="WORLD;-CN;-HK"))
    assert owners(d, "2011-01-01", territory="US") == ("P2",)
    assert owners(d, "2011-01-01", territory="CN") == ("P1",)
    assert owners(d, "2011-01-01", territory="HK") == ("P1",)


def test_a_grant_is_judged_per_cell() -> None:
    d = run(
        *PARTIES,
        W1,
        agreement("A1", "assignment", "P1", "P2", territories="CN"),
        agreement("A2", "exclusive_licence", "P1", "P3", territories="CN;US", start="2011-01-01"),
    )
    (conflict,) = d.conflicts
    assert conflict.code == "NON_OWNER_GRANT"
    from cams_graph.cells import territory_codes

    assert territory_codes(conflict.territories) == ["CN"]
    assert [lic[0] for lic in licences(d, "2012-01-01", territory="US")] == ["A2"]
    assert licences(d, "2012-01-01", territory="CN") == []
