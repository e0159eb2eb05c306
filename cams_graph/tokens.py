"""Access tokens of the server: roles, creation, hashed storage, revocation.

Three roles, each allowed what the one before it is::

    reader    read everything (anonymous requests are readers)
    steward   import ledger and RDF files, retract batches
    admin     SPARQL Update, Graph Store writes, tokens

A token is ``cams_<id>_<secret>``: ``id`` names it (to list and revoke it),
``secret`` is 32 random bytes. The token file keeps, per token, its id, role,
label, creation time, a random salt and the SHA-256 of salt + secret; never the
secret itself (32 random bytes need no slow hash: there is nothing to guess).
The file is ``$CAMS_TOKENS``, else ``<store>.tokens.json`` beside an embedded
store, else ``tokens.json`` in the user's config folder. The environment
variable ``CAMS_ADMIN_TOKEN`` is one more admin token, for automation.

>>> import tempfile, pathlib
>>> registry = TokenRegistry(pathlib.Path(tempfile.mkdtemp()) / "tokens.json")
>>> issued = registry.create("steward", label="import robot")
>>> registry.verify(issued.token).role
<Role.STEWARD: 'steward'>
>>> registry.revoke(issued.id)
True
>>> registry.verify(issued.token) is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from platformdirs import user_config_path

from .config import is_remote
from .errors import InputError, UnknownTermError

__all__ = [
    "ENV_ADMIN_TOKEN",
    "ENV_TOKENS",
    "IssuedToken",
    "Role",
    "TokenInfo",
    "TokenRegistry",
    "tokens_path",
]

ENV_TOKENS = "CAMS_TOKENS"
"""Environment variable naming the token file."""
ENV_ADMIN_TOKEN = "CAMS_ADMIN_TOKEN"
"""Environment variable holding one more admin token."""


class Role(StrEnum):
    """What a token may do; each role includes the ones before it.

    >>> Role.ADMIN.allows(Role.STEWARD), Role.READER.allows(Role.STEWARD)
    (True, False)
    """

    READER = "reader"
    STEWARD = "steward"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class TokenInfo:
    """A token as the registry keeps it (no secret)."""

    id: str
    role: Role
    label: str
    created: str


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the only time its secret is seen."""

    id: str
    role: Role
    label: str
    token: str


def tokens_path(store_location: str, environ: Mapping[str, str] | None = None) -> Path:
    """Where the token file of a store is.

    >>> str(tokens_path("/srv/cams/store", {}))
    '/srv/cams/store.tokens.json'
    >>> str(tokens_path("/x", {"CAMS_TOKENS": "/etc/cams/tokens.json"}))
    '/etc/cams/tokens.json'
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_TOKENS):
        return Path(env[ENV_TOKENS]).expanduser()
    if is_remote(store_location) or store_location == ":memory:":
        return user_config_path("cams-graph", appauthor=False) / "tokens.json"
    store = Path(store_location).expanduser()
    return store.with_name(store.name + ".tokens.json")


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


class TokenRegistry:
    """The token file of a server: create, list, verify and revoke tokens."""

    def __init__(self, path: Path, *, admin_token: str | None = None) -> None:
        self.path = path
        self.admin_token = admin_token or None
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, dict[str, str]]] | None = None

    @classmethod
    def for_store(
        cls, store_location: str, environ: Mapping[str, str] | None = None
    ) -> TokenRegistry:
        """The registry of a store, with ``CAMS_ADMIN_TOKEN`` from the environment."""
        env = os.environ if environ is None else environ
        return cls(tokens_path(store_location, env), admin_token=env.get(ENV_ADMIN_TOKEN))

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            stamp = self.path.stat().st_mtime
        except FileNotFoundError:
            return {}
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read the token file {self.path}: {err}") from None
        found = {entry["id"]: entry for entry in data.get("tokens", [])}
        self._cache = (stamp, found)
        return found

    def _write(self, entries: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        text = json.dumps({"tokens": list(entries.values())}, indent=2) + "\n"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        temporary.replace(self.path)
        self._cache = None

    def create(self, role: str | Role, label: str = "") -> IssuedToken:
        """Make a token with ``role``; the secret is returned once and stored hashed."""
        try:
            chosen = Role(role)
        except ValueError:
            raise UnknownTermError(f"unknown role {role!r} (reader, steward or admin)") from None
        with self._lock:
            entries = dict(self._read())
            token_id = secrets.token_hex(4)
            while token_id in entries:
                token_id = secrets.token_hex(4)
            secret = secrets.token_urlsafe(32)
            salt = secrets.token_hex(16)
            entries[token_id] = {
                "id": token_id,
                "role": chosen.value,
                "label": label,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "salt": salt,
                "sha256": _digest(salt, secret),
            }
            self._write(entries)
        return IssuedToken(token_id, chosen, label, f"cams_{token_id}_{secret}")

    def list_tokens(self) -> list[TokenInfo]:
        """The tokens of the file, oldest first (not the environment's admin token)."""
        return sorted(
            (
                TokenInfo(e["id"], Role(e["role"]), e.get("label", ""), e.get("created", ""))
                for e in self._read().values()
            ),
            key=lambda t: (t.created, t.id),
        )

    def revoke(self, token_id: str) -> bool:
        """Remove a token; False when there was none with that id."""
        with self._lock:
            entries = dict(self._read())
            if entries.pop(token_id, None) is None:
                return False
            self._write(entries)
            return True

    def verify(self, token: str) -> TokenInfo | None:
        """The token's record if it is valid, else None (constant-time comparisons)."""
        if self.admin_token and hmac.compare_digest(
            token.encode("utf-8"), self.admin_token.encode("utf-8")
        ):
            return TokenInfo("env", Role.ADMIN, ENV_ADMIN_TOKEN, "")
        prefix, _, rest = token.partition("_")
        token_id, _, secret = rest.partition("_")
        if prefix != "cams" or not token_id or not secret:
            return None
        entry = self._read().get(token_id)
        if entry is None:
            return None
        if not hmac.compare_digest(_digest(entry["salt"], secret), entry["sha256"]):
            return None
        return TokenInfo(entry["id"], Role(entry["role"]), entry.get("label", ""), entry["created"])

    def as_dicts(self) -> list[dict[str, str]]:
        """The token list as JSON-ready records."""
        return [{**asdict(t), "role": t.role.value} for t in self.list_tokens()]
