"""Producing a document (出具文书): the one flow behind ``pqm report`` and the document dialog.

``produce`` checks what it can before rendering (the output file, the signer and his
key), issues the document through the :class:`DocumentService` (render, atomic write,
verification code), signs it when asked and returns what was made. Whatever layer a
failure comes from (model, rendering, signing, the file system), it leaves here as a
``PQMError`` with a message id (``reports.err.*``) that the edges translate.
"""

from __future__ import annotations

import dataclasses
import errno
from dataclasses import dataclass, field
from pathlib import Path

from pqm_tui.model.errors import PQMError, os_storage_error
from pqm_tui.model.organisation import find_person
from pqm_tui.output_files import check_output
from pqm_tui.paths import keys_dir
from pqm_tui.reports.document_service import DocumentService, RenderedDocument
from pqm_tui.reports.kinds import KINDS
from pqm_tui.services.pins import check_pin
from pqm_tui.services.signing import KeyMissingError, key_path, open_key, sign_pdf


class DocumentError(PQMError):
    """A document could not be produced (message id ``reports.err.*`` and parameters)."""


class SignerKeyMissing(DocumentError):
    """The signer has no signing key yet (``pqm keys init`` makes one)."""


@dataclass(frozen=True)
class DocumentRequest:
    """What to produce: which document about what, where, and signed by whom."""

    kind: str  # notice | notice2 | report | circular | blank (``kinds.KINDS``)
    reference: str  # inspection id, notice number or item, month (YYYY-MM), checklist
    output: Path
    force: bool = False  # overwrite an existing file; print even with nothing to print
    signer: str | None = None  # name or id of the person who signs it; None: unsigned
    pin: str = field(default="", repr=False)  # the signer's PIN: checked, then opens his key


def produce(service: DocumentService, request: DocumentRequest) -> RenderedDocument:
    """Issue the requested document to its file, signed when asked, or raise a PQMError."""
    out = request.output
    keys = keys_dir(service.db_path)
    signer = request.signer or ""
    try:
        check_output(out)  # a regular file or nothing, in an existing folder
        if out.exists() and not request.force:
            raise DocumentError("reports.err.exists", path=out)
        if not request.force:  # an empty month's circular …
            kind = KINDS[request.kind]
            kind.check(service.builder, kind.resolve(service.builder, request.reference))
        person_id = ""
        if request.signer:  # fail before rendering: no key, a wrong PIN, a bad key
            person = find_person(service.db, request.signer)
            person_id, signer = person.id, person.name
            if not key_path(keys, person_id).is_file():
                raise SignerKeyMissing("reports.err.key_missing", person=signer)
            check_pin(service.db, service.clock, person_id, request.pin)
            open_key(keys, person_id, request.pin.encode())
        if not request.signer:
            return service.issue(request.kind, request.reference, out)
        signed_by: list[str] = []

        def sign(pdf: Path) -> None:  # the temporary file, before it takes the name ``out``
            name = sign_pdf(
                keys,
                person_id,
                pdf,
                pdf,
                secret=request.pin.encode(),
                reason=service.tr(KINDS[request.kind].title),
                location=service.settings.company_name or "PQM",
            )
            signed_by.append(name)

        result = service.issue(request.kind, request.reference, out, finish=sign)
        return dataclasses.replace(result, signer=signed_by[0])
    except Exception as exc:
        error = document_error(exc, out=out, signer=signer, keys=keys)
        if error is None or error is exc:
            raise
        raise error from exc


def document_error(exc: BaseException, *, out: Path, signer: str, keys: Path) -> PQMError | None:
    """``exc`` as a PQMError with a message id, or None for an error that is not foreseen."""
    if isinstance(exc, KeyMissingError):
        return SignerKeyMissing("reports.err.key_missing", person=signer)
    if isinstance(exc, PQMError):  # a wrong PIN, a key's problem, a missing font … say themselves
        return exc
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return os_storage_error(exc, out)  # the disk is full or read-only: say that
    if isinstance(exc, OSError):
        return DocumentError("reports.err.write_failed", path=out, detail=exc.strerror or exc)
    return None
