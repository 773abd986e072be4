"""The auditor's services: verification runs and statement files (cached, generated in
the background above a size, inline when there is no broker)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundmgr.models import Community
from ledger.models import Book
from ledger.verify import verify_book

from .models import IntegrityCheck, StatementFile
from .render import to_csv, to_pdf, to_xlsx
from .statements import KINDS, StatementError, build

FORMATS = {"pdf": ("application/pdf", to_pdf), "csv": ("text/csv; charset=utf-8", to_csv),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    to_xlsx)}
# Journals with more entries than this are drawn by a worker, not in the request.
INLINE_ENTRIES = 1500


def integrity_check(community: Community, ran_by: str) -> IntegrityCheck:
    report = verify_book(Book.objects.get(pk=community.book_id))
    return IntegrityCheck.objects.create(
        community=community, ran_by=ran_by, ok=report.ok, entries=report.entries,
        head_hash=report.head_hash, problems="\n".join(str(p) for p in report.problems))


def statement_key(community: Community, month: dt.date, kind: str, party: str, fmt: str) -> str:
    head = Book.objects.values_list("head_hash", flat=True).get(pk=community.book_id)
    raw = f"{community.code}|{month:%Y-%m}|{kind}|{party}|{fmt}|{head}"
    return hashlib.sha256(raw.encode()).hexdigest()


def request_statement(*, community: Community, month: dt.date, kind: str, party: str,
                      fmt: str, user) -> StatementFile:
    """The cached file for this request, or a new one - drawn now when small, queued for
    a worker when large (inline anyway without a broker)."""
    from .tasks import make_statement

    if kind not in KINDS or fmt not in FORMATS:
        raise StatementError("unknown kind or format")
    key = statement_key(community, month, kind, party, fmt)
    existing = StatementFile.objects.filter(key=key).first()
    if existing is not None and existing.state != "failed":
        return existing
    try:
        with transaction.atomic():
            if existing is not None:
                existing.delete()
            record = StatementFile.objects.create(
                key=key, community=community, kind=kind, month=month, party=party, fmt=fmt,
                requested_by=user.get_username())
    except IntegrityError:  # another request for the same file got there first
        return StatementFile.objects.get(key=key)
    large = kind == "journal" and community.book.last_seq > INLINE_ENTRIES
    if large:
        make_statement.delay_on_commit(record.pk)
    else:
        make_file(record.pk)
        record.refresh_from_db()
    return record


def make_file(pk: int) -> str:
    record = StatementFile.objects.select_related("community").get(pk=pk)
    if record.state == "done":
        return record.state
    StatementFile.objects.filter(pk=pk).update(state="running")
    try:
        st = build(record.community, record.month, record.kind, record.party or None)
    except StatementError as exc:
        record.state, record.error = "failed", str(exc)
    else:
        _mime, renderer = FORMATS[record.fmt]
        content = renderer(st)
        data = content.encode("utf-8") if isinstance(content, str) else content
        record.file.save(f"{record.key}.{record.fmt}", ContentFile(data), save=False)
        record.digest, record.state = st.digest, "done"
    record.finished_at = timezone.now()
    record.save()
    return record.state
