"""The dependencies routes ask for, as ``Annotated`` aliases.

* ``SettingsDep``, ``BackendDep``, ``TokensDep`` -- what the app factory made;
* ``ReadStore`` -- a consistent read-only view of the store for the request;
* ``CurrentToken`` -- the caller's token (None: anonymous, a reader);
* ``StewardToken``, ``AdminToken`` -- refuse with 401 (no or bad token) or 403
  (a token whose role is not enough) before the route runs.

Tokens come as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from cams_graph.store import Store
from cams_graph.tokens import Role, TokenInfo, TokenRegistry

from .backend import Backend
from .settings import Settings

__all__ = [
    "AdminToken",
    "BackendDep",
    "CurrentToken",
    "ReadStore",
    "SettingsDep",
    "StewardToken",
    "TokensDep",
    "authenticate",
    "require",
    "require_role",
]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def get_tokens(request: Request) -> TokenRegistry:
    tokens: TokenRegistry = request.app.state.tokens
    return tokens


SettingsDep = Annotated[Settings, Depends(get_settings)]
BackendDep = Annotated[Backend, Depends(get_backend)]
TokensDep = Annotated[TokenRegistry, Depends(get_tokens)]


def read_store(backend: BackendDep) -> Iterator[Store]:
    """The store as of the newest snapshot, held for the whole request."""
    with backend.reading() as store:
        yield store


ReadStore = Annotated[Store, Depends(read_store)]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cams-graph"'}


def authenticate(request: Request, tokens: TokenRegistry) -> TokenInfo | None:
    """The caller's token, None when anonymous; 401 for a malformed, unknown or revoked one."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise HTTPException(
            401, "use the header 'Authorization: Bearer <token>'", headers=_CHALLENGE
        )
    found = tokens.verify(credential.strip())
    if found is None:
        raise HTTPException(401, "the token is not valid (unknown or revoked)", headers=_CHALLENGE)
    return found


def current_token(request: Request, tokens: TokensDep) -> TokenInfo | None:
    return authenticate(request, tokens)


CurrentToken = Annotated[TokenInfo | None, Depends(current_token)]


def require_role(token: TokenInfo | None, needed: Role, what: str) -> TokenInfo:
    """``token`` if its role allows ``needed``; else 401 (anonymous) or 403."""
    if token is None:
        raise HTTPException(
            401, f"{what} needs a token with the {needed.value} role", headers=_CHALLENGE
        )
    if not token.role.allows(needed):
        raise HTTPException(
            403, f"{what} needs the {needed.value} role; this token is a {token.role.value}"
        )
    return token


def require(needed: Role, what: str) -> Callable[[TokenInfo | None], TokenInfo]:
    """A dependency that lets only tokens of role ``needed`` (or higher) through."""

    def check(token: CurrentToken) -> TokenInfo:
        return require_role(token, needed, what)

    return check


StewardToken = Annotated[TokenInfo, Depends(require(Role.STEWARD, "this operation"))]
AdminToken = Annotated[TokenInfo, Depends(require(Role.ADMIN, "this operation"))]
