"""The data files cams-graph loads at run time: ontology, shapes and queries.

They live at the top of the source tree (``ontology/``, ``shapes/``,
``queries/``) and are copied into the wheel as ``cams_graph/_data/…``; this
module finds them in either place, so an editable install and a built wheel
behave the same.

>>> sorted(p.name for p in ontology_files())[:1]
['cams.ttl']
>>> "SELECT" in query_text("graphs").upper()
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import UnknownTermError

__all__ = [
    "data_dir",
    "ontology_files",
    "query_names",
    "query_text",
    "shape_files",
]

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder ``ontology``, ``shapes`` or ``queries``, wherever it was installed."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cams-graph is installed without its {name}/ folder")


def ontology_files() -> list[Path]:
    """The Turtle files of the ontology and its vocabularies, in a stable order."""
    return sorted(data_dir("ontology").glob("*.ttl"))


def shape_files() -> list[Path]:
    """The Turtle files of the SHACL shapes, in a stable order."""
    return sorted(data_dir("shapes").glob("*.ttl"))


def query_names() -> list[str]:
    """The names of the shipped SPARQL queries (file names without ``.rq``)."""
    return sorted(p.stem for p in data_dir("queries").glob("*.rq"))


@cache
def query_text(name: str) -> str:
    """The text of the shipped query ``queries/<name>.rq``."""
    path = data_dir("queries") / f"{name}.rq"
    if not path.is_file():
        raise UnknownTermError(f"no shipped query named {name!r}")
    return path.read_text(encoding="utf-8")
