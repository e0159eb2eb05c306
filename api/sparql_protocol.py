"""Reading a SPARQL 1.1 Protocol request: which operation, which text, which dataset.

The three ways of the protocol
(https://www.w3.org/TR/sparql11-protocol/#query-operation):

* ``GET /sparql?query=...`` (a query; an update by GET is refused);
* ``POST`` with ``application/x-www-form-urlencoded``: ``query=`` or ``update=``;
* ``POST`` directly with ``application/sparql-query`` or ``application/sparql-update``
  (UTF-8 only).

The dataset comes from ``default-graph-uri`` / ``named-graph-uri`` (queries)
or ``using-graph-uri`` / ``using-named-graph-uri`` (updates), in the URL or in
the form body. A request that breaks the protocol gets 400 (or 415 for a
media type that is neither), with a message that says what is wrong.

>>> parse_form_pairs(b"query=ASK%20%7B%7D&default-graph-uri=urn%3Ag")
[('query', 'ASK {}'), ('default-graph-uri', 'urn:g')]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request

__all__ = ["ProtocolRequest", "parse_form_pairs", "read_protocol_request"]

Operation = Literal["query", "update"]

_QUERY_TYPE = "application/sparql-query"
_UPDATE_TYPE = "application/sparql-update"
_FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class ProtocolRequest:
    """One protocol operation: ``None`` as ``operation`` means no query was given (GET)."""

    operation: Operation | None
    text: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def parse_form_pairs(body: bytes) -> list[tuple[str, str]]:
    """The name-value pairs of a URL-encoded body (UTF-8, ``+`` as space).

    Bodies up to 8 KB are read once: the last 1 024 are remembered (a client
    sending the same query again is the common case, and decoding its escapes
    is most of the work of reading it).
    """
    if len(body) <= 8192:
        return list(_remembered_pairs(body))
    return list(_pairs(body))


def _pairs(body: bytes) -> tuple[tuple[str, str], ...]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the form body is not UTF-8") from None
    return tuple(parse_qsl(text, keep_blank_values=True))


_remembered_pairs = functools.lru_cache(maxsize=1024)(_pairs)


def _media_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    parts = [p.strip() for p in header.split(";")]
    media = parts[0].lower()
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media, charset


def _one(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in pairs if k == name]
    if len(values) > 1:
        raise HTTPException(400, f"the request has more than one '{name}' parameter")
    return values[0] if values else None


def _decode(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise HTTPException(
            400, f"a {what} sent directly must be UTF-8 (the request says charset={charset})"
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, f"the {what} is not valid UTF-8") from None


async def read_protocol_request(request: Request) -> ProtocolRequest:
    """Read the operation of a GET or POST to the endpoint (see the module doc)."""
    url_pairs = list(request.query_params.multi_items())
    if request.method in ("GET", "HEAD"):
        if any(k == "update" for k, _ in url_pairs):
            raise HTTPException(
                400,
                "an update must be sent with POST (form field 'update' or "
                "Content-Type application/sparql-update), not GET",
            )
        query = _one(url_pairs, "query")
        return _dataset("query" if query is not None else None, query or "", url_pairs)
    media, charset = _media_type(request)
    body = await request.body()
    if media == _FORM_TYPE:
        pairs = url_pairs + parse_form_pairs(body)
        query, update = _one(pairs, "query"), _one(pairs, "update")
        if query is not None and update is not None:
            raise HTTPException(400, "the request has both a 'query' and an 'update'")
        if query is None and update is None:
            raise HTTPException(400, "the form has neither a 'query' nor an 'update' field")
        if query is not None:
            return _dataset("query", query, pairs)
        assert update is not None
        return _dataset("update", update, pairs)
    if media == _QUERY_TYPE:
        return _dataset("query", _decode(body, charset, "query"), url_pairs)
    if media == _UPDATE_TYPE:
        return _dataset("update", _decode(body, charset, "update"), url_pairs)
    if not media:
        raise HTTPException(
            400,
            "a POST needs a Content-Type: application/x-www-form-urlencoded, "
            f"{_QUERY_TYPE} or {_UPDATE_TYPE}",
        )
    raise HTTPException(
        415,
        f"unsupported Content-Type {media!r}: use application/x-www-form-urlencoded, "
        f"{_QUERY_TYPE} or {_UPDATE_TYPE}",
    )


def _dataset(
    operation: Operation | None, text: str, pairs: list[tuple[str, str]]
) -> ProtocolRequest:
    if operation == "update":
        default = tuple(v for k, v in pairs if k == "using-graph-uri")
        named = tuple(v for k, v in pairs if k == "using-named-graph-uri")
        wrong = [k for k, _ in pairs if k in ("default-graph-uri", "named-graph-uri")]
        if wrong:
            raise HTTPException(
                400,
                f"'{wrong[0]}' is for queries; an update takes using-graph-uri and "
                "using-named-graph-uri",
            )
    else:
        default = tuple(v for k, v in pairs if k == "default-graph-uri")
        named = tuple(v for k, v in pairs if k == "named-graph-uri")
    return ProtocolRequest(operation, text, default, named)
