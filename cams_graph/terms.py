"""Showing RDF terms to people: compact names with the cams-graph prefixes.

>>> from pyoxigraph import Literal, NamedNode
>>> compact(NamedNode("https://w3id.org/cams-graph/ontology#Work"))
'cams:Work'
>>> compact(NamedNode("https://example.org/x"))
'<https://example.org/x>'
>>> compact(Literal("2024-05-01", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")))
'2024-05-01'
>>> compact(Literal("河湾", language="zh"))
'河湾@zh'
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .namespaces import PREFIXES

__all__ = ["compact"]

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_PLAIN_DATATYPES = {
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/2001/XMLSchema#date",
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#boolean",
    "http://www.w3.org/2001/XMLSchema#dateTime",
}


def compact(term: NamedNode | BlankNode | Literal | Triple | None) -> str:
    """A short, readable form of an RDF term (empty for an unbound value)."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, iri in _BY_LENGTH:
            local = term.value[len(iri) :]
            if (
                term.value.startswith(iri)
                and local
                and all(c.isalnum() or c in "_-." for c in local)
            ):
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        if term.datatype.value in _PLAIN_DATATYPES:
            return term.value
        return f"{term.value}^^{compact(term.datatype)}"
    return str(term)
