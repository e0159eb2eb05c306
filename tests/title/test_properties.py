"""Properties of the title engine on generated ledgers (hypothesis).

In memory: a protected, created cell always has owners; an effective assignment's grantees own
the cell the day after it unless another event says otherwise; the order of rows does not
matter. Through the store (import, derived graph, shipped queries): the command gives the same
answers as the engine in memory, and two batches give the same answers as one.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cams_graph.cli import cli
from cams_graph.engine import Derivation, derive
from cams_graph.facts import Agreement, Catalogue, Party, Work
from tests.title.helpers import write_ledger

PARTY_KEYS = ["P1", "P2", "P3", "P4", "C1"]
TERRITORY_CHOICES = ["CN", "US", "HK", "CN;US", "WORLD", "WORLD;-CN", "WORLD;-US;-HK"]
RIGHT_CHOICES = [
    "reproduction",
    "distribution",
    "reproduction;distribution",
    "economic",
    "translation",
    "all",
]
TYPES = [
    "assignment",
    "assignment",
    "succession",
    "exclusive_licence",
    "sole_licence",
    "non_exclusive_licence",
    "non_exclusive_licence",
    "pledge",
    "termination",
]
DAY0 = date(2000, 1, 1)
CELLS = [
    ("reproduction", "CN"),
    ("distribution", "US"),
    ("translation", "HK"),
    ("reproduction", "GB"),
    ("attribution", "CN"),
]


def _day(n: int) -> date:
    return DAY0 + timedelta(days=n)


@st.composite
def catalogues(draw: st.DrawFn) -> Catalogue:
    cat = Catalogue()
    for key in PARTY_KEYS:
        died = draw(st.one_of(st.none(), st.integers(2000, 9000).map(_day)))
        kind = "organization" if key.startswith("C") else "person"
        cat.add(Party(key, kind, f"Party {key}", None, died if kind == "person" else None))
    n_works = draw(st.integers(1, 3))
    for i in range(n_works):
        key = f"W{i + 1}"
        authors = tuple(
            sorted(draw(st.sets(st.sampled_from(PARTY_KEYS[:4]), min_size=1, max_size=2)))
        )
        owners = tuple(sorted(draw(st.sets(st.sampled_from(PARTY_KEYS), max_size=2))))
        created = draw(st.one_of(st.none(), st.integers(0, 3000).map(_day)))
        derived = draw(st.booleans()) if i > 0 else False
        cat.add(
            Work(
                key,
                draw(st.sampled_from(["literary", "audiovisual", "musical"])),
                f"Work {key}",
                created,
                draw(st.one_of(st.none(), st.integers(0, 4000).map(_day))),
                "natural",
                "W1" if derived else None,
                draw(st.sampled_from(["translation", "adaptation"])) if derived else None,
                authors,
                owners,
            )
        )
    works = sorted(cat.works)
    n_agreements = draw(st.integers(1, 8))
    for i in range(n_agreements):
        key = f"A{i + 1}"
        kind = draw(st.sampled_from(TYPES))
        start = draw(st.integers(0, 8000))
        end = draw(st.one_of(st.none(), st.integers(start, 9000)))
        earlier = [a for a in cat.agreements.values() if a.type != "termination"]
        if kind == "termination":
            if not earlier:
                kind = "assignment"
            else:
                cat.add(
                    Agreement(
                        key,
                        "termination",
                        start=_day(start),
                        parent=draw(st.sampled_from([a.key for a in earlier])),
                    )
                )
                continue
        places = draw(st.sampled_from(TERRITORY_CHOICES)).split(";")
        licences = [a.key for a in earlier if a.is_licence]
        parent = None
        if kind.endswith("licence") and licences and draw(st.booleans()):
            parent = draw(st.sampled_from(licences))
        cat.add(
            Agreement(
                key,
                kind,
                grantors=tuple(
                    sorted(draw(st.sets(st.sampled_from(PARTY_KEYS), min_size=1, max_size=2)))
                ),
                grantees=tuple(
                    sorted(draw(st.sets(st.sampled_from(PARTY_KEYS), min_size=1, max_size=2)))
                ),
                works=tuple(sorted(draw(st.sets(st.sampled_from(works), min_size=1, max_size=2)))),
                rights=tuple(draw(st.sampled_from(RIGHT_CHOICES)).split(";")),
                territories=tuple(p for p in places if not p.startswith("-")),
                excluded_territories=tuple(p[1:] for p in places if p.startswith("-")),
                start=_day(start),
                end=_day(end) if end is not None else None,
                signed=draw(st.one_of(st.none(), st.integers(start - 30, start + 30).map(_day))),
                written=draw(st.sampled_from([None, True, False])),
                sublicensable=draw(st.sampled_from([None, True, False])),
                parent=parent,
                registration=draw(st.sampled_from([None, "R-1"])) if kind == "pledge" else None,
            )
        )
    return cat


def _days(cat: Catalogue) -> list[date]:
    days = {DAY0, _day(4000), _day(9500)}
    for a in cat.agreements.values():
        days |= {a.start, a.start - timedelta(days=1), a.start + timedelta(days=1)}
        if a.end is not None:
            days |= {a.end, a.end + timedelta(days=1)}
    return sorted(days)[:: max(1, len(days) // 8)]


def _answers(d: Derivation, cat: Catalogue) -> list[Any]:
    out = []
    for w in sorted(cat.works):
        for right, territory in CELLS:
            for day in _days(cat):
                t = d.title(w, right, territory, day)
                out.append(
                    (
                        w,
                        right,
                        territory,
                        day,
                        t.status,
                        t.owners,
                        [(x.agreement, x.start, x.end, x.parent) for x in t.licences],
                        [(e.kind, e.agreement, e.date) for e in t.chain],
                    )
                )
    return out


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(catalogues())
def test_a_protected_created_cell_always_has_owners(cat: Catalogue) -> None:
    d = derive(cat)
    for w in cat.works.values():
        for right, territory in CELLS:
            for day in _days(cat):
                t = d.title(w.key, right, territory, day)
                if t.status == "protected":
                    assert t.owners, (w.key, right, territory, day)


@PROPERTY
@given(catalogues())
def test_effective_assignment_grantees_own_the_cell_after_it(cat: Catalogue) -> None:
    d = derive(cat)
    for title in d.works.values():
        for record in title.records:
            dated = [e for e in record.events if e.date is not None]
            for k, event in enumerate(dated):
                if event.kind != "assignment":
                    continue
                later = [e for e in dated[k + 1 :] if e.date is not None]
                if later and later[0].date is not None and later[0].date <= event.date:
                    continue  # another event the same day says otherwise
                assert event.date is not None
                assert record.holders(event.date) == event.to
                assert set(event.to) == set(cat.agreements[event.agreement or ""].grantees)


@PROPERTY
@given(catalogues(), st.randoms())
def test_answers_do_not_depend_on_the_order_of_rows(cat: Catalogue, rnd: Any) -> None:
    shuffled = Catalogue()
    for items in (cat.parties, cat.works, cat.agreements):
        values = list(items.values())
        rnd.shuffle(values)
        shuffled.add(*values)
    first, second = derive(cat), derive(shuffled)
    assert first.conflicts == second.conflicts
    assert _answers(first, cat) == _answers(second, cat)


# -- through the store ----------------------------------------------------------------------


def _cams(store: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--store", str(store), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _command_answers(store: Path, cat: Catalogue) -> list[Any]:
    out = []
    for w in sorted(cat.works):
        for right, territory in CELLS[:3]:
            for day in _days(cat)[:4]:
                out.append(
                    json.loads(
                        _cams(
                            store,
                            "title",
                            w,
                            "--right",
                            right,
                            "--territory",
                            territory,
                            "--at",
                            day.isoformat(),
                            "--format",
                            "json",
                        )
                    )
                )
    return out


STORE_PROPERTY = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@STORE_PROPERTY
@given(catalogues())
def test_the_command_answers_as_the_engine_does(tmp_path_factory: Any, cat: Catalogue) -> None:
    folder = write_ledger(cat, tmp_path_factory.mktemp("ledger"))
    store = tmp_path_factory.mktemp("store") / "store"
    _cams(store, "import", str(folder))
    d = derive(cat)
    for answer in _command_answers(store, cat):
        expected = d.title(
            answer["work"], answer["right"], answer["territory"], date.fromisoformat(answer["at"])
        )
        assert answer["status"] == expected.status
        assert answer["owners"] == list(expected.owners)
        assert [
            (x["agreement"], x["start"], x["end"], x["parent"]) for x in answer["licences"]
        ] == [
            (x.agreement, x.start.isoformat(), x.end.isoformat() if x.end else None, x.parent)
            for x in expected.licences
        ]
        assert [(e["event"], e["agreement"], e["date"]) for e in answer["chain"]] == [
            (e.kind, e.agreement, e.date.isoformat() if e.date else None) for e in expected.chain
        ]
    conflicts = json.loads(_cams(store, "conflicts", "--format", "json"))
    assert sorted(
        (c["code"], c["agreement"] or "", c["related"], c["works"]) for c in conflicts
    ) == sorted((c.code, c.agreement or "", list(c.related), list(c.works)) for c in d.conflicts)


@STORE_PROPERTY
@given(catalogues())
def test_two_batches_answer_as_one(tmp_path_factory: Any, cat: Catalogue) -> None:
    whole = write_ledger(cat, tmp_path_factory.mktemp("whole"))
    one = tmp_path_factory.mktemp("one") / "store"
    _cams(one, "import", str(whole))
    two = tmp_path_factory.mktemp("two") / "store"
    _cams(
        two,
        "import",
        str(whole / "parties.csv"),
        str(whole / "works.csv"),
        str(whole / "contributions.csv"),
    )
    _cams(two, "import", str(whole / "agreements.csv"))
    assert _cams(one, "conflicts", "--format", "json") == _cams(
        two, "conflicts", "--format", "json"
    )
    assert _command_answers(one, cat) == _command_answers(two, cat)
