"""Write a valid synthetic ledger (the four CSV files) of any size, for benchmarks and tests.

usage: python benchmarks/generate_ledger.py OUT_DIR --works N [--seed S]

Per work: about one third of a party, 1.5 contributions and half an agreement;
one work in ten is derived from an earlier one. Every row passes the shapes.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

__all__ = ["generate"]

CATEGORIES = ["literary", "musical", "fine_art", "photographic", "audiovisual", "software"]
RIGHTS = ["reproduction", "distribution", "information_network", "performance", "broadcasting"]
TERRITORIES = ["CN", "HK", "MO", "TW", "US", "GB", "WORLD", "WORLD;-CN"]
LICENCES = ["exclusive_licence", "sole_licence", "non_exclusive_licence"]


def _day(rng: random.Random, first: int, last: int) -> date:
    start = date(first, 1, 1)
    return start + timedelta(days=rng.randrange((date(last, 12, 31) - start).days))


def generate(out: Path, works: int, seed: int = 1) -> Path:
    """Write parties.csv, works.csv, contributions.csv and agreements.csv into ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_parties = max(3, works // 3)
    with (out / "parties.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["party_id", "name", "kind", "born", "died", "country"])
        for i in range(n_parties):
            if i % 4 == 3:
                w.writerow([f"P{i}", f"出版社 {i}", "organization", "", "", "CN"])
            else:
                w.writerow([f"P{i}", f"Author {i}", "person", _day(rng, 1940, 1980), "", "CN"])
    authors: list[str] = []
    with (
        (out / "works.csv").open("w", newline="", encoding="utf-8") as f,
        (out / "contributions.csv").open("w", newline="", encoding="utf-8") as g,
    ):
        w, c = csv.writer(f), csv.writer(g)
        w.writerow(
            [
                "work_id",
                "title",
                "category",
                "created",
                "first_published",
                "authorship",
                "derived_from",
                "derivation",
            ]
        )
        c.writerow(["work_id", "party_id", "role"])
        for i in range(works):
            created = date(1990, 1, 1) + timedelta(days=i * 9000 // works)
            published = created + timedelta(days=rng.randrange(400))
            derived = ["", ""]
            if i > 10 and i % 10 == 0:
                derived = [f"W{rng.randrange(i - 10)}", "adaptation"]
            w.writerow(
                [
                    f"W{i}",
                    f"Work {i}, “{i % 97}”",
                    rng.choice(CATEGORIES),
                    created,
                    published,
                    "natural",
                    *derived,
                ]
            )
            author = f"P{rng.randrange(n_parties)}"
            while author[1:].isdigit() and int(author[1:]) % 4 == 3:
                author = f"P{rng.randrange(n_parties)}"
            authors.append(author)
            c.writerow([f"W{i}", author, "author"])
            if i % 2 == 0:
                c.writerow([f"W{i}", f"P{(int(author[1:]) + 1) % n_parties}", "author"])
    with (out / "agreements.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "agreement_id",
                "type",
                "grantors",
                "grantees",
                "works",
                "rights",
                "territories",
                "start",
                "end",
                "signed",
                "written",
                "sublicensable",
                "parent",
                "registration",
                "document",
            ]
        )
        for i in range(works // 2):
            work = rng.randrange(works)
            kind = "assignment" if i % 5 == 0 else rng.choice(LICENCES)
            start = _day(rng, 2016, 2022)
            end = start + timedelta(days=365 * rng.randint(1, 8))
            rights = ";".join(sorted(rng.sample(RIGHTS, rng.randint(1, 3))))
            w.writerow(
                [
                    f"A{i}",
                    kind,
                    authors[work],
                    f"P{rng.randrange(n_parties)}",
                    f"W{work}",
                    rights,
                    rng.choice(TERRITORIES),
                    start,
                    end,
                    "",
                    "true",
                    "" if kind == "assignment" else "false",
                    "",
                    "",
                    f"contracts/A{i}.pdf",
                ]
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--works", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.works, args.seed)


if __name__ == "__main__":
    main()
