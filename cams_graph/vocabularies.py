"""The controlled vocabularies of the ledger, as plain Python tables, and the territory generator.

The vocabularies are SKOS concept schemes in ``ontology/`` (``rights.ttl``,
``vocabularies.ttl``, ``territories.ttl``); these tables hold the same codes for
code that needs them without reading a graph, and the tests check that both
agree. ``territories.ttl`` is generated from :mod:`pycountry` by
:func:`territories_turtle`; rewrite it with ``python -m cams_graph.vocabularies``
(``--check`` only tells whether it is up to date).

>>> RIGHT_CODES[:4] == MORAL_RIGHTS
True
>>> RIGHT_GROUPS["economic"][0]
'reproduction'
>>> DERIVATION_RIGHT["arrangement"]
'adaptation'
>>> CONFLICT_CODES["BEYOND_TERM"]
'warning'
>>> len(COUNTRY_CODES), "CN" in COUNTRY_CODES
(249, True)
"""

from __future__ import annotations

import argparse
import gettext
import sys
from collections.abc import Sequence
from pathlib import Path

import pycountry

from .resources import data_dir

__all__ = [
    "ASSET_CLASSES",
    "AUTHORSHIP_TYPES",
    "CONFLICT_CODES",
    "COUNTRY_CODES",
    "DERIVATION_RIGHT",
    "DERIVATION_TYPES",
    "ECONOMIC_RIGHTS",
    "MORAL_RIGHTS",
    "RIGHT_CODES",
    "RIGHT_GROUPS",
    "SEVERITIES",
    "WORK_CATEGORIES",
    "WORLD",
    "country_names",
    "main",
    "territories_path",
    "territories_turtle",
]

MORAL_RIGHTS: tuple[str, ...] = ("publication", "attribution", "modification", "integrity")
"""The moral rights of Art. 10(1)-(4), in the order of the article."""

ECONOMIC_RIGHTS: tuple[str, ...] = (
    "reproduction",
    "distribution",
    "rental",
    "exhibition",
    "performance",
    "screening",
    "broadcasting",
    "information_network",
    "filming",
    "adaptation",
    "translation",
    "compilation",
    "other_economic",
)
"""The economic rights of Art. 10(5)-(17), in the order of the article."""

RIGHT_CODES: tuple[str, ...] = MORAL_RIGHTS + ECONOMIC_RIGHTS
"""The 17 right codes of Art. 10, in the order of the article."""

RIGHT_GROUPS: dict[str, tuple[str, ...]] = {
    "economic": ECONOMIC_RIGHTS,
    "moral": MORAL_RIGHTS,
    "all": RIGHT_CODES,
}
"""Right group code → the right codes it stands for."""

WORK_CATEGORIES: tuple[str, ...] = (
    "literary",
    "oral",
    "musical",
    "dramatic",
    "quyi",
    "choreographic",
    "acrobatic",
    "fine_art",
    "architectural",
    "photographic",
    "audiovisual",
    "graphic",
    "model",
    "software",
    "other",
)
"""The work categories of Art. 3, in the order of the article."""

AUTHORSHIP_TYPES: tuple[str, ...] = ("natural", "legal_person", "work_for_hire", "commissioned")
"""How authorship and initial ownership arise (Art. 11, 18, 19); ``natural`` is the default."""

DERIVATION_RIGHT: dict[str, str] = {
    "adaptation": "adaptation",
    "translation": "translation",
    "filming": "filming",
    "compilation": "compilation",
    "arrangement": "adaptation",
}
"""Derivation type → the right of the source work it needs."""

DERIVATION_TYPES: tuple[str, ...] = tuple(DERIVATION_RIGHT)
"""The ways a work derives from another (Art. 13, 15)."""

ASSET_CLASSES: tuple[str, ...] = ("core", "general")
"""The asset classes of the asset register (GB/T 43807-2024)."""

SEVERITIES: tuple[str, ...] = ("error", "warning")
"""The severities of conflicts."""

CONFLICT_CODES: dict[str, str] = {
    "NON_OWNER_GRANT": "error",
    "CO_OWNER_CONSENT_MISSING": "error",
    "EXCEEDS_GRANTOR_TITLE": "warning",
    "OVERLAPPING_EXCLUSIVE": "error",
    "NONEXCLUSIVE_IN_EXCLUSIVE_SCOPE": "error",
    "SUBLICENCE_NOT_PERMITTED": "error",
    "MORAL_RIGHT_TRANSFER": "error",
    "UNWRITTEN_CONTRACT": "warning",
    "BEYOND_TERM": "warning",
    "DERIVATIVE_WITHOUT_LICENCE": "error",
    "UNREGISTERED_PLEDGE": "error",
    "DEALING_UNDER_PLEDGE": "warning",
}
"""Conflict code → its severity (``error`` or ``warning``)."""

WORLD = "WORLD"
"""The territory code of the whole world; every country code is narrower."""

COUNTRY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))
"""Every ISO 3166-1 alpha-2 code known to :mod:`pycountry`, sorted."""

_TERRITORY = "https://w3id.org/cams-graph/territory/"


def country_names() -> dict[str, tuple[str, str | None]]:
    """Alpha-2 code → (English name, Chinese name or ``None`` when pycountry has none).

    The Chinese names are pycountry's ``zh_CN`` translations of ISO 3166-1.

    >>> country_names()["CN"]
    ('China', '中国')
    """
    try:
        translation: gettext.NullTranslations = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"]
        )
    except OSError:
        translation = gettext.NullTranslations()
    names: dict[str, tuple[str, str | None]] = {}
    for country in pycountry.countries:
        english = str(country.name)
        chinese = translation.gettext(english)
        names[str(country.alpha_2)] = (english, chinese if chinese != english else None)
    return names


def _string(text: str) -> str:
    """A Turtle string literal (double-quoted, escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def territories_turtle() -> str:
    """The Turtle text of ``ontology/territories.ttl``: same input, same bytes.

    >>> text = territories_turtle()
    >>> text.startswith("# GENERATED")
    True
    >>> 'territory:CN a owl:NamedIndividual , cams:Territory ;' in text
    True
    """
    names = country_names()
    fallbacks = sorted(code for code, (_, chinese) in names.items() if chinese is None)
    lines = [
        "# GENERATED by `python -m cams_graph.vocabularies` from pycountry: do not edit by hand.",
        "# The territories of cams-graph as the SKOS concept scheme cams:TerritoryScheme:",
        "# every ISO 3166-1 alpha-2 country or area, and WORLD, which has them all as",
        "# narrower concepts. English names are pycountry's, Chinese names pycountry's",
        "# zh_CN translations.",
    ]
    if fallbacks:
        lines.append(
            "# No Chinese name in pycountry, the English one is used: " + ", ".join(fallbacks)
        )
    lines += [
        "",
        "@prefix cams: <https://w3id.org/cams-graph/ontology#> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        f"@prefix territory: <{_TERRITORY}> .",
        "",
        f"territory:{WORLD} a owl:NamedIndividual , cams:Territory ;",
        "    skos:inScheme cams:TerritoryScheme ;",
        "    skos:topConceptOf cams:TerritoryScheme ;",
        '    skos:prefLabel "World"@en , "全世界"@zh ;',
        '    skos:definition "The whole world: every country and area of ISO 3166-1."@en ,',
        '        "全世界：ISO 3166-1 所列的全部国家和地区。"@zh ;',
        f'    skos:notation "{WORLD}" ;',
        f'    cams:code "{WORLD}" ;',
        "    skos:narrower "
        + " ,\n        ".join(
            " , ".join(f"territory:{code}" for code in COUNTRY_CODES[i : i + 8])
            for i in range(0, len(COUNTRY_CODES), 8)
        )
        + " .",
    ]
    for code in COUNTRY_CODES:
        english, chinese = names[code]
        zh = chinese if chinese is not None else english
        lines += [
            "",
            f"territory:{code} a owl:NamedIndividual , cams:Territory ;",
            "    skos:inScheme cams:TerritoryScheme ;",
            f"    skos:broader territory:{WORLD} ;",
            f"    skos:prefLabel {_string(english)}@en , {_string(zh)}@zh ;",
            "    skos:definition "
            + _string(f"The country or area of ISO 3166-1 with the alpha-2 code {code}: {english}.")
            + "@en ,",
            "        " + _string(f"ISO 3166-1 二字母代码为 {code} 的国家或地区：{zh}。") + "@zh ;",
            f'    skos:notation "{code}" ;',
            f'    cams:code "{code}" .',
        ]
    return "\n".join(lines) + "\n"


def territories_path() -> Path:
    """Where the generated ``territories.ttl`` lives (the ``ontology/`` folder)."""
    return data_dir("ontology") / "territories.ttl"


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite ``ontology/territories.ttl``, or with ``--check`` tell whether it is up to date."""
    parser = argparse.ArgumentParser(
        prog="python -m cams_graph.vocabularies",
        description="Generate ontology/territories.ttl from pycountry.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs, write nothing"
    )
    args = parser.parse_args(argv)
    path = territories_path()
    text = territories_turtle()
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if args.check:
        if current != text:
            print(f"{path} is out of date: run python -m cams_graph.vocabularies", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    if current != text:
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path} ({len(COUNTRY_CODES)} countries and {WORLD})")
    else:
        print(f"{path} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
