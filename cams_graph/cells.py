"""Rights and territories as bit sets, so that a grant's cells are two integers.

A *cell* is one (work, right, territory). For one work, the rights a grant
covers are a 17-bit set (Art. 10, in the order of
:data:`~cams_graph.vocabularies.RIGHT_CODES`) and its territories a bit set
over the ISO 3166-1 alpha-2 countries (sorted codes, bit ``i`` for
``COUNTRY_CODES[i]``); ``WORLD`` is every bit. The engine never loops over
single cells: it splits a work's cells into the few classes that every
agreement covers whole (:func:`partition`, :func:`covered_parts`).

>>> r = rights_mask(["reproduction", "moral"])
>>> rights_codes(r)
['publication', 'attribution', 'modification', 'integrity', 'reproduction']
>>> t = territory_mask(["WORLD"], ["CN", "HK"])
>>> "CN" in territory_codes(t), len(territory_codes(t)) == len(COUNTRY_CODES) - 2
(False, True)
>>> render_territories(t, named=territory_mask(["CN", "HK", "US"]))
['WORLD', '-CN', '-HK']
>>> render_territories(territory_mask(["US", "CN"]), named=territory_mask(["CN", "US"]))
['CN', 'US']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import UnknownTermError
from .vocabularies import COUNTRY_CODES, ECONOMIC_RIGHTS, MORAL_RIGHTS, RIGHT_CODES, RIGHT_GROUPS

__all__ = [
    "ALL_RIGHTS",
    "ALL_TERRITORIES",
    "COUNTRY_CODES",
    "ECONOMIC",
    "MORAL",
    "RIGHT_BIT",
    "RIGHT_CODES",
    "bits",
    "covered_parts",
    "partition",
    "render_territories",
    "right_bit",
    "rights_codes",
    "rights_mask",
    "territory_bit",
    "territory_codes",
    "territory_mask",
]

RIGHT_BIT: dict[str, int] = {code: 1 << i for i, code in enumerate(RIGHT_CODES)}
"""Right code → its bit."""
ALL_RIGHTS = (1 << len(RIGHT_CODES)) - 1
MORAL = sum(RIGHT_BIT[c] for c in MORAL_RIGHTS)
ECONOMIC = sum(RIGHT_BIT[c] for c in ECONOMIC_RIGHTS)
_GROUP_MASK = {group: sum(RIGHT_BIT[c] for c in codes) for group, codes in RIGHT_GROUPS.items()}

_COUNTRY_BIT: dict[str, int] = {code: 1 << i for i, code in enumerate(COUNTRY_CODES)}
ALL_TERRITORIES = (1 << len(COUNTRY_CODES)) - 1


def right_bit(code: str) -> int:
    """The bit of one right code (not a group).

    >>> right_bit("publication")
    1
    """
    try:
        return RIGHT_BIT[code]
    except KeyError:
        raise UnknownTermError(f"unknown right {code!r}") from None


def territory_bit(code: str) -> int:
    """The bit of one country code (not ``WORLD``)."""
    try:
        return _COUNTRY_BIT[code]
    except KeyError:
        raise UnknownTermError(f"unknown territory {code!r}") from None


def rights_mask(codes: Iterable[str]) -> int:
    """The rights named by codes and groups (``economic``, ``moral``, ``all``)."""
    mask = 0
    for code in codes:
        group = _GROUP_MASK.get(code)
        mask |= group if group is not None else right_bit(code)
    return mask


def territory_mask(included: Iterable[str], excluded: Iterable[str] = ()) -> int:
    """The countries of ``included`` (``WORLD`` = all) without those of ``excluded``."""
    mask = 0
    for code in included:
        mask |= ALL_TERRITORIES if code == "WORLD" else territory_bit(code)
    for code in excluded:
        mask &= ~(ALL_TERRITORIES if code == "WORLD" else territory_bit(code))
    return mask


def bits(mask: int) -> Iterable[int]:
    """The indices of the set bits of ``mask``, lowest first.

    >>> list(bits(0b10110))
    [1, 2, 4]
    """
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def rights_codes(mask: int) -> list[str]:
    """The right codes of a mask, in the order of Art. 10."""
    return [RIGHT_CODES[i] for i in bits(mask)]


def territory_codes(mask: int) -> list[str]:
    """The sorted country codes of a mask."""
    return [COUNTRY_CODES[i] for i in bits(mask)]


def render_territories(mask: int, named: int) -> list[str]:
    """Territories as the conflicts output shows them.

    When ``mask`` holds a country that no agreement names (``named`` is the set
    of every country some agreement names), it can only have come through
    ``WORLD``: the answer is ``WORLD`` followed by each country left out, as
    ``-XX``. Otherwise it is the sorted country codes.
    """
    if mask & ~named & ALL_TERRITORIES:
        return ["WORLD"] + ["-" + c for c in territory_codes(ALL_TERRITORIES & ~mask)]
    return territory_codes(mask)


def partition(universe: int, masks: Iterable[int]) -> list[int]:
    """Split ``universe`` into the coarsest parts that each mask covers whole or not at all.

    >>> partition(0b1111, [0b0011, 0b0110])
    [1, 2, 4, 8]
    >>> partition(0b1111, [0b1111])
    [15]
    """
    return [part for part, _covering in covered_parts(universe, list(set(masks)))]


def covered_parts(universe: int, masks: Sequence[int]) -> list[tuple[int, int]]:
    """The parts of :func:`partition`, each with the masks that cover it.

    Each part comes with a bit set of the masks that hold it (bit ``i`` for
    ``masks[i]``), sorted by part.

    >>> [(bin(part), bin(by)) for part, by in covered_parts(0b1111, [0b0011, 0b0110, 0b0011])]
    [('0b1', '0b101'), ('0b10', '0b111'), ('0b100', '0b10'), ('0b1000', '0b0')]
    """
    holders: dict[int, int] = {}  # each distinct mask → the masks equal to it
    for i, mask in enumerate(masks):
        if mask:
            holders[mask] = holders.get(mask, 0) | 1 << i
    parts = [(universe, 0)] if universe else []
    for mask, held_by in holders.items():
        split: list[tuple[int, int]] = []
        for part, covering in parts:
            inside = part & mask
            if not inside:
                split.append((part, covering))
                continue
            split.append((inside, covering | held_by))
            if inside != part:
                split.append((part ^ inside, covering))
        parts = split
    return sorted(parts)
