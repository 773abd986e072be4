"""Responses of published months, made once and kept.

A published document never changes, so a response built from it is fixed by a key that
holds its digest: it is made once, kept in the shared cache (every worker and host) and
in this process (no cache round trip or unpickling on the most read pages of the site,
bench/ web), and served as stored bytes with an ETag from the key (so
ConditionalGetMiddleware need not hash the body). The month page and the period API
both go through here.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse

KEEP_BYTES = 64 * 1024 * 1024  # in this process; oldest out first
_kept: dict[str, tuple[bytes, int, dict]] = {}
_kept_bytes = 0
_lock = threading.Lock()


# Responses that also show what later months did (their key holds the latest published
# month) are superseded at the next publication: the shared cache lets them go.
SUPERSEDED_AFTER = 30 * 24 * 3600


def response(
    key: str, make: Callable[[], HttpResponse], request=None, timeout: int | None = None
) -> HttpResponse:
    """The kept response for `key`, made by `make()` the first time, kept for `timeout`
    seconds in the shared cache (None: for good). With `request`, a response that handed
    this visitor a cookie or a CSRF token is theirs alone: served, not kept."""
    if request is not None and len(get_messages(request)):
        return make()  # a message waits for this visitor: the page is theirs alone
    key = f"reports:published:{key}"
    stored = _kept.get(key) or cache.get(key)
    if stored is None:
        made = make()
        if made.cookies or (request is not None and request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
            return made
        made["ETag"] = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
        stored = (made.content, made.status_code, dict(made.items()))
        cache.set(key, stored, timeout)
    _keep(key, stored)
    content, status, headers = stored
    served = HttpResponse(content, status=status)
    for name, value in headers.items():
        served[name] = value
    return served


def _keep(key: str, stored: tuple[bytes, int, dict]) -> None:
    global _kept_bytes
    if key in _kept or len(stored[0]) > KEEP_BYTES:
        return
    with _lock:
        if key in _kept:
            return
        _kept[key] = stored
        _kept_bytes += len(stored[0])
        while _kept_bytes > KEEP_BYTES:
            oldest = _kept.pop(next(iter(_kept)))
            _kept_bytes -= len(oldest[0])


def forget_all() -> None:
    """Empty this process's copies (tests; the shared cache is cleared on its own)."""
    global _kept_bytes
    with _lock:
        _kept.clear()
        _kept_bytes = 0
