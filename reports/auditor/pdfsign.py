"""Optional PAdES signatures on statements (pyHanko). With STATEMENT_SIGNING_P12 (a PKCS#12
file) and STATEMENT_SIGNING_PASSWORD set, every PDF statement is signed so a recipient can
check it came from this system unaltered; without them, the digest printed on every page
still ties the document to the ledger."""

from __future__ import annotations

import io
from functools import lru_cache

from django.conf import settings


def configured() -> bool:
    return bool(getattr(settings, "STATEMENT_SIGNING_P12", ""))


@lru_cache(maxsize=2)
def _signer(path: str, password: str):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password.encode() or None)
    if signer is None:
        raise ValueError(f"cannot read the signing certificate {path}")
    return signer


def sign(data: bytes, *, reason: str = "fundmgr statement") -> bytes:
    if not configured():
        return data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = _signer(
        settings.STATEMENT_SIGNING_P12, getattr(settings, "STATEMENT_SIGNING_PASSWORD", "")
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name="fundmgr", reason=reason, location=settings.SITE_URL
    )
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()
