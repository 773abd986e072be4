"""What django-axes records of a failed login: the username the form checked, never the
raw text posted. A posted name of 280 characters that NFKC composes to 140 passes the
form and reached axes raw: PostgreSQL refused the longer-than-its-column record (a 500)."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model

MAX = get_user_model()._meta.get_field("username").max_length or 150


def username_of(request, credentials: dict | None) -> str:
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username", "")
    return unicodedata.normalize("NFKC", str(name or ""))[:MAX]
