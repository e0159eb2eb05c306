"""``/api/imports``: import ledger CSV or RDF files (steward), list batches, retract (steward).

``POST /api/imports`` takes the files as ``multipart/form-data`` (field
``files``, one part per file, named as on disk: ``parties.csv``,
``works.csv``, ``contributions.csv``, ``agreements.csv``, or RDF files) and
answers with the same validation report as ``cams import --format json``:
201 when the batch was stored, 200 for a dry run or a batch with nothing new,
422 when violations rejected it (nothing stored).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, UploadFile
from fastapi.responses import JSONResponse

from cams_graph.errors import UnknownTermError
from cams_graph.importer import ImportOptions
from cams_graph.ledger import Limits
from cams_graph.provenance import is_batch_id, list_batches
from cams_graph.rdfinput import RDF_EXTENSIONS
from cams_graph.report import to_json_dict

from ..deps import BackendDep, ReadStore, StewardToken
from ..schemas import BatchPublic, ImportReportPublic, RetractPublic
from ..writes import import_files, retract_batch

__all__ = ["router"]

router = APIRouter(prefix="/api/imports", tags=["imports"])

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


def _file_name(upload: UploadFile) -> str:
    name = FilePath(upload.filename or "").name
    suffix = FilePath(name).suffix.lower()
    if not _NAME.match(name) or (suffix != ".csv" and suffix not in RDF_EXTENSIONS):
        raise HTTPException(
            422,
            f"cannot import a file named {upload.filename!r}: give ledger CSV files "
            "(parties.csv, works.csv, contributions.csv, agreements.csv) or RDF files "
            "(.ttl, .nt, .nq, .trig, .jsonld, .rdf)",
        )
    return name


@router.post(
    "",
    response_model=ImportReportPublic,
    operation_id="create_import",
    status_code=201,
    responses={
        200: {"description": "Dry run, or nothing new to store", "model": ImportReportPublic},
        401: {"description": "No token"},
        403: {"description": "Not a steward"},
        422: {"description": "Rejected by violations; nothing stored", "model": ImportReportPublic},
    },
)
async def create_import(
    backend: BackendDep,
    token: StewardToken,
    files: Annotated[list[UploadFile], File(description="Ledger CSV files and/or RDF files.")],
    dry_run: Annotated[bool, Query(description="Validate only; store nothing.")] = False,
    update: Annotated[
        bool, Query(description="Replace the stored facts of entities whose rows changed.")
    ] = False,
) -> JSONResponse:
    """Validate and import one batch, all or nothing, as ``cams import``."""
    names = [_file_name(f) for f in files]
    if len(set(names)) != len(names):
        raise HTTPException(422, "two uploaded files have the same name")
    folder = FilePath(tempfile.mkdtemp(prefix="cams-upload-"))
    try:
        for upload, name in zip(files, names, strict=True):
            with (folder / name).open("wb") as target:
                shutil.copyfileobj(upload.file, target)
        options = ImportOptions(
            update=update,
            dry_run=dry_run,
            by=f"{token.label or 'token'} ({token.id})",
            limits=Limits(),
        )
        report = await backend.write(import_files, str(folder), names, options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    status = {"stored": 201, "rejected": 422}.get(report.status, 200)
    return JSONResponse(to_json_dict(report), status_code=status)


@router.get("", response_model=list[BatchPublic], operation_id="list_imports")
def list_imports(store: ReadStore) -> list[dict[str, Any]]:
    """Every import batch with its provenance (who, when, which files), oldest first."""
    return [b.as_dict() for b in list_batches(store)]


BatchId = Annotated[str, Path(description="The batch id.", examples=["20261125T120000Z-ab12cd"])]


@router.get(
    "/{batch}",
    response_model=BatchPublic,
    operation_id="get_import",
    responses={404: {"description": "Unknown batch"}},
)
def get_import(store: ReadStore, batch: BatchId) -> dict[str, Any]:
    """One batch's provenance."""
    for b in list_batches(store):
        if b.batch_id == batch:
            return b.as_dict()
    raise UnknownTermError(f"no batch {batch!r} in the store")


@router.delete(
    "/{batch}",
    response_model=RetractPublic,
    operation_id="retract_import",
    responses={
        401: {"description": "No token"},
        403: {"description": "Not a steward"},
        404: {"description": "Unknown batch"},
        409: {"description": "Other batches refer to it (use force)"},
    },
)
async def retract_import(
    backend: BackendDep,
    token: StewardToken,
    batch: BatchId,
    force: Annotated[
        bool, Query(description="Retract even when other batches refer to it.")
    ] = False,
) -> dict[str, Any]:
    """Remove one batch (its facts and provenance) atomically, then re-derive what it touched."""
    if not is_batch_id(batch):
        raise UnknownTermError(f"no batch {batch!r} in the store")
    result = await backend.write(retract_batch, batch, force)
    return {
        "batch": result.batch_id,
        "triples": result.triples,
        "works": result.works,
        "dependents": result.dependents,
    }
