"""Fingerprints of evidence files that survive a re-save.

A SHA-256 changes with a single byte: a PDF printed again or passed through another
tool, or a photo re-saved at another JPEG quality, is new to it. The same document
still has the same *text* (PDF) and nearly the same *picture* (JPG/PNG):

- PDF: the text of every page extracted with pypdf, whitespace collapsed and
  full-width characters folded (NFKC), then SHA-256. A changed amount or date changes
  the text, so this finds re-saved copies, not edited ones (duplicate_invoices finds
  those by the invoice number).
- Images: a 256-bit difference hash (dHash: the picture shrunk to 17x16 grey pixels,
  one bit per horizontally adjacent pair, "is the right one brighter"). Re-encoding,
  resizing and light noise move a few bits; another invoice moves many. A few lines of
  Pillow (already installed) instead of the ImageHash package, which brings numpy,
  scipy and PyWavelets for the same 20 lines.

Pure: bytes in, strings out; an unreadable file gives empty strings, never an error.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata


def pdf_text_digest(data: bytes) -> str:
    # pypdf logs every repair it makes; a malformed upload is not news for the log.
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        text = " ".join((page.extract_text() or "") for page in reader.pages)
    except Exception:  # noqa: BLE001 - any malformed file simply has no text fingerprint
        return ""
    finally:
        log.setLevel(level)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    if len(text) < 8:  # an image-only or empty PDF: no text worth comparing
        return ""
    return hashlib.sha256(text.encode()).hexdigest()


def image_dhash(data: bytes, size: int = 16) -> str:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            grey = img.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
            pixels = list(grey.tobytes())
    except Exception:  # noqa: BLE001 - not an image Pillow can read
        return ""
    bits = 0
    for row in range(size):
        line = pixels[row * (size + 1) : (row + 1) * (size + 1)]
        for left, right in zip(line, line[1:], strict=False):
            bits = (bits << 1) | (right > left)
    return f"{bits:0{size * size // 4}x}"


def fingerprint(data: bytes, content_type: str) -> tuple[str, str]:
    """(text digest, image hash) of a file of that content type."""
    if content_type == "application/pdf":
        return pdf_text_digest(data), ""
    if content_type.startswith("image/"):
        return "", image_dhash(data)
    return "", ""
