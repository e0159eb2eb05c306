"""A realistic rights ledger of any size, for benchmarks and tests: ``cams generate``.

:func:`generate` writes the four CSV files of ``ledger.md`` for ``works`` works,
deterministically for a seed (one :class:`random.Random`, never the global one;
nothing depends on hash order). The ledger reads like a rights department's:

* **parties**: authors with lives (some died, which drives the term of
  protection and successions), publishers, studios and software houses whose
  catalogues follow a long tail (a few own a large share, most own a few
  works), licensees (platforms, broadcasters, foreign publishers) and banks;
* **works** of every category, some co-authored, some made for hire or by a
  legal person, films with their producer as owner, and derivatives
  (translations, films, stage adaptations, compilations, arrangements) of
  earlier works, most with the upstream licence they need;
* **agreements**, about five per work: backlist deals assigning several works
  of one author to a publisher at once, term assignments that revert,
  catalogue acquisitions, successions after deaths, licences in windows by
  territory and right (exclusive, sole, non-exclusive), sublicences under
  sublicensable licences, terminations, and registered pledges.

The ledger is built from a model of who holds which right on which day, so
with ``defects=0`` it is free of conflicts. With ``defects=r`` about ``r ×
works`` defects are added, spread evenly over the twelve conflict codes of
``title.md`` (a defect that does not fit a work waits for the next work it
fits). It never breaks a rule of ``ledger.md`` that blocks an import.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> stats = generate(out, works=200, seed=7)
>>> sorted(p.name for p in out.iterdir())
['agreements.csv', 'contributions.csv', 'parties.csv', 'works.csv']
>>> stats.works, 3.5 < stats.agreements / stats.works < 6.5
(200, True)
>>> again = pathlib.Path(tempfile.mkdtemp())
>>> generate(again, works=200, seed=7) == stats
True
>>> (again / "agreements.csv").read_bytes() == (out / "agreements.csv").read_bytes()
True
"""

from __future__ import annotations

import csv
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import TypeVar

from .ledger import HEADERS
from .vocabularies import CONFLICT_CODES

__all__ = ["DEFECT_CODES", "GenerateStats", "generate"]

DEFECT_CODES: tuple[str, ...] = tuple(CONFLICT_CODES)
"""The conflict codes the generator can plant, in the order of ``title.md``."""

# -- calendar -------------------------------------------------------------------

_YEAR = 365
TODAY = date(2024, 6, 30).toordinal()
"""Nothing is created, and nobody dies, after this day."""
HORIZON = date(2026, 12, 31).toordinal()
"""The last day an agreement may start (deals are signed ahead)."""
_EPOCH = date(1900, 1, 1).toordinal()


_ISO: dict[int, str] = {}


def _iso(day: int) -> str:
    text = _ISO.get(day)
    if text is None:
        text = _ISO[day] = date.fromordinal(day).isoformat()
    return text


class _Random(Random):
    """:class:`random.Random` with a faster ``randrange`` and ``choice`` (still seeded)."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]


T = TypeVar("T")
_DEC31: dict[int, int] = {}


def _end_of_50th_year(day: int) -> int:
    """31 December of the 50th year after ``day`` (the term of protection, Art. 23)."""
    year = date.fromordinal(day).year + 50
    found = _DEC31.get(year)
    if found is None:
        found = _DEC31[year] = date(year, 12, 31).toordinal()
    return found


# -- rights and territories -----------------------------------------------------

_PRINT, _STAGE, _ONLINE, _DERIV, _OTHER = range(5)
BUNDLES: tuple[tuple[str, ...], ...] = (
    ("reproduction", "distribution", "rental"),
    ("exhibition", "performance", "screening", "broadcasting"),
    ("information_network",),
    ("filming", "adaptation", "translation", "compilation"),
    ("other_economic",),
)
"""The economic rights in the bundles that rights change hands in."""
_ALL_BUNDLES = (0, 1, 2, 3, 4)
_BIT = {code: 1 << i for i, code in enumerate(c for b in BUNDLES for c in b)}
_BUNDLE_MASK = [sum(_BIT[c] for c in b) for b in BUNDLES]
_LICENSED: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("reproduction", "distribution"), ("reproduction",), ("distribution",), ("rental",)),
    (("performance",), ("broadcasting",), ("screening", "broadcasting"), ("exhibition",)),
    (("information_network",),),
    (("filming",), ("adaptation", "modification"), ("translation",), ("compilation",)),
    (("other_economic",),),
)
"""What a licence of each bundle grants (``modification`` with adaptation is no transfer)."""
_LICENSED_MASK = [[sum(_BIT.get(c, 0) for c in option) for option in b] for b in _LICENSED]

# territory specs: (column value, world?, codes: the countries, or those WORLD leaves out)
_TERRITORIES: tuple[tuple[str, bool, frozenset[str]], ...] = (
    ("CN", False, frozenset({"CN"})),
    ("CN;HK;MO", False, frozenset({"CN", "HK", "MO"})),
    ("HK", False, frozenset({"HK"})),
    ("TW", False, frozenset({"TW"})),
    ("US", False, frozenset({"US"})),
    ("GB", False, frozenset({"GB"})),
    ("JP", False, frozenset({"JP"})),
    ("KR", False, frozenset({"KR"})),
    ("FR;DE", False, frozenset({"FR", "DE"})),
    ("WORLD;-CN", True, frozenset({"CN"})),
    ("WORLD", True, frozenset()),
    ("WORLD;-CN;-HK;-MO;-TW", True, frozenset({"CN", "HK", "MO", "TW"})),
)
_TERRITORY_CUM = list(accumulate((30, 8, 5, 5, 6, 4, 5, 4, 4, 8, 12, 6)))
_WORLD = 10

_CATEGORIES = (
    ("literary", 40),
    ("musical", 15),
    ("audiovisual", 8),
    ("fine_art", 7),
    ("photographic", 7),
    ("dramatic", 5),
    ("software", 6),
    ("graphic", 3),
    ("oral", 1),
    ("quyi", 1),
    ("choreographic", 1),
    ("acrobatic", 1),
    ("architectural", 2),
    ("model", 1),
    ("other", 2),
)
_CATEGORY_NAMES = [c for c, _ in _CATEGORIES]
_CATEGORY_CUM = list(accumulate(w for _, w in _CATEGORIES))
# which bundles licences of a category deal in, with weights
_USES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "literary": ((_PRINT, _ONLINE, _DERIV, _STAGE), (45, 30, 20, 5)),
    "musical": ((_STAGE, _ONLINE, _PRINT, _DERIV), (40, 35, 15, 10)),
    "audiovisual": ((_STAGE, _ONLINE, _PRINT), (45, 45, 10)),
    "dramatic": ((_STAGE, _DERIV, _PRINT, _ONLINE), (50, 25, 15, 10)),
    "software": ((_PRINT, _ONLINE, _OTHER), (40, 40, 20)),
}
_DEFAULT_USES = ((_PRINT, _STAGE, _ONLINE, _OTHER), (50, 25, 20, 5))
_USES_CUM = {c: (b, list(accumulate(w))) for c, (b, w) in _USES.items()}
_DEFAULT_USES_CUM = (_DEFAULT_USES[0], list(accumulate(_DEFAULT_USES[1])))
# derivations a source category allows: (derivation, category of the new work, weight)
_DERIVATIONS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "literary": (
        ("translation", "literary", 40),
        ("filming", "audiovisual", 30),
        ("adaptation", "dramatic", 20),
        ("compilation", "literary", 10),
    ),
    "musical": (("arrangement", "musical", 1),),
    "dramatic": (("filming", "audiovisual", 1),),
}
_DERIVATION_RIGHT = {
    "adaptation": "adaptation",
    "arrangement": "adaptation",
    "translation": "translation",
    "filming": "filming",
    "compilation": "compilation",
}

# -- names ----------------------------------------------------------------------


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


_SURNAMES = _words(
    "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo Liang "
    "Song Zheng Xie Han Tang Feng Yu Dong Xiao Cheng Cao Yuan Deng"
)
_GIVEN = _words(
    "Wei Fang Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiu Hua Ping Gang Hui "
    "Lan Ning Bo Xin Yun Hong Wen Rui Tian Shan Yu Zhen Qing Mei"
)
_WESTERN = tuple(
    tuple(name.split())
    for name in (
        "Anna Smith",
        "James Miller",
        "Marie Dubois",
        "Hans Keller",
        "Yuki Tanaka",
        "Min-jun Kim",
        "Laura Rossi",
        "Tom Brown",
    )
)
_ORG_WORDS = _words(
    "Spring River Jade Lantern Phoenix Golden Pine Harbor Silk Lotus Summit Crane Bamboo Cloud "
    "Pearl Orchid Stone Blue Crimson Willow North Eastern Silver Maple"
)
_ORG_KINDS = {
    "publisher": ("Press", "Publishing House", "Books", "Literary Publishing", "Music Publishing"),
    "studio": ("Pictures", "Film Studio", "Media", "Entertainment"),
    "company": ("Software", "Design Co.", "Technology", "Creative Studio", "Games"),
    "licensee": ("Streaming", "Broadcasting", "Audio", "Digital", "Publishing Ltd", "Theatre"),
    "bank": ("Bank", "Trust Bank", "Commercial Bank"),
}
_TITLE_A = _words(
    "The River|Autumn|A Thousand|Distant|The Last|Silent|Morning|The Jade|Winter|Red|The Paper|"
    "Night|Hidden|The Long|Small|Spring|The Old|Falling|Bright|The Mountain",
    "|",
)
_TITLE_B = _words(
    "Bend Lanterns Rain Road Garden Bridge Letters Moon Harbour Songs House Fields City Dreams "
    "Horse Sea Snow Mirror Voices Tea"
)
_COUNTRIES = ("CN", "CN", "CN", "CN", "CN", "CN", "CN", "HK", "TW", "US", "GB", "JP", "KR", "FR")

# -- the model ----------------------------------------------------------------

_NEVER = 10**9
"""An open end (later than any day)."""

Owners = tuple[int, ...]
Period = tuple[int, int, Owners, bool]
Pledge = tuple[int, int, int, Owners]
"""(bundle, first day, last day, pledgors) of a registered pledge."""
"""(first day, last day, owners, capped) of a title to one bundle of a work."""


@dataclass(slots=True)
class _Licence:
    key: str
    rights: int
    territory: int  # index into _TERRITORIES
    start: int
    end: int  # _NEVER when open
    exclusive: bool
    grantors: Owners
    grantee: int
    sublicensable: bool
    sub: bool  # a sublicence
    bundle: int


@dataclass(slots=True)
class _WorkState:
    index: int
    key: str
    category: str
    created: int
    expires: int  # _NEVER when unknown
    periods: list[list[Period]]
    licences: list[_Licence] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    last_start: list[int] = field(default_factory=lambda: [0] * 5)
    rows: list[list[str]] = field(default_factory=list)
    owners: Owners = ()
    authors: Owners = ()

    @property
    def initial(self) -> Owners:
        """The initial owners: the ``owner`` parties, else the authors."""
        return self.owners or self.authors

    def owners_at(self, bundle: int, day: int) -> tuple[Owners, int]:
        """The owners of a bundle on ``day``, and the cap of their title (``_NEVER``: none)."""
        for start, end, owners, capped in reversed(self.periods[bundle]):
            if start <= day <= end:
                return owners, end if capped else _NEVER
        return (), _NEVER


def _territories_overlap(a: int, b: int) -> bool:
    _, wa, ca = _TERRITORIES[a]
    _, wb, cb = _TERRITORIES[b]
    if wa and wb:
        return True
    if wa:
        return bool(cb - ca)
    if wb:
        return bool(ca - cb)
    return bool(ca & cb)


@dataclass(frozen=True)
class GenerateStats:
    """What :func:`generate` wrote."""

    works: int
    parties: int
    agreements: int
    contributions: int
    defects: dict[str, int]
    """Defects planted, by the conflict code they are meant to raise."""
    seconds: float = field(compare=False)


class _Generator:
    def __init__(self, works: int, seed: int, defects: float) -> None:
        self.n = works
        self.rng = _Random(seed)
        self.rate = defects
        self.width = max(4, len(str(works * 8)))
        # parties: parallel lists indexed by party number
        self.p_key: list[str] = []
        self.p_name: list[str] = []
        self.p_org: list[bool] = []
        self.p_born: list[int] = []
        self.p_died: list[int] = []
        self.p_country: list[str] = []
        self.agreements = 0
        self.registrations = 0
        self.owed = dict.fromkeys(DEFECT_CODES, 0)
        self.planted = dict.fromkeys(DEFECT_CODES, 0)

    # -- parties ----------------------------------------------------------------

    def _party(self, name: str, org: bool, born: int, died: int, country: str) -> int:
        n = len(self.p_key)
        self.p_key.append(f"P{n + 1:0{self.width}d}")
        self.p_name.append(name)
        self.p_org.append(org)
        self.p_born.append(born)
        self.p_died.append(died)
        self.p_country.append(country)
        return n

    def _person(self, born: int, died: int) -> int:
        rng = self.rng
        country = rng.choice(_COUNTRIES)
        if country == "CN" or rng.random() < 0.3:
            second = rng.choice(("", "", *_GIVEN)).lower()
            name = f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}{second}"
        else:
            first, last = rng.choice(_WESTERN)
            name = f"{first} {last}-{rng.choice(_GIVEN)}"
        return self._party(name, False, born, died, country)

    def _org(self, kind: str) -> int:
        rng = self.rng
        words = f"{rng.choice(_ORG_WORDS)} {rng.choice(_ORG_WORDS)}"
        name = f"{words} {rng.choice(_ORG_KINDS[kind])} {len(self.p_key) + 1}"
        country = "CN" if kind != "licensee" else rng.choice(_COUNTRIES)
        return self._party(name, True, 0, 0, country)

    def _people(self) -> None:
        rng = self.rng
        n = self.n
        self.authors = []
        for _ in range(max(20, n // 3)):
            born = _EPOCH + rng.randrange(0, 98 * _YEAR)
            year = (born - _EPOCH) // _YEAR + 1900
            p_dead = 0.9 if year < 1940 else 0.45 if year < 1960 else 0.05
            died = 0
            if rng.random() < p_dead:
                died = born + rng.randrange(50 * _YEAR, 95 * _YEAR)
                if died > TODAY:
                    died = 0
            self.authors.append(self._person(born, died))
        self.publishers = [self._org("publisher") for _ in range(max(5, n // 50))]
        self.studios = [self._org("studio") for _ in range(max(3, n // 200))]
        self.companies = [self._org("company") for _ in range(max(3, n // 150))]
        self.licensees = [self._org("licensee") for _ in range(max(8, n // 80))]
        self.banks = [self._org("bank") for _ in range(max(3, n // 4000))]
        # long tails: the r-th author or owner weighs 1 / r^s
        self.author_cum = list(accumulate(1 / (r + 1) ** 0.55 for r in range(len(self.authors))))
        self.publisher_cum = list(accumulate(1 / (r + 1) for r in range(len(self.publishers))))
        self.studio_cum = list(accumulate(1 / (r + 1) for r in range(len(self.studios))))
        self.company_cum = list(accumulate(1 / (r + 1) for r in range(len(self.companies))))

    def _pick(self, items: Sequence[int], cum: Sequence[float]) -> int:
        return items[bisect_right(cum, self.rng.random() * cum[-1])]

    def _alive_person(self, day: int) -> int:
        """An author alive and adult on ``day`` (a new one if none turns up quickly)."""
        rng = self.rng
        for _ in range(12):
            p = self.authors[rng.randrange(len(self.authors))]
            died = self.p_died[p]
            if self.p_born[p] + 20 * _YEAR <= day and (not died or day < died - 30):
                return p
        born = day - rng.randrange(22 * _YEAR, 60 * _YEAR)
        return self._person(born, 0)

    def _heir(self, of: int) -> int:
        born = self.p_born[of] + self.rng.randrange(20 * _YEAR, 40 * _YEAR)
        return self._person(min(born, TODAY - 20 * _YEAR), 0)

    def _alive(self, party: int, day: int) -> bool:
        died = self.p_died[party]
        return self.p_org[party] or not died or day < died

    def _all_alive(self, parties: Owners, day: int) -> bool:
        died = self.p_died
        return all(not died[p] or day < died[p] for p in parties)

    # -- works --------------------------------------------------------------------

    def _works(self) -> None:
        """Decide every work: category, authorship, parties, dates, source."""
        rng = self.rng
        n = self.n
        self.w_key: list[str] = []
        self.w_category: list[str] = []
        self.w_authorship: list[str] = []
        self.w_created: list[int] = []
        self.w_published: list[int] = []
        self.w_authors: list[Owners] = []
        self.w_owners: list[Owners] = []
        self.w_source: list[int] = []
        self.w_derivation: list[str] = []
        self.w_title: list[str] = []
        for i in range(n):
            self.w_key.append(f"W{i + 1:0{self.width}d}")
            source, derivation, category = -1, "", ""
            if i >= 20 and rng.random() < 0.07:
                s = rng.randrange(max(0, i - 4000), i)
                options = _DERIVATIONS.get(self.w_category[s])
                if options and self.w_created[s] < TODAY - 2 * _YEAR:
                    weights = list(accumulate(w for _, _, w in options))
                    pick = bisect_right(weights, rng.random() * weights[-1])
                    derivation, category, _ = options[pick]
                    source = s
            if source >= 0:
                self._derived_work(source, derivation, category)
            else:
                self._original_work()
            self.w_source.append(source)
            self.w_derivation.append(derivation)

    def _title(self) -> str:
        rng = self.rng
        title = f"{rng.choice(_TITLE_A)} {rng.choice(_TITLE_B)}"
        if rng.random() < 0.2:
            title += f" {rng.choice(('II', 'III', 'Revisited', 'Collected', 'Suite', 'Vol. 2'))}"
        return title

    def _original_work(self) -> None:
        rng = self.rng
        category = _CATEGORY_NAMES[bisect_right(_CATEGORY_CUM, rng.random() * _CATEGORY_CUM[-1])]
        authorship = "natural"
        owners: Owners = ()
        roll = rng.random()
        if category == "software" or (category == "graphic" and roll < 0.5):
            authorship = "work_for_hire" if roll < 0.8 else "legal_person"
            owners = (self._pick(self.companies, self.company_cum),)
        elif category == "audiovisual":
            owners = (self._pick(self.studios, self.studio_cum),)
        elif roll < 0.04:
            authorship = "legal_person"
            owners = (self._pick(self.publishers, self.publisher_cum),)
        elif roll < 0.08:
            authorship = "commissioned"
            owners = (self._pick(self.companies, self.company_cum),)
        author = self._pick(self.authors, self.author_cum)
        died = self.p_died[author]
        first = self.p_born[author] + 20 * _YEAR
        last = min(died - 60 if died else TODAY, TODAY)
        if last <= first:
            author = self._person(TODAY - 40 * _YEAR, 0)
            first, last = TODAY - 20 * _YEAR, TODAY
        created = first + int((last - first) * rng.random() ** 0.6)
        authors: Owners = () if authorship == "legal_person" else (author,)
        if authors and rng.random() < 0.12:
            other = self._alive_person(created)
            if other != author:
                authors = (author, other)
        self._add_work(category, authorship, created, authors, owners)

    def _derived_work(self, source: int, derivation: str, category: str) -> None:
        rng = self.rng
        created = self.w_created[source] + rng.randrange(_YEAR, 25 * _YEAR)
        created = min(created, TODAY - rng.randrange(0, 300))
        maker = self._alive_person(created)
        owners: Owners = ()
        authorship = "natural"
        if derivation == "filming":
            owners = (self._pick(self.studios, self.studio_cum),)
        elif derivation == "compilation":
            authorship = "commissioned"
            owners = (self._pick(self.publishers, self.publisher_cum),)
        # the maker is never one of the source's own parties
        if maker in self.w_authors[source] or maker in self.w_owners[source]:
            maker = self._person(created - 30 * _YEAR, 0)
        self._add_work(category, authorship, created, (maker,), owners)

    def _add_work(
        self, category: str, authorship: str, created: int, authors: Owners, owners: Owners
    ) -> None:
        rng = self.rng
        published = 0
        if rng.random() < 0.85:
            published = min(created + rng.randrange(30, 3 * _YEAR), TODAY)
        self.w_category.append(category)
        self.w_authorship.append(authorship)
        self.w_created.append(created)
        self.w_published.append(published)
        self.w_authors.append(authors)
        self.w_owners.append(owners)
        self.w_title.append(self._title())

    def _expires(self, i: int) -> int:
        category, authorship = self.w_category[i], self.w_authorship[i]
        owners = self.w_owners[i]
        if (
            category == "audiovisual"
            or authorship == "legal_person"
            or (authorship == "work_for_hire" and owners)
        ):
            by_creation = _end_of_50th_year(self.w_created[i])
            published = self.w_published[i]
            if published and published <= by_creation:
                return _end_of_50th_year(published)
            return by_creation
        deaths = [self.p_died[a] for a in self.w_authors[i]]
        if not deaths or not all(deaths):
            return _NEVER
        return _end_of_50th_year(max(deaths))

    # -- backlist deals -------------------------------------------------------------

    def _deals(self) -> None:
        """Group an author's works into backlist deals with a publisher (a few works per deal)."""
        rng = self.rng
        by_author: dict[int, list[int]] = {}
        for i in range(self.n):
            authors = self.w_authors[i]
            if (
                len(authors) == 1
                and not self.w_owners[i]
                and self.w_source[i] < 0
                and rng.random() < 0.7
            ):
                by_author.setdefault(authors[0], []).append(i)
        self.deal_of: dict[int, tuple[int, ...]] = {}
        self.deal_terms: dict[tuple[int, ...], tuple[str, int, int, int, tuple[int, ...], int]] = {}
        home: dict[int, int] = {}
        for author, works in by_author.items():
            works.sort(key=lambda w: self.w_created[w])
            died = self.p_died[author]
            group: list[int] = []
            groups: list[list[int]] = []
            for w in works:
                if group and (
                    len(group) >= 4 or self.w_created[w] - self.w_created[group[0]] > 2 * _YEAR
                ):
                    groups.append(group)
                    group = []
                group.append(w)
            if group:
                groups.append(group)
            for g in groups:
                start = self.w_created[g[-1]] + rng.randrange(30, 300)
                signed = start - rng.randrange(0, 45)
                if start > HORIZON or (died and signed >= died - 30):
                    continue
                if author not in home or rng.random() < 0.2:
                    home[author] = self._pick(self.publishers, self.publisher_cum)
                publisher = home[author]
                roll = rng.random()
                category = self.w_category[g[0]]
                if roll < 0.25 or category == "musical":
                    bundles: tuple[int, ...] = _ALL_BUNDLES
                elif roll < 0.45:
                    bundles = (_PRINT, _ONLINE, _DERIV)
                else:
                    bundles = (_PRINT, _ONLINE)
                end = 0
                if not died and rng.random() < 0.12:
                    end = start + rng.randrange(5 * _YEAR, 15 * _YEAR)
                self.agreements += 1
                key = f"A{self.agreements:0{self.width}d}"
                terms = (key, start, signed, end, bundles, publisher)
                deal = tuple(g)
                self.deal_terms[deal] = terms
                for w in g:
                    self.deal_of[w] = deal

    # -- agreements ----------------------------------------------------------------

    def _key(self) -> str:
        self.agreements += 1
        return f"A{self.agreements:0{self.width}d}"

    def _row(
        self,
        state: _WorkState,
        key: str,
        kind: str,
        grantors: Sequence[int],
        grantees: Sequence[int],
        works: Sequence[str],
        rights: str,
        territory: str,
        start: int,
        end: int = _NEVER,
        signed: int = 0,
        written: str = "",
        sublicensable: str = "",
        parent: str = "",
        registration: str = "",
    ) -> list[str]:
        keys = self.p_key
        document = f"contracts/{key}.pdf" if kind != "non_exclusive_licence" else ""
        row = [
            key,
            kind,
            ";".join(keys[p] for p in grantors),
            ";".join(keys[p] for p in grantees),
            ";".join(works),
            rights,
            territory,
            _iso(start),
            _iso(end) if end != _NEVER else "",
            _iso(signed) if signed and signed != start else "",
            written,
            sublicensable,
            parent,
            registration,
            document,
        ]
        state.rows.append(row)
        return row

    @staticmethod
    def _rights_of(bundles: Sequence[int]) -> str:
        if tuple(bundles) == _ALL_BUNDLES:
            return "economic"
        return ";".join(c for b in bundles for c in BUNDLES[b])

    def _transfers(self, st: _WorkState) -> None:
        """Deals, joint assignments, acquisitions and successions, in the order of their days."""
        rng = self.rng
        i = st.index
        deal = self.deal_of.get(i)
        if deal is not None:
            key, start, signed, end, bundles, publisher = self.deal_terms[deal]
            if deal[0] == i:
                rights = self._rights_of(bundles)
                self._row(
                    st,
                    key,
                    "assignment",
                    st.initial,
                    (publisher,),
                    [self.w_key[w] for w in deal],
                    rights,
                    "WORLD",
                    start,
                    end or _NEVER,
                    signed,
                    "true",
                )
            for b in bundles:
                # a term deal caps the publisher's title; the day after, the author holds again
                st.periods[b].append((start, end or _NEVER, (publisher,), bool(end)))
                st.last_start[b] = max(st.last_start[b], start)
        elif len(st.initial) > 1 and not st.owners and rng.random() < 0.6:
            deaths = [self.p_died[a] for a in st.initial if self.p_died[a]]
            start = st.created + rng.randrange(60, 500)
            if start <= HORIZON and (not deaths or start < min(deaths) - 60):
                publisher = self._pick(self.publishers, self.publisher_cum)
                bundles = (_PRINT, _ONLINE) if rng.random() < 0.6 else _ALL_BUNDLES
                self._row(
                    st,
                    self._key(),
                    "assignment",
                    st.initial,
                    (publisher,),
                    [st.key],
                    self._rights_of(bundles),
                    "WORLD",
                    start,
                    written="true",
                )
                for b in bundles:
                    st.periods[b].append((start, _NEVER, (publisher,), False))
                    st.last_start[b] = max(st.last_start[b], start)
        # an owner organization sells the work on (it touches no bundle a person holds)
        if rng.random() < 0.08:
            self._acquisition(st)
        # the estates of the owners who died, settled in the order of the settlements
        holders: dict[int, None] = {}
        for b in _ALL_BUNDLES:
            for _, _, owners, _ in st.periods[b]:
                holders.update((p, None) for p in owners if self.p_died[p])
        settled = sorted((self.p_died[p] + rng.randrange(60, 700), p) for p in holders)
        for day, person in settled:
            if day <= HORIZON:
                self._succession(st, person, day)

    def _acquisition(self, st: _WorkState) -> None:
        rng = self.rng
        b = _PRINT
        start, _, owners, capped = st.periods[b][-1]
        if capped or len(owners) != 1 or not self.p_org[owners[0]]:
            return
        day = max(start, st.created) + rng.randrange(_YEAR, 15 * _YEAR)
        if day > TODAY or day >= st.expires:
            return
        buyer = self._pick(self.publishers, self.publisher_cum)
        if buyer == owners[0]:
            return
        bundles = [
            x
            for x in _ALL_BUNDLES
            if st.periods[x][-1][2] == owners
            and not st.periods[x][-1][3]
            and st.periods[x][-1][0] < day
        ]
        self._row(
            st,
            self._key(),
            "assignment",
            owners,
            (buyer,),
            [st.key],
            self._rights_of(bundles),
            "WORLD",
            day,
            signed=day - rng.randrange(0, 30),
            written="true",
        )
        for x in bundles:
            st.periods[x].append((day, _NEVER, (buyer,), False))
            st.last_start[x] = max(st.last_start[x], day)

    def _succession(self, st: _WorkState, person: int, day: int) -> None:
        """The heirs of ``person`` take over what the person still held, on ``day``."""
        rng = self.rng
        held = [b for b in _ALL_BUNDLES if person in st.owners_at(b, day)[0]]
        if not held:
            return
        heirs: Owners = (self._heir(person),)
        if rng.random() < 0.3:
            heirs += (self._heir(person),)
        self._row(
            st,
            self._key(),
            "succession",
            (person,),
            heirs,
            [st.key],
            self._rights_of(held),
            "WORLD",
            day,
        )
        for b in held:
            owners, _ = st.owners_at(b, day)
            new = tuple(p for p in owners if p != person) + heirs
            st.periods[b].append((day, _NEVER, new, False))
            st.last_start[b] = max(st.last_start[b], day)

    # -- licences -----------------------------------------------------------------

    def _free(
        self, st: _WorkState, rights: int, territory: int, start: int, end: int, exclusive: bool
    ) -> bool:
        """Whether a licence would overlap no licence it may not overlap."""
        for lic in st.licences:
            if (
                (exclusive or lic.exclusive)
                and lic.rights & rights
                and start <= lic.end
                and lic.start <= end
                and _territories_overlap(lic.territory, territory)
            ):
                return False
        return True

    @staticmethod
    def _settled(st: _WorkState, bundle: int, day: int) -> bool:
        """No transfer of the bundle takes effect on ``day`` (whose order would hang on dates)."""
        return all(p[0] != day for p in st.periods[bundle])

    def _pledged(self, st: _WorkState, bundle: int, day: int, grantors: Owners) -> bool:
        return any(
            b == bundle and s <= day <= e and set(who) & set(grantors)
            for b, s, e, who in st.pledges
        )

    def _bundle(self, st: _WorkState) -> int:
        bundles, cum = _USES_CUM.get(st.category, _DEFAULT_USES_CUM)
        return bundles[bisect_right(cum, self.rng.random() * cum[-1])]

    def _window(self, st: _WorkState, lo: int = 0) -> tuple[int, int] | None:
        """A start day (most agreements are recent) and a length in days."""
        rng = self.rng
        lo = max(lo, st.created + 30)
        hi = min(HORIZON, st.expires - 2 * _YEAR)
        if hi <= lo:
            return None
        start = hi - int((hi - lo) * rng.random() ** 1.8)
        return start, rng.randrange(_YEAR, 8 * _YEAR)

    def _licence(
        self,
        st: _WorkState,
        kind: str | None = None,
        *,
        bundle: int | None = None,
        sublicensable: bool | None = None,
        tries: int = 4,
        lo: int = 0,
        hi: int = _NEVER,
        at: int | None = None,
        mind_pledges: bool = True,
    ) -> _Licence | None:
        """A licence from the owners that raises no conflict; ``None`` when none fits.

        ``at`` fixes its start; ``mind_pledges=False`` lets it deal with a pledged bundle.
        """
        rng = self.rng
        for _ in range(tries):
            b = self._bundle(st) if bundle is None else bundle
            window = self._window(st, lo)
            if window is None:
                return None
            start, length = window
            if at is not None:
                start = at
            elif start > hi:
                start = hi
            if start < st.created + 30:
                continue
            owners, cap = st.owners_at(b, start)
            signed = start - rng.randrange(0, 60)
            if (
                not owners
                or signed < st.created
                or not self._all_alive(owners, signed)
                or not self._settled(st, b, start)
            ):
                continue
            if kind is None:
                roll = rng.random()
                k = (
                    "exclusive_licence"
                    if roll < 0.3
                    else "sole_licence"
                    if roll < 0.4
                    else ("non_exclusive_licence")
                )
            else:
                k = kind
            exclusive = k != "non_exclusive_licence"
            end = min(start + length, cap, st.expires)
            if not exclusive and rng.random() < 0.08 and cap == _NEVER and st.expires != _NEVER:
                end = _NEVER  # for the rest of the term
            if end < start + 30:
                continue
            pick = rng.randrange(len(_LICENSED[b]))
            choice, rights = _LICENSED[b][pick], _LICENSED_MASK[b][pick]
            territory = bisect_right(_TERRITORY_CUM, rng.random() * _TERRITORY_CUM[-1])
            if not self._free(st, rights, territory, start, end, exclusive) or (
                mind_pledges and self._pledged(st, b, start, owners)
            ):
                continue
            licensee = rng.choice(self.licensees)
            sub = sublicensable if sublicensable is not None else (exclusive and rng.random() < 0.3)
            key = self._key()
            self._row(
                st,
                key,
                k,
                owners,
                (licensee,),
                [st.key],
                ";".join(choice),
                _TERRITORIES[territory][0],
                start,
                end,
                signed,
                "true" if exclusive or rng.random() < 0.5 else "",
                "true" if sub else ("false" if exclusive else ""),
            )
            lic = _Licence(
                key, rights, territory, start, end, exclusive, owners, licensee, sub, False, b
            )
            st.licences.append(lic)
            st.last_start[b] = max(st.last_start[b], start)
            return lic
        return None

    def _sublicence(self, st: _WorkState, parent: _Licence, *, beyond: bool = False) -> int:
        """A non-exclusive sublicence under ``parent``; ``beyond`` runs it past the parent.

        Returns its start day, 0 when none fits.
        """
        rng = self.rng
        last = min(parent.end, TODAY + _YEAR, st.expires)
        if last - parent.start < 90:
            return 0
        start = parent.start + rng.randrange(30, last - parent.start - 30 + 1)
        if beyond:
            if parent.end == _NEVER or parent.end + 2 * _YEAR > st.expires:
                return 0
            end = parent.end + rng.randrange(180, 2 * _YEAR)
        else:
            end = min(parent.end, start + rng.randrange(_YEAR, 4 * _YEAR), st.expires)
        grantee = rng.choice(self.licensees)
        if grantee == parent.grantee:
            return 0
        bits = [c for c in _BIT if _BIT[c] & parent.rights]
        key = self._key()
        self._row(
            st,
            key,
            "non_exclusive_licence",
            (parent.grantee,),
            (grantee,),
            [st.key],
            ";".join(bits),
            _TERRITORIES[parent.territory][0],
            start,
            end,
            parent=parent.key,
        )
        st.licences.append(
            _Licence(
                key,
                parent.rights,
                parent.territory,
                start,
                end,
                False,
                (parent.grantee,),
                grantee,
                False,
                True,
                parent.bundle,
            )
        )
        return start

    def _termination(self, st: _WorkState, lic: _Licence, after: int = 0) -> None:
        """The licence ends early, after the start of every sublicence granted under it."""
        rng = self.rng
        first = max(lic.start + _YEAR + 200, after + 30)
        last = min(lic.end, HORIZON)
        if last < first:
            return
        day = rng.randrange(first, last + 1)
        self._row(st, self._key(), "termination", (), (), (), "", "", day, parent=lic.key)

    def _pledge(self, st: _WorkState, *, registered: bool = True) -> Pledge | None:
        """A pledge by all the owners of a bundle, after every other dealing with it."""
        rng = self.rng
        for b in (_PRINT, _ONLINE, _STAGE, _DERIV):
            if not st.periods[b] or any(p[0] == b for p in st.pledges):
                continue
            start = max(st.last_start[b], st.created) + rng.randrange(60, 3 * _YEAR)
            if start > HORIZON or start > st.expires - 3 * _YEAR:
                continue
            owners, cap = st.owners_at(b, start)
            signed = start - rng.randrange(0, 20)
            if not owners or not self._all_alive(owners, signed) or not self._settled(st, b, start):
                continue
            end = min(start + rng.randrange(2 * _YEAR, 5 * _YEAR), cap, st.expires)
            if end < start + _YEAR:
                continue
            bank = rng.choice(self.banks)
            registration = ""
            if registered:
                self.registrations += 1
                registration = f"{date.fromordinal(start).year}-Z-{self.registrations:06d}"
            self._row(
                st,
                self._key(),
                "pledge",
                owners,
                (bank,),
                [st.key],
                self._rights_of([b]),
                "WORLD",
                start,
                end,
                signed,
                "true",
                registration=registration,
            )
            pledge = (b, start, end, owners)
            if registered:
                st.pledges.append(pledge)
            st.last_start[b] = max(st.last_start[b], start)
            return pledge
        return None

    @staticmethod
    def _needs_licence(st: _WorkState, source: _WorkState) -> bool:
        """Whether the derivative needs a licence: its source is protected and not its makers'."""
        if source.expires < st.created:
            return False
        owners, _ = source.owners_at(_DERIV, st.created)
        return not set(owners) & (set(st.owners) | set(st.authors))

    def _upstream(self, st: _WorkState, source: _WorkState) -> bool:
        """The licence a derivative needs from its source's owners, in force on its creation."""
        if not self._needs_licence(st, source):
            return True
        right = _DERIVATION_RIGHT[self.w_derivation[st.index]]
        makers = st.initial
        rng = self.rng
        for _ in range(6):
            start = st.created - rng.randrange(30, 3 * _YEAR)
            start = max(start, source.created + 30)
            if start > st.created:
                return False
            grantors, cap = source.owners_at(_DERIV, start)
            signed = start - rng.randrange(0, 30)
            end = min(start + rng.randrange(3 * _YEAR, 10 * _YEAR), cap, source.expires)
            if (
                not grantors
                or end < st.created
                or not self._all_alive(grantors, signed)
                or not self._settled(source, _DERIV, start)
            ):
                continue
            exclusive = rng.random() < 0.5
            territory = rng.choice((0, 1, _WORLD))
            bit = _BIT[right]
            if not self._free(source, bit, territory, start, end, exclusive) or self._pledged(
                source, _DERIV, start, grantors
            ):
                continue
            key = self._key()
            kind = "exclusive_licence" if exclusive else "non_exclusive_licence"
            self._row(
                st,
                key,
                kind,
                grantors,
                (makers[0],),
                [source.key],
                right,
                _TERRITORIES[territory][0],
                start,
                end,
                signed,
                "true",
                "false" if exclusive else "",
            )
            source.licences.append(
                _Licence(
                    key,
                    bit,
                    territory,
                    start,
                    end,
                    exclusive,
                    grantors,
                    makers[0],
                    False,
                    False,
                    _DERIV,
                )
            )
            return True
        return False

    # -- defects ----------------------------------------------------------------------

    def _defect(self, st: _WorkState, code: str) -> bool:
        rng = self.rng
        if code == "NON_OWNER_GRANT":
            window = self._window(st)
            if window is None:
                return False
            start, length = window
            stranger = rng.choice(self.licensees)
            b = self._bundle(st)
            if any(stranger in o for _, _, o, _ in st.periods[b]) or any(
                lic.grantee == stranger for lic in st.licences
            ):
                return False
            self._row(
                st,
                self._key(),
                "non_exclusive_licence",
                (stranger,),
                (rng.choice(self.licensees),),
                [st.key],
                _LICENSED[b][0][0],
                "CN",
                start,
                min(start + length, st.expires),
            )
            return True
        if code == "CO_OWNER_CONSENT_MISSING":
            for b in _ALL_BUNDLES:
                for first, last, owners, _ in st.periods[b]:
                    if len(owners) < 2:
                        continue
                    start = max(first, st.created) + rng.randrange(30, 400)
                    if start > min(last, HORIZON, st.expires - _YEAR):
                        continue
                    if st.owners_at(b, start)[0] != owners:
                        continue
                    alone = owners[0]
                    if not self._alive(alone, start - 1):
                        continue
                    self._row(
                        st,
                        self._key(),
                        "exclusive_licence",
                        (alone,),
                        (rng.choice(self.licensees),),
                        [st.key],
                        BUNDLES[b][0],
                        "CN",
                        start,
                        min(start + 3 * _YEAR, st.expires),
                        written="true",
                    )
                    return True
            return False
        if code == "EXCEEDS_GRANTOR_TITLE":
            parent = self._licence(
                st, "non_exclusive_licence", sublicensable=True, tries=8, hi=TODAY - 4 * _YEAR
            )
            if parent is None:
                return False
            return self._sublicence(st, parent, beyond=True) > 0
        if code in ("OVERLAPPING_EXCLUSIVE", "NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE"):
            base = self._licence(st, "exclusive_licence", sublicensable=False, tries=8)
            if base is None:
                return False
            start = base.start + rng.randrange(1, 120)
            owners, cap = st.owners_at(base.bundle, start)
            if (
                start >= base.end
                or not owners
                or not self._all_alive(owners, start)
                or not self._settled(st, base.bundle, start)
                or self._pledged(st, base.bundle, start, owners)
            ):
                return False
            kind = (
                "exclusive_licence" if code == "OVERLAPPING_EXCLUSIVE" else "non_exclusive_licence"
            )
            end = min(start + 2 * _YEAR, cap, st.expires)
            bits = ";".join(c for c in _BIT if _BIT[c] & base.rights)
            self._row(
                st,
                self._key(),
                kind,
                owners,
                (rng.choice(self.licensees),),
                [st.key],
                bits,
                _TERRITORIES[base.territory][0],
                start,
                end,
                written="true",
            )
            return True
        if code == "SUBLICENCE_NOT_PERMITTED":
            parent = self._licence(
                st, "non_exclusive_licence", sublicensable=False, tries=8, hi=TODAY
            )
            if parent is None or any(
                lic.grantee == parent.grantee and lic.sublicensable for lic in st.licences
            ):
                return False
            return self._sublicence(st, parent) > 0
        if code == "MORAL_RIGHT_TRANSFER":
            for row in st.rows:
                if (
                    row[1] in ("assignment", "exclusive_licence", "non_exclusive_licence")
                    and row[5]
                ):
                    row[5] += ";attribution" if row[1] == "assignment" else ";integrity"
                    return True
            return False
        if code == "UNWRITTEN_CONTRACT":
            for row in st.rows:
                if row[1] in ("exclusive_licence", "sole_licence", "pledge") or (
                    row[1] == "assignment" and row[4] == st.key
                ):
                    row[10] = "false"
                    row[14] = ""
                    return True
            return False
        if code == "BEYOND_TERM":
            if st.expires >= HORIZON - _YEAR:
                return False
            start = st.expires + rng.randrange(30, min(3 * _YEAR, HORIZON - st.expires))
            self._row(
                st,
                self._key(),
                "non_exclusive_licence",
                (rng.choice(self.licensees),),
                (rng.choice(self.licensees),),
                [st.key],
                "reproduction",
                "CN",
                start,
                start + 3 * _YEAR,
            )
            return True
        if code == "DERIVATIVE_WITHOUT_LICENCE":
            return False  # planted when the derivative work is made (see _work_agreements)
        if code == "UNREGISTERED_PLEDGE":
            return self._pledge(st, registered=False) is not None
        if code == "DEALING_UNDER_PLEDGE":
            pledge = self._pledge(st)
            if pledge is None:
                return False
            b, start, end, _ = pledge
            at = start + rng.randrange(1, min(end - start, _YEAR))
            lic = self._licence(
                st, "non_exclusive_licence", bundle=b, at=at, tries=6, mind_pledges=False
            )
            return lic is not None
        raise AssertionError(code)  # pragma: no cover

    # -- one work -----------------------------------------------------------------------

    def _work_agreements(self, i: int, window: dict[int, _WorkState]) -> _WorkState:
        rng = self.rng
        owners = self.w_owners[i] or self.w_authors[i]
        created = self.w_created[i]
        st = _WorkState(
            i,
            self.w_key[i],
            self.w_category[i],
            created,
            self._expires(i),
            [[(created, _NEVER, owners, False)] for _ in _ALL_BUNDLES],
            owners=self.w_owners[i],
            authors=self.w_authors[i],
        )
        self._transfers(st)
        source = self.w_source[i]
        if source >= 0:
            if self.owed["DERIVATIVE_WITHOUT_LICENCE"] and self._needs_licence(st, window[source]):
                self.owed["DERIVATIVE_WITHOUT_LICENCE"] -= 1
                self.planted["DERIVATIVE_WITHOUT_LICENCE"] += 1
            elif not self._upstream(st, window[source]):
                self.w_source[i] = -1  # nothing fits: the work is not a derivative after all
                self.w_derivation[i] = ""
        hit = rng.random() < 0.02
        count = int(rng.expovariate(1 / 4.0)) + (rng.randrange(10, 30) if hit else 0)
        for _ in range(count):
            lic = self._licence(st)
            if lic is None:
                continue
            subs = 0
            if lic.sublicensable and rng.random() < 0.6:
                for _ in range(rng.choice((1, 1, 2))):
                    subs = max(subs, self._sublicence(st, lic))
            if rng.random() < 0.05:
                self._termination(st, lic, after=subs)
        if rng.random() < 0.05:
            self._pledge(st)
        if self.rate and rng.random() < self.rate:
            self.owed[DEFECT_CODES[rng.randrange(len(DEFECT_CODES))]] += 1
        for code in DEFECT_CODES:
            if self.owed[code] and code != "DERIVATIVE_WITHOUT_LICENCE" and self._defect(st, code):
                self.owed[code] -= 1
                self.planted[code] += 1
                break
        return st

    # -- output -----------------------------------------------------------------------

    def run(self, out: Path) -> GenerateStats:
        began = time.perf_counter()
        self._people()
        self._works()
        self._deals()
        out.mkdir(parents=True, exist_ok=True)
        window: dict[int, _WorkState] = {}
        keep = 4000
        with (out / "agreements.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADERS["agreements"])
            rows = 0
            for i in range(self.n):
                st = self._work_agreements(i, window)
                window[i] = st
                window.pop(i - keep, None)
                writer.writerows(st.rows)
                rows += len(st.rows)
                st.rows = []
        contributions = self._write_works(out)
        self._write_parties(out)
        return GenerateStats(
            self.n,
            len(self.p_key),
            rows,
            contributions,
            dict(self.planted),
            time.perf_counter() - began,
        )

    def _write_works(self, out: Path) -> int:
        count = 0
        with (out / "works.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADERS["works"])
            for i in range(self.n):
                source = self.w_source[i]
                published = self.w_published[i]
                writer.writerow(
                    [
                        self.w_key[i],
                        self.w_title[i],
                        self.w_category[i],
                        _iso(self.w_created[i]),
                        _iso(published) if published else "",
                        self.w_authorship[i],
                        self.w_key[source] if source >= 0 else "",
                        self.w_derivation[i],
                    ]
                )
        with (out / "contributions.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADERS["contributions"])
            keys = self.p_key
            for i in range(self.n):
                for p in self.w_authors[i]:
                    writer.writerow([self.w_key[i], keys[p], "author"])
                for p in self.w_owners[i]:
                    writer.writerow([self.w_key[i], keys[p], "owner"])
                count += len(self.w_authors[i]) + len(self.w_owners[i])
        return count

    def _write_parties(self, out: Path) -> None:
        with (out / "parties.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADERS["parties"])
            for n, key in enumerate(self.p_key):
                org = self.p_org[n]
                writer.writerow(
                    [
                        key,
                        self.p_name[n],
                        "organization" if org else "person",
                        "" if org else _iso(self.p_born[n]),
                        _iso(self.p_died[n]) if self.p_died[n] else "",
                        self.p_country[n],
                    ]
                )


def generate(out: Path, works: int, seed: int = 0, defects: float = 0.05) -> GenerateStats:
    """Write a ledger of ``works`` works to the folder ``out`` (created if needed).

    Deterministic for ``(works, seed, defects)``. ``defects`` is the share of
    works that get a planted defect, spread evenly over the twelve conflict codes.
    """
    if works < 1:
        raise ValueError("works must be at least 1")
    if not 0 <= defects <= 1:
        raise ValueError("defects must be a rate between 0 and 1")
    return _Generator(works, seed, defects).run(out)
