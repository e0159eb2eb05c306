"""``/api/tokens`` (admin): list, create and revoke access tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from cams_graph.errors import UnknownTermError

from ..deps import AdminToken, TokensDep
from ..schemas import TokenCreate, TokenIssued, TokenPublic

__all__ = ["router"]

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenPublic], operation_id="list_tokens")
def list_tokens(tokens: TokensDep, admin: AdminToken) -> list[TokenPublic]:
    """The tokens of the token file (never their secrets)."""
    return [
        TokenPublic(id=t.id, role=t.role.value, label=t.label, created=t.created)
        for t in tokens.list_tokens()
    ]


@router.post("", response_model=TokenIssued, status_code=201, operation_id="create_token")
def create_token(tokens: TokensDep, admin: AdminToken, body: TokenCreate) -> TokenIssued:
    """Make a token; its secret is in this answer only (it is stored hashed)."""
    issued = tokens.create(body.role, body.label)
    return TokenIssued(id=issued.id, role=issued.role.value, label=issued.label, token=issued.token)


@router.delete("/{token_id}", status_code=204, operation_id="revoke_token")
def revoke_token(
    tokens: TokensDep, admin: AdminToken, token_id: Annotated[str, Path()]
) -> Response:
    """Revoke a token at once."""
    if not tokens.revoke(token_id):
        raise UnknownTermError(f"no token {token_id!r}")
    return Response(status_code=204)
