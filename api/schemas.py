"""Request and response schemas of the REST API (``ThingPublic``, ``ThingCreate``).

The title, conflict and avails shapes are exactly those of ``title.md``; the
import report is the one of ``docs/import-report.schema.json``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AgreementPublic",
    "AvailsPublic",
    "AvailsWindow",
    "BatchFile",
    "BatchPublic",
    "ChainEvent",
    "ConflictPublic",
    "EntityCounts",
    "HealthPublic",
    "ImportProblem",
    "ImportReportPublic",
    "ImportSummary",
    "LicencePublic",
    "PartyRef",
    "RetractPublic",
    "TitlePublic",
    "TokenCreate",
    "TokenIssued",
    "TokenPublic",
    "WorkPage",
    "WorkPublic",
    "WorkSummary",
]

_CONFLICT_EXAMPLE: dict[str, Any] = {
    "code": "NON_OWNER_GRANT",
    "severity": "error",
    "agreement": "A-005",
    "related": [],
    "works": ["W-NOVEL"],
    "rights": ["information_network"],
    "territories": ["CN", "HK"],
    "start": "2016-01-01",
    "end": "2021-12-31",
    "message": "P-LIN granted information_network of W-NOVEL in CN, HK by A-005 on 2016-01-01 "
    "but no longer owned it: it had passed to P-SRP by the assignment A-001 on 2006-01-01",
}


class ConflictPublic(BaseModel):
    """One defect of a chain of title (``title.md``, *What the answers look like*)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CONFLICT_EXAMPLE]})

    code: str = Field(description="One of the twelve conflict codes.")
    severity: Literal["error", "warning"]
    agreement: str | None = Field(description="The agreement it is reported on (null: none).")
    related: list[str] = Field(description="The other agreement of a pair, sorted keys.")
    works: list[str]
    rights: list[str]
    territories: list[str] = Field(description="Country codes, or WORLD then -XX exclusions.")
    start: str | None = Field(description="The agreement's own start day.")
    end: str | None = Field(description="The agreement's own end day (null: open).")
    message: str = Field(description="One sentence a lawyer can read.")


class LicencePublic(BaseModel):
    """An effective licence in force on the cell that day, with its period in force."""

    agreement: str
    type: str
    grantors: list[str]
    grantees: list[str]
    start: str
    end: str | None
    parent: str | None = Field(description="The licence it was judged under as a sublicence.")


class ChainEvent(BaseModel):
    """How the owners got the cell: creation, assignment, succession or reversion."""

    model_config = ConfigDict(populate_by_name=True)

    event: str
    agreement: str | None
    from_: list[str] = Field(alias="from")
    to: list[str]
    date: str | None


class TitlePublic(BaseModel):
    """The chain of title of (work, right, territory) on a day."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "work": "W-NOVEL",
                    "right": "information_network",
                    "territory": "CN",
                    "at": "2020-01-01",
                    "status": "protected",
                    "expires": None,
                    "owners": ["P-SRP"],
                    "licences": [
                        {
                            "agreement": "A-004",
                            "type": "non_exclusive_licence",
                            "grantors": ["P-SRP"],
                            "grantees": ["P-STREAM"],
                            "start": "2015-01-01",
                            "end": "2020-12-31",
                            "parent": None,
                        }
                    ],
                    "chain": [
                        {
                            "event": "creation",
                            "agreement": None,
                            "from": [],
                            "to": ["P-LIN"],
                            "date": "2005-03-01",
                        },
                        {
                            "event": "assignment",
                            "agreement": "A-001",
                            "from": ["P-LIN"],
                            "to": ["P-SRP"],
                            "date": "2006-01-01",
                        },
                    ],
                    "conflicts": [_CONFLICT_EXAMPLE],
                }
            ]
        }
    )

    work: str
    right: str
    territory: str
    at: str
    status: Literal["protected", "public_domain", "not_created"]
    expires: str | None
    owners: list[str]
    licences: list[LicencePublic]
    chain: list[ChainEvent]
    conflicts: list[ConflictPublic]


class AvailsWindow(BaseModel):
    """Days on which an exclusive licence could be granted by ``owners`` without conflict."""

    start: str
    end: str
    owners: list[str]


class AvailsPublic(BaseModel):
    """When an exclusive licence of a cell could still be granted."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "work": "W-FILM",
                    "right": "information_network",
                    "territory": "CN",
                    "from": "2015-01-01",
                    "to": "2030-12-31",
                    "windows": [{"start": "2019-12-31", "end": "2030-12-31", "owners": ["P-RLP"]}],
                }
            ]
        },
    )

    work: str
    right: str
    territory: str
    from_: str = Field(alias="from")
    to: str
    windows: list[AvailsWindow]


class PartyRef(BaseModel):
    """A party named by its key, with its display name."""

    key: str
    name: str | None = None
    kind: str | None = None


class AgreementPublic(BaseModel):
    """One agreement of the ledger, as stored."""

    key: str
    type: str
    grantors: list[str]
    grantees: list[str]
    works: list[str]
    rights: list[str]
    territories: list[str]
    start: str | None
    end: str | None
    signed: str | None
    written: bool
    sublicensable: bool | None
    parent: str | None
    registration: str | None
    document: str | None = Field(description="Reference to the contract or evidence.")


class WorkSummary(BaseModel):
    """A work in a search result."""

    key: str
    title: str | None
    category: str | None
    created: str | None
    errors: int = Field(0, description="Conflicts of severity error that name the work.")
    warnings: int = Field(0, description="Conflicts of severity warning that name the work.")


class WorkPage(BaseModel):
    """One page of a work search."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "river",
                    "total": 1,
                    "limit": 20,
                    "offset": 0,
                    "items": [
                        {
                            "key": "W-NOVEL",
                            "title": "The River Bend (河湾)",
                            "category": "literary",
                            "created": "2005-03-01",
                            "errors": 3,
                            "warnings": 1,
                        }
                    ],
                }
            ]
        }
    )

    query: str | None
    total: int
    limit: int
    offset: int
    items: list[WorkSummary]


class WorkPublic(BaseModel):
    """A work with its parties, its agreements and the conflicts that name it."""

    key: str
    title: str | None
    category: str | None
    created: str | None
    first_published: str | None
    authorship: str | None
    derived_from: str | None
    derivation: str | None
    expires: str | None = Field(description="End of protection of the economic rights.")
    authors: list[PartyRef]
    owners: list[PartyRef] = Field(description="Initial owners of the economic rights.")
    agreements: list[AgreementPublic]
    conflicts: list[ConflictPublic]
    territories: list[str] = Field(description="Countries the work's agreements name.")


class EntityCounts(BaseModel):
    parties: int
    works: int
    agreements: int


class ImportProblem(BaseModel):
    file: str | None
    row: int | None
    line: int | None
    column: str | None
    value: str | None
    node: str | None
    rule: str
    severity: Literal["violation", "warning", "info"]
    message: str
    message_zh: str


class ImportSummary(BaseModel):
    violations: int
    warnings: int
    triples_read: int
    triples_stored: int
    created: EntityCounts
    updated: EntityCounts
    unchanged: EntityCounts
    replaced_batches: list[str]


class BatchFile(BaseModel):
    path: str
    format: str
    sha256: str
    rows: int


class ImportReportPublic(BaseModel):
    """The validation report of an import, as ``cams import --format json`` prints it."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(alias="$schema")
    status: Literal["stored", "nothing_new", "rejected", "valid"]
    batch: str | None
    dry_run: bool
    update: bool
    by: str
    started: str | None
    ended: str | None
    files: list[BatchFile]
    summary: ImportSummary
    problems: list[ImportProblem]


class BatchPublic(BaseModel):
    """An import batch with its provenance (``cams batches --format json``)."""

    batch: str
    by: str
    started: str
    ended: str
    triples: int
    created: EntityCounts
    replaced: list[str]
    files: list[BatchFile]


class RetractPublic(BaseModel):
    """What a retraction removed."""

    batch: str
    triples: int
    works: list[str] = Field(description="IRIs of the works whose facts changed.")
    dependents: list[str] = Field(description="Batches that referred to it (with force).")


class HealthPublic(BaseModel):
    """The server is up; what it runs on."""

    status: Literal["ok"]
    version: str
    store: str = Field(description="embedded, memory or remote")
    query_timeout: float
    backend: dict[str, Any]


class TokenCreate(BaseModel):
    """A token to make."""

    role: Literal["reader", "steward", "admin"]
    label: str = ""


class TokenPublic(BaseModel):
    """A token as listed (never its secret)."""

    id: str
    role: str
    label: str
    created: str


class TokenIssued(BaseModel):
    """A new token: the only answer that shows the secret."""

    id: str
    role: str
    label: str
    token: str
