"""The services of reports, one home for them all (HackSoft's styleguide): closing and
publishing a month, residents' queries and their answers, integrity runs, statement
files, and closing red flags. Each is one transaction; publishing is refused twice.

Screening for red flags is reports.redflags.screening; the statements' builders and
formats are reports.auditor."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fundmgr.access import has_role
from fundmgr.lib.dates import day_bounds
from fundmgr.lib.dates import today as local_today
from fundmgr.lib.privacy import public_text_error
from fundmgr.lib.text import check_text
from fundmgr.models import Community, Income, IncomeStatus, Role, SplitPolicy
from fundmgr.services.drafts import EARLIEST
from ledger import log
from ledger import services as ledger
from ledger.chain import canonical_json
from ledger.models import Book, Entry
from ledger.verify import verify_book

from . import checks, disclosure, selectors, signing
from .answers.models import AnswerVersion
from .auditor.formats import FORMATS
from .auditor.statements import KINDS, StatementError, build
from .models import (
    Disclosure,
    FlagEvent,
    FlagEventKind,
    FlagStatus,
    IntegrityCheck,
    Period,
    PeriodState,
    Query,
    RedFlag,
    StatementFile,
)
from .notices import services as notices

DISCLOSURE_WINDOW = dt.timedelta(days=7)


def _book_started(community: Community) -> dt.date:
    """The first day of the books: the day of their first entry, or - before there is
    one - the day the community's first split policy took effect (no income can be
    dated earlier)."""
    first_entry = (
        Entry.objects.filter(book_id=community.book_id)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if first_entry is not None:
        return first_entry
    first_policy = (
        SplitPolicy.objects.filter(community=community)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    return first_policy or EARLIEST


def _check_month(community: Community, month: dt.date, today: dt.date) -> None:
    """A month that can be asked to close at all, checked before any Period row is made
    (issue 21: 9999-12 overflowed the month arithmetic, 0001-01 and months before the
    book began were accepted and wrote Period rows, and one before the closed-through
    date ended in an uncaught LedgerError)."""
    label = f"{month:%Y-%m}"
    if month > today.replace(day=1):
        raise ValidationError(_("%(month)s has not ended yet.") % {"month": label})
    book = Book.objects.get(pk=community.book_id)
    started = _book_started(community)
    if month < started.replace(day=1):
        raise ValidationError(
            _("%(month)s is before this community's books began (%(start)s).")
            % {"month": label, "start": f"{started:%Y-%m}"}
        )
    if book.closed_through is not None and month <= book.closed_through:
        raise ValidationError(
            _("%(month)s is already closed: the books are closed through %(date)s.")
            % {"month": label, "date": book.closed_through.isoformat()}
        )


def _period(community: Community, month: dt.date) -> Period:
    period, _created = Period.objects.get_or_create(community=community, month=month)
    return period


@transaction.atomic
def period_close(
    *,
    community: Community,
    month: dt.date,
    actor: str,
    confirmed_by: str = "",
    today: dt.date | None = None,
) -> Period:
    """Close a month: it must have ended, have nothing waiting for review, and every
    earlier day with entries must already be closed. Then no entry is dated inside it."""
    today = today or local_today()
    _check_month(community, month, today)
    period = Period.objects.select_for_update().filter(pk=_period(community, month).pk).get()
    _check_closable(community, period, today)
    if confirmed_by and confirmed_by == actor:
        raise ValidationError(_("The close must be confirmed by someone else."))
    _start, end = day_bounds(period.month, period.last_day)
    pending = Income.objects.filter(
        community=community, status=IncomeStatus.PENDING, paid_at__lt=end
    ).count()
    if pending:
        raise ValidationError(
            _("%(n)d incomes up to %(month)s still wait for review.")
            % {"n": pending, "month": period.label}
        )
    from fundmgr.reconcile.selectors import close_problem

    if problem := close_problem(community, period.month):  # a community setting (#23)
        raise ValidationError(problem)
    book = Book.objects.get(pk=community.book_id)
    before = period.month - dt.timedelta(days=1)
    if (book.closed_through or dt.date.min) < before and Entry.objects.filter(
        book=book, date__lte=before, date__gt=book.closed_through or dt.date.min
    ).exists():
        raise ValidationError(
            _("Close the earlier months first: entries before %(month)s are in months still open.")
            % {"month": period.label}
        )
    ledger.close_through(book=book, date=period.last_day)
    community.book.closed_through = period.last_day
    period.state = PeriodState.CLOSED
    period.closed_at, period.closed_by = timezone.now(), actor
    period.close_confirmed_by = confirmed_by
    period.save()
    return period


def _check_closable(community: Community, period: Period, today: dt.date) -> None:
    if period.state != PeriodState.OPEN:
        raise ValidationError(_("%(month)s is already closed.") % {"month": period.label})
    if period.last_day >= today:
        raise ValidationError(_("%(month)s has not ended yet.") % {"month": period.label})


@transaction.atomic
def period_request_close(
    *, community: Community, month: dt.date, officer, today: dt.date | None = None
) -> Period:
    """An officer asks to close a month; a reviewer (someone else) confirms it."""
    if not has_role(officer, community, Role.OFFICER):
        raise PermissionError(_("Only the community's finance officers close months."))
    today = today or local_today()
    _check_month(community, month, today)
    period = Period.objects.select_for_update().filter(pk=_period(community, month).pk).get()
    _check_closable(community, period, today)
    period.close_requested_by = officer.get_username()
    period.close_requested_at = timezone.now()
    period.save(update_fields=["close_requested_by", "close_requested_at"])
    return period


def period_confirm_close(
    *, community: Community, month: dt.date, reviewer, today: dt.date | None = None
) -> Period:
    if not has_role(reviewer, community, Role.REVIEWER):
        raise PermissionError(_("Only the community's reviewers confirm a close."))
    period = Period.objects.filter(community=community, month=month).first()
    if period is None or not period.close_requested_by:
        raise ValidationError(_("No officer has asked to close this month."))
    return period_close(
        community=community,
        month=month,
        actor=period.close_requested_by,
        confirmed_by=reviewer.get_username(),
        today=today,
    )


@transaction.atomic
def period_publish(*, community: Community, month: dt.date, actor: str) -> Disclosure:
    period = Period.objects.select_for_update().filter(community=community, month=month).first()
    if period is None or period.state == PeriodState.OPEN:
        raise ValidationError(
            _("Close %(month)s before publishing it.") % {"month": month.strftime("%Y-%m")}
        )
    if period.state == PeriodState.PUBLISHED:
        raise ValidationError(_("%(month)s is already published.") % {"month": period.label})
    book = Book.objects.select_for_update().get(pk=community.book_id)
    document = disclosure.build(period)
    problems = checks.check_publishable(community, period, document)
    if problems:
        raise ValidationError(
            _("%(month)s cannot be published: %(problem)s")
            % {"month": period.label, "problem": problems[0].message}
        )
    # From the rows, never the cache: this is the root that gets signed.
    head = log.tree_head(book, cached=False)
    now = timezone.now()
    digest = disclosure.digest_of(document)
    signed = {
        "format": "fundmgr.tree-head/1",
        "book": book.code,
        "community": community.code,
        "month": period.label,
        "tree_size": head.size,
        "root": head.root,
        "chain_head": book.head_hash,
        "document_digest": digest,
        "published_at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "key_id": signing.key_id(),
    }
    signed_json = canonical_json(signed)
    record = Disclosure.objects.create(
        period=period,
        document=canonical_json(document),
        digest=digest,
        tree_size=head.size,
        tree_root=head.root,
        signed_head=signed_json,
        signature=signing.sign(signed_json.encode("utf-8")),
        key_id=signed["key_id"],
        window_ends_at=now + DISCLOSURE_WINDOW,
    )
    # Pages of earlier months show what this one reverses: they are keyed by it.
    transaction.on_commit(lambda: cache.delete(selectors.latest_key(community.pk)))
    period.state = PeriodState.PUBLISHED
    period.published_at, period.published_by = now, actor
    period.save()
    notices.on_month_published(record)  # subscribers hear of it, after the commit
    return record


QUERY_LIMIT_PER_HOUR = 3


def query_ask(*, period: Period, question: str, contact: str, client_key: str) -> Query:
    """A resident's question during the disclosure window, rate-limited per client."""
    question = check_text(
        question, field="question", label=_("The question"), max_length=1000, multiline=True
    )
    contact = check_text(contact, field="contact", label=_("The contact"), max_length=100)
    if period.state != PeriodState.PUBLISHED:
        raise ValidationError(_("Only a published month can be queried."))
    if not period.disclosure.window_open():
        raise ValidationError(
            _("The disclosure window for %(month)s has closed.") % {"month": period.label}
        )
    if not 5 <= len(question) <= 1000:
        raise ValidationError({"question": _("Write between 5 and 1000 characters.")})
    if personal := public_text_error(_("Question"), question):
        raise ValidationError({"question": personal})
    if len(contact) > 100:
        raise ValidationError({"contact": _("At most 100 characters.")})
    key = f"reports:query-rate:{client_key}"
    cache.add(key, 0, 3600)
    if cache.incr(key) > QUERY_LIMIT_PER_HOUR:
        raise PermissionError(_("Too many queries from here; try again in an hour."))
    return Query.objects.create(period=period, question=question, contact=contact.strip())


def query_answer(*, query, user, answer: str):
    if not has_role(user, query.period.community, Role.OFFICER, Role.REVIEWER):
        raise PermissionError(_("Only the community's officers and reviewers answer queries."))
    answer = check_text(
        answer, field="answer", label=_("The answer"), max_length=2000, multiline=True
    )
    if not answer:
        raise ValidationError({"answer": _("Write an answer.")})
    if personal := public_text_error(_("Answer"), answer):
        raise ValidationError({"answer": personal})
    with transaction.atomic():
        # Row lock: two officers editing at once each get their own version number.
        query = Query.objects.select_for_update().get(pk=query.pk)
        if answer == query.answer:
            return query
        query.answer, query.answered_by = answer, user.get_username()
        query.answered_at = timezone.now()
        query.save(update_fields=["answer", "answered_by", "answered_at"])
        # Every wording residents could read is kept; the public page shows the first and
        # the edits (reports.answers).
        AnswerVersion.objects.create(
            query=query,
            number=query.answer_versions.count() + 1,
            answer=answer,
            answered_by=query.answered_by,
            answered_at=query.answered_at,
        )
    notices.on_query_answered(query)
    return query


# --- Integrity runs --------------------------------------------------------------------
def integrity_verify(community: Community, ran_by: str) -> IntegrityCheck:
    """Recompute the community's book (chain, balances, signed heads), check that it makes
    sense (reports/checks.py) and keep both results for the auditor's workspace."""
    report = verify_book(Book.objects.get(pk=community.book_id))
    wrong = checks.check_community(community)
    return IntegrityCheck.objects.create(
        community=community,
        ran_by=ran_by,
        ok=report.ok,
        entries=report.entries,
        head_hash=report.head_hash,
        problems="\n".join(str(p) for p in report.problems),
        books_ok=not wrong,
        books_problems="\n".join(v.message for v in wrong),
    )


# --- Statement files (cached, drawn in the background above a size) ----------------------
# Journals with more entries than this are drawn by a worker, not in the request.
INLINE_ENTRIES = 1500


def statement_key(community: Community, month: dt.date, kind: str, party: str, fmt: str) -> str:
    head = Book.objects.values_list("head_hash", flat=True).get(pk=community.book_id)
    raw = f"{community.code}|{month:%Y-%m}|{kind}|{party}|{fmt}|{head}"
    return hashlib.sha256(raw.encode()).hexdigest()


def statement_request(
    *, community: Community, month: dt.date, kind: str, party: str, fmt: str, user
) -> StatementFile:
    """The cached file for this request, or a new one - drawn now when small, queued for
    a worker when large (inline anyway without a broker)."""
    from .tasks import make_statement

    if kind not in KINDS or fmt not in FORMATS:
        raise StatementError("unknown kind or format")
    # Checked before a StatementFile row is made (issue 21: month=9999-12 overflowed in
    # the drawing and left a row behind; a party of 41 characters failed the column).
    if month > local_today().replace(day=1):
        raise StatementError(_("%(month)s has not begun yet.") % {"month": f"{month:%Y-%m}"})
    if month < _book_started(community).replace(day=1):
        raise StatementError(
            _("%(month)s is before this community's books began.") % {"month": f"{month:%Y-%m}"}
        )
    if len(party) > StatementFile._meta.get_field("party").max_length or (
        party and not party.replace("-", "").replace("_", "").isalnum()
    ):
        raise StatementError(_("Choose a party from the list."))
    key = statement_key(community, month, kind, party, fmt)
    existing = StatementFile.objects.filter(key=key).first()
    if existing is not None and existing.state != "failed":
        return existing
    try:
        with transaction.atomic():
            if existing is not None:
                existing.delete()
            record = StatementFile.objects.create(
                key=key,
                community=community,
                kind=kind,
                month=month,
                party=party,
                fmt=fmt,
                requested_by=user.get_username(),
            )
    except IntegrityError:  # another request for the same file got there first
        return StatementFile.objects.get(key=key)
    large = kind == "journal" and community.book.last_seq > INLINE_ENTRIES
    if large:
        make_statement.delay_on_commit(record.pk)
    else:
        statement_make(record.pk)
        record.refresh_from_db()
    return record


def statement_make(pk: int) -> str:
    """Draw a requested statement file (once: a repeated task changes nothing)."""
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


# --- Red flags ---------------------------------------------------------------------------
def flag_close(*, flag: RedFlag, user, note: str) -> RedFlag:
    """An auditor closes a flag with a note, kept in the audit trail (a FlagEvent)."""
    if not has_role(user, flag.community, Role.AUDITOR):
        raise PermissionError(_("Only the community's auditors close red flags."))
    note = check_text(note, field="note", label=_("The note"), max_length=1000, multiline=True)
    if not note.strip():
        raise ValidationError(_("Say why the flag is closed."))
    if flag.closed_at:
        raise ValidationError(_("This flag is already closed."))
    flag.closed_at, flag.closed_by, flag.note = timezone.now(), user.get_username(), note.strip()
    flag.status = FlagStatus.CLOSED
    flag.save(update_fields=["closed_at", "closed_by", "note", "status"])
    # The incident's history keeps every closing: new evidence may reopen it later.
    FlagEvent.objects.create(
        flag=flag, kind=FlagEventKind.CLOSED, at=flag.closed_at, by=flag.closed_by, note=flag.note
    )
    return flag
