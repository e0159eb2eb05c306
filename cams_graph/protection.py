"""The term of protection (Art. 23) and who holds the moral rights (Art. 11, 18).

>>> from datetime import date
>>> p1 = Party("P1", "person", died=date(1960, 7, 7))
>>> expires(Work("W1", "literary", created=date(1935, 1, 1), authors=("P1",)), {"P1": p1})
datetime.date(2010, 12, 31)
>>> film = Work("W2", "audiovisual", created=date(1979, 1, 1), first_published=date(1980, 6, 1))
>>> expires(film, {})
datetime.date(2030, 12, 31)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from .facts import Party, Work

__all__ = ["expires", "moral_holders", "term_by_publication"]


def _end_of_50th_year_after(day: date) -> date:
    return date(day.year + 50, 12, 31)


def term_by_publication(work: Work, parties: Mapping[str, Party]) -> bool:
    """Whether the term runs from publication rather than from the authors' lives.

    Audiovisual works, legal-person works, works for hire with an owner, and
    works with an organization among their authors.
    """
    if work.category == "audiovisual" or work.authorship == "legal_person":
        return True
    if work.authorship == "work_for_hire" and work.owners:
        return True
    for key in work.authors:
        author = parties.get(key)
        if author is not None and author.is_organization:
            return True
    return False


def expires(work: Work, parties: Mapping[str, Party]) -> date | None:
    """The last day of protection of the economic rights, or ``None`` when unknown."""
    if term_by_publication(work, parties):
        by_creation = _end_of_50th_year_after(work.created) if work.created else None
        if work.first_published is not None and (
            by_creation is None or work.first_published <= by_creation
        ):
            return _end_of_50th_year_after(work.first_published)
        return by_creation
    if not work.authors:
        return None
    deaths = [parties[a].died if a in parties else None for a in work.authors]
    if any(d is None for d in deaths):
        return None
    return _end_of_50th_year_after(max(d for d in deaths if d is not None))


def moral_holders(work: Work, right: str) -> tuple[str, ...]:
    """Who holds one moral right of ``work`` (moral rights never pass by agreement).

    >>> hire = Work("W", "software", authorship="work_for_hire", authors=("P1",), owners=("C",))
    >>> moral_holders(hire, "attribution"), moral_holders(hire, "integrity")
    (('P1',), ('C',))
    """
    if work.authorship == "legal_person":
        return work.initial_owners
    if work.authorship == "work_for_hire" and work.owners:
        return work.authors if right == "attribution" else work.owners
    return work.authors
