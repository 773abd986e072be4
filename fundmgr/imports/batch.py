"""Income files (CSV or XLSX, DESIGN 5.3) checked row by row and recorded all-or-none.

Streaming passes over the file, so a 100k-row file never sits in memory: every row is
parsed and validated and payment references are looked up a chunk at a time, first
outside any transaction (the check: no lock taken), then - only when every row is good
and this is not a dry run - again inside the one recording transaction, each chunk
recorded as soon as it is re-checked, posting a chunk of rows per book at a time. A row
found bad in that second pass (a reference recorded meanwhile with other details) stops
the recording and the transaction is rolled back: all or none.
"""

from __future__ import annotations

import csv
import io
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ledger.bulk import ids_matching
from ledger.models import Book

from ..lib.csvsafe import safe_row
from ..lib.dates import local_date
from ..models import Income, IncomeStatus
from ..services.drafts import IncomeDraft, income_build, same_payment
from ..services.posting import accounting_date, incomes_save
from .files import FileError, ignored_columns, read_rows
from .rows import Context, cell_text, parse_row

# Rows read, checked and written at a time. Larger chunks mean fewer updates of the
# book and account rows within the one import transaction, each of which leaves a row
# version that later look-ups in the transaction step over (bench/ import).
CHUNK = 5000
MAX_ERRORS_KEPT = 200  # messages kept for display; every bad row is still counted


def time_limit_message() -> str:
    return _("The file took longer than the time limit to check; nothing was written. Split it.")


REPORT_HEADER = ["row", "external_ref", "status", "receipt", "provider", "hub", "fund", "message"]


@dataclass
class RowError:
    row: int
    message: str
    content: str = ""  # the row's cells as read, so the officer can find it (issue 14)

    def __str__(self) -> str:
        if self.content:
            return _("row %(row)d (%(content)s): %(message)s") % {
                "row": self.row,
                "content": self.content,
                "message": self.message,
            }
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Summary:
    rows: int = 0
    recorded: int = 0
    pending: int = 0
    skipped: int = 0
    bad_rows: int = 0
    # Rows dated inside a closed month: booked on the first open day as adjustments.
    adjustments: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.bad_rows == 0

    def add_error(self, row: int, message: str, content: str = "") -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, message, content))


# --- One pass: check every row, record chunk by chunk -----------------------------------
def _existing_refs(chunk: list[tuple[int, IncomeDraft]]) -> dict[tuple[int, str], Income]:
    by_community: dict[int, list[str]] = {}
    for _row, d in chunk:
        by_community.setdefault(d.community.pk, []).append(d.external_ref)
    found = {}
    for community_id, refs in by_community.items():
        # Which refs are taken: one index probe per ref, then the few taken read as models.
        ids = ids_matching(
            Income._meta.db_table,
            "external_ref",
            refs,
            "r.community_id + 0 = %s AND r.status <> %s",
            [community_id, IncomeStatus.REJECTED],
        )
        for income in Income.objects.filter(pk__in=ids) if ids else ():
            found[(community_id, income.external_ref)] = income
    return found


@dataclass
class Item:
    row: int
    ref: str
    draft: IncomeDraft | None
    errors: list[str]
    content: str = ""


# The cells shown beside a bad row, in this order: who, when, how much, what.
CONTENT_COLUMNS = ("payer", "paid_at", "amount", "package", "tier", "external_ref")
CONTENT_MAX = 120


def row_content(raw: dict) -> str:
    """A bad row's cells as read, e.g. "张三, 2026-10-08, 0", for its error message."""
    cells = [cell_text(raw.get(name)) for name in CONTENT_COLUMNS]
    text = ", ".join(c for c in cells if c)
    # A control character is shown as a mark, never passed on to a page or a terminal.
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return text if len(text) <= CONTENT_MAX else text[: CONTENT_MAX - 1] + "…"


def _chunks(
    path: Path, ctx: Context, summary: Summary, deadline: float | None = None
) -> Iterator[list[Item]]:
    """Every data row, parsed and checked, in file order, a chunk at a time."""
    chunk: list[Item] = []
    seen: dict[tuple[int, str], int] = {}
    for number, raw in read_rows(path):
        summary.rows += 1
        if deadline is not None and summary.rows % 500 == 0 and time.monotonic() > deadline:
            raise FileError(time_limit_message())
        draft, errors = parse_row(raw, ctx)
        if draft is not None:
            key = (draft.community.pk, draft.external_ref)
            if key in seen:
                errors = [
                    _("external_ref %(ref)s repeats row %(row)d")
                    % {"ref": draft.external_ref, "row": seen[key]}
                ]
                draft = None
            else:
                seen[key] = number
        content = row_content(raw) if errors else ""
        chunk.append(Item(number, cell_text(raw.get("external_ref")), draft, errors, content))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _existing_for(items: list[Item]) -> dict[tuple[int, str], Income]:
    return _existing_refs([(i.row, i.draft) for i in items if i.draft is not None])


def import_file(
    path,
    *,
    user=None,
    allowed_communities=None,
    dry_run: bool = False,
    report=None,
    progress: Callable[[int, int], None] | None = None,
    expected_rows: int = 0,
    deadline: float | None = None,
) -> Summary:
    """Check every row and, unless dry_run or any row is bad, record them all in one
    transaction. `report` is a text stream that receives the per-row CSV report;
    `progress(done, total)` is called after each chunk (total: expected_rows, the row
    count of an earlier check, until the file proves longer). `deadline` (a
    time.monotonic() value) ends the work with a FileError when passed.

    Two passes, so the book is locked only while rows already checked are written
    (issue 21: during a 40k-row import an income POST waited 36 s, and on SQLite a dry
    run held the write lock throughout): the check runs outside any transaction - on
    SQLite, where each transaction takes the write lock at BEGIN, it takes none - and
    only a file whose every row is good is read again inside the one recording
    transaction, its references looked up again under the lock (another import or
    officer may have recorded some meanwhile: they are skipped, or refuse the file when
    their details differ). All or none, as before."""
    path = Path(path)
    ctx = Context(user, allowed_communities)
    check = Summary(dry_run=dry_run, ignored_columns=ignored_columns(path))
    check_report = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
    try:
        _pass(
            path,
            ctx,
            check,
            csv.writer(check_report),
            None,
            user,
            progress,
            expected_rows,
            deadline,
        )
        if dry_run or not check.ok:
            check.recorded = check.pending = 0
            if report is not None:
                _copy_report(check_report, report)
            return check
    finally:
        if dry_run or not check.ok:
            check_report.close()
    check_report.seek(0)
    check_report.truncate()
    record_report = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
    summary = Summary(dry_run=False, ignored_columns=check.ignored_columns)
    try:
        with transaction.atomic():
            # The books of the file locked first, in a fixed order (no deadlock between
            # two imports): references are then looked up after any writer we waited for
            # committed, so two imports of the same payments end with one recording them
            # and the other finding them already recorded (issue 21: a UniqueViolation).
            books = sorted({c.book_id for c in ctx.communities_seen()})
            list(Book.objects.select_for_update().filter(pk__in=books).order_by("pk"))
            _pass(
                path,
                ctx,
                summary,
                csv.writer(check_report),
                csv.writer(record_report),
                user,
                progress,
                max(expected_rows, check.rows),
                deadline,
            )
            if not summary.written:
                # All or none: what the good rows before a bad one wrote goes.
                transaction.set_rollback(True)
                summary.recorded = summary.pending = 0
        if report is not None:
            _copy_report(record_report if summary.written else check_report, report)
    finally:
        check_report.close()
        record_report.close()
    return summary


def _pass(path, ctx, summary, checked, recorded, user, progress, expected_rows, deadline):
    """One pass over the file: every row checked into `summary` and the `checked`
    report; with `recorded` (a report writer), good rows are also written, chunk by
    chunk, until a row is bad (summary.written says whether all went in)."""
    actor = user.get_username() if user is not None else "import_income"
    writing = recorded is not None
    done = 0
    for chunk in _chunks(path, ctx, summary, deadline):
        existing = _existing_for(chunk)
        fresh: list[tuple[int, Income]] = []
        for item in chunk:
            draft = item.draft
            income = existing.get((draft.community.pk, draft.external_ref)) if draft else None
            if draft is not None and income is not None and not same_payment(income, draft):
                item.errors = [
                    _(
                        "external_ref %(ref)s is already recorded (receipt "
                        "%(receipt)s) with different details"
                    )
                    % {"ref": draft.external_ref, "receipt": income.receipt_display}
                ]
            if item.errors:
                message = "; ".join(item.errors)
                summary.add_error(item.row, message, item.content)
                checked.writerow(safe_row([item.row, item.ref, "error", "", "", "", "", message]))
                writing = False  # a bad row: nothing will be recorded; go on checking
            elif income is not None:
                summary.skipped += 1
                skipped = [
                    item.row,
                    item.ref,
                    "skipped",
                    income.receipt_display,
                    "",
                    "",
                    "",
                    _("already recorded"),
                ]
                checked.writerow(safe_row(skipped))
                if recorded is not None:
                    recorded.writerow(safe_row(skipped))
            else:
                checked.writerow(
                    safe_row(
                        [
                            item.row,
                            item.ref,
                            "skipped",
                            "",
                            "",
                            "",
                            "",
                            _("dry run: not written")
                            if summary.dry_run
                            else _("not written: the file has bad rows"),
                        ]
                    )
                )
                paid_on = local_date(draft.paid_at)
                if accounting_date(draft.community, paid_on) != paid_on:
                    summary.adjustments += 1
                if writing:
                    fresh.append((item.row, income_build(draft, recorded_by=user, now=ctx.now)))
        done += len(chunk)
        if writing:
            incomes_save([income for _n, income in fresh], actor)
            for number, income in fresh:
                if income.status == IncomeStatus.PENDING:
                    summary.pending += 1
                else:
                    summary.recorded += 1
                recorded.writerow(
                    safe_row(
                        [
                            number,
                            income.external_ref,
                            "recorded",
                            income.receipt_display,
                            income.provider_share.amount,
                            income.hub_share.amount,
                            income.fund_share.amount,
                            _("waiting for review")
                            if income.status == IncomeStatus.PENDING
                            else _adjustment(income),
                        ]
                    )
                )
        if progress is not None:
            progress(done, max(expected_rows, summary.rows))
    if summary.rows == 0:
        raise FileError(_("The file has a header but no rows."))
    summary.written = writing


def _adjustment(income: Income) -> str:
    """What the report says of an income booked after its own, closed, month."""
    if income.entry is None or income.entry.date == local_date(income.paid_at):
        return ""
    return _("booked on %(booked)s as an adjustment to %(month)s") % {
        "booked": income.entry.date.isoformat(),
        "month": local_date(income.paid_at).strftime("%Y-%m"),
    }


def _copy_report(tmp, report) -> None:
    tmp.seek(0)
    report.write(",".join(REPORT_HEADER) + "\r\n")
    while block := tmp.read(65536):
        report.write(block)


def report_text(summary: Summary) -> str:
    buf = io.StringIO()
    if not summary.written:
        buf.write(
            _(
                "%(rows)d rows: %(bad)d bad, %(skipped)d already recorded, %(valid)d "
                "ready. Nothing was written."
            )
            % {
                "rows": summary.rows,
                "bad": summary.bad_rows,
                "skipped": summary.skipped,
                "valid": summary.rows - summary.bad_rows - summary.skipped,
            }
        )
        _adjustments_text(buf, summary)
        return buf.getvalue()
    buf.write(
        _(
            "%(rows)d rows: %(recorded)d recorded, %(pending)d waiting for review, "
            "%(skipped)d already recorded, %(bad)d bad."
        )
        % {
            "rows": summary.rows,
            "recorded": summary.recorded,
            "pending": summary.pending,
            "skipped": summary.skipped,
            "bad": summary.bad_rows,
        }
    )
    _adjustments_text(buf, summary)
    return buf.getvalue()


def _adjustments_text(buf: io.StringIO, summary: Summary) -> None:
    if summary.adjustments:
        buf.write(" ")
        buf.write(
            _(
                "%(n)d rows are dated inside a closed month: they are booked on the first "
                "open day as adjustments to their months."
            )
            % {"n": summary.adjustments}
        )
