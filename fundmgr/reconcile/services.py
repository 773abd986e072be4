"""Every change reconciliation makes, each in one transaction: a bank's column mapping,
a statement imported (all its lines or none), a match confirmed, a cash deposit recorded
and, by a reviewer who did not record it, posted or rejected.

None of them changes a recorded income, settlement or disbursement: a match only says
which statement line paid which recorded items, and only when their amounts agree."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from ledger import services as ledger
from ledger.models import Account, Book

from ..access import require_role
from ..imports.files import FileError, raw_rows
from ..lib.dates import today
from ..lib.money import from_fen, yuan
from ..models import Community, Role
from ..services.drafts import money_problem
from ..services.posting import accounting_date, shortfall_problem
from . import formats
from .models import (
    BankMapping,
    CashDeposit,
    DepositStatus,
    ItemKind,
    Match,
    MatchItem,
    Statement,
    StatementFormat,
    StatementLine,
)
from .selectors import BANK_ACCOUNT, CASH_ACCOUNT, STATEMENT_ACCOUNTS, book_items, matched_keys

MAX_FILE = 20 * 1024 * 1024
FORMAT_ACCOUNTS = {
    StatementFormat.BANK: BANK_ACCOUNT,
    StatementFormat.WECHAT_TRADES: "1012.01",
    StatementFormat.WECHAT_FUNDS: "1012.01",
    StatementFormat.ALIPAY: "1012.02",
}


class StatementRefused(ValidationError):
    """The file has bad rows: nothing of it was imported. `rows` are (row, message)."""

    def __init__(self, rows: Sequence[tuple[int, str]]):
        self.rows = list(rows)
        super().__init__(
            [
                (_("Row %(row)d: %(message)s") % {"row": r, "message": m}) if r else m
                for r, m in self.rows[:200]
            ]
        )


@dataclass
class ImportResult:
    statement: Statement | None
    lines: int
    skipped: int
    errors: list[tuple[int, str]] = field(default_factory=list)


def mapping_save(*, community: Community, bank: str, columns: dict[str, str], user) -> BankMapping:
    """Keep which column of this bank's export holds what."""
    require_role(user, community, Role.OFFICER)
    bank = (bank or "").strip()
    if not bank or len(bank) > 100:
        raise ValidationError({"bank": _("Name the bank (at most 100 characters).")})
    columns = {
        k: str(v or "").strip()[:100] for k, v in columns.items() if k in formats.BANK_FIELDS
    }
    if problem := formats.mapping_problem(columns):
        raise ValidationError({"columns": problem})
    mapping, _created = BankMapping.objects.update_or_create(
        community=community, bank=bank, defaults={"columns": columns}
    )
    return mapping


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def statement_import(
    *,
    community: Community,
    format: str,
    path: Path,
    user,
    original_name: str = "",
    bank: str = "",
    account_code: str | None = None,
    opening_fen: int | None = None,
    through: dt.date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Read a statement file and keep its new lines (a line whose transaction number is
    already kept is skipped and counted). Any bad row refuses the whole file. The
    statement covers the period its summary lines state, or up to `through`, or up to
    its last line."""
    require_role(user, community, Role.OFFICER)
    if format not in StatementFormat.values:
        raise ValidationError({"format": _("Choose the kind of statement.")})
    code = account_code or FORMAT_ACCOUNTS[format]
    if code not in STATEMENT_ACCOUNTS:
        raise ValidationError({"account_code": _("Choose the bank or platform account.")})
    path = Path(path)
    if path.stat().st_size > MAX_FILE:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    columns = None
    if format == StatementFormat.BANK:
        mapping = BankMapping.objects.filter(community=community, bank=(bank or "").strip()).first()
        if mapping is None:
            raise ValidationError(
                {"bank": _("Set up the columns of this bank's statements first.")}
            )
        columns = mapping.columns
    try:
        parsed = formats.read(format, raw_rows(path), columns)
    except FileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if parsed.errors:
        raise StatementRefused(parsed.errors)
    with transaction.atomic():
        # One import per account at a time: the running balance continues the last one.
        Community.objects.select_for_update().filter(pk=community.pk).first()
        known = set(
            StatementLine.objects.filter(
                community=community,
                account_code=code,
                reference__in=[line.reference for line in parsed.lines],
            ).values_list("reference", flat=True)
        )
        new = [line for line in parsed.lines if line.reference not in known]
        if not new or dry_run:
            return ImportResult(None, len(new), len(parsed.lines) - len(new))
        previous = (
            StatementLine.objects.filter(community=community, account_code=code)
            .order_by("-date", "-id")
            .values_list("balance_fen", flat=True)
            .first()
        )
        if parsed.balance_stated:
            opening = parsed.opening_fen
            if len(new) != len(parsed.lines):
                # Part of the file was imported before: its balances still hold per line.
                opening = new[0].balance_fen - new[0].amount_fen
        else:
            opening = opening_fen if opening_fen is not None else (previous or 0)
            running = opening
            for line in new:
                running += line.amount_fen
                line.balance_fen = running
        statement = Statement.objects.create(
            community=community,
            account_code=code,
            format=format,
            bank=(bank or "").strip()[:100],
            original_name=(original_name or path.name)[:200],
            sha256=_digest(path),
            first_date=min([line.date for line in new] + [d for d in (parsed.start,) if d]),
            last_date=max([line.date for line in new] + [d for d in (parsed.end, through) if d]),
            opening_fen=opening,
            closing_fen=new[-1].balance_fen,
            balance_stated=parsed.balance_stated,
            lines_count=len(new),
            skipped=len(parsed.lines) - len(new),
            imported_by=user,
        )
        try:
            with transaction.atomic():
                StatementLine.objects.bulk_create(
                    [
                        StatementLine(
                            statement=statement,
                            community=community,
                            account_code=code,
                            row=line.row,
                            date=line.date,
                            amount_fen=line.amount_fen,
                            fee_fen=line.fee_fen,
                            balance_fen=line.balance_fen,
                            reference=line.reference,
                            other_refs=line.other_refs,
                            counterparty=line.counterparty,
                            memo=line.memo,
                        )
                        for line in new
                    ],
                    batch_size=1000,
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"file": _("Another import of these lines ran at the same time; try again.")}
            ) from exc
        return ImportResult(statement, len(new), statement.skipped)


def _check_match(line: StatementLine, wanted: set, candidates: dict, taken: set) -> None:
    if not wanted:
        raise ValidationError(_("Choose the recorded items this line paid."))
    missing = wanted - set(candidates)
    if missing:
        raise ValidationError(
            _("%(item)s is not a recorded movement of this account near the line's date.")
            % {"item": ":".join(map(str, sorted(missing)[0]))}
        )
    if wanted & taken:
        raise ValidationError(_("One of these items is already matched to another line."))
    total = sum(candidates[k].amount_fen for k in wanted)
    if total != line.amount_fen:
        raise ValidationError(
            _(
                "The items add up to %(total)s but the line is %(line)s: a match must be "
                "exact. Record what is missing instead."
            )
            % {"total": yuan(total), "line": yuan(line.amount_fen)}
        )


def _save_matches(
    community: Community, found: list[tuple[StatementLine, set, str]], candidates, user
) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            matches = Match.objects.bulk_create(
                [
                    Match(
                        community=community,
                        line=line,
                        method=method[:16],
                        confirmed_by=user,
                        confirmed_at=now,
                    )
                    for line, _wanted, method in found
                ]
            )
            if any(m.pk is None for m in matches):  # backends that return no ids
                by_line = dict(
                    Match.objects.filter(line__in=[line for line, _w, _m in found]).values_list(
                        "line_id", "pk"
                    )
                )
                for m in matches:
                    m.pk = by_line[m.line_id]
            MatchItem.objects.bulk_create(
                [
                    MatchItem(
                        match=match,
                        community=community,
                        kind=k,
                        object_id=i,
                        amount_fen=candidates[(k, i)].amount_fen,
                    )
                    for match, (_line, wanted, _method) in zip(matches, found, strict=True)
                    for k, i in sorted(wanted)
                ],
                batch_size=1000,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Someone matched these items a moment ago.")) from exc


def match_confirm(
    *,
    community: Community,
    line: StatementLine,
    items: Sequence[tuple[str, int]],
    user,
    method: str = "manual",
) -> Match:
    """The officer confirms that `line` paid these recorded items: they must be of the
    line's account, not matched yet, and add up to the line's amount exactly."""
    require_role(user, community, Role.OFFICER)
    if line.community_id != community.pk:
        raise PermissionError(_("This statement line is not of this community."))
    wanted = {(str(k), int(i)) for k, i in items}
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        if Match.objects.filter(line=line).exists():
            raise ValidationError(_("This statement line is already matched."))
        window = dt.timedelta(days=60)
        candidates = {
            i.key: i
            for i in book_items(
                community, line.account_code, since=line.date - window, through=line.date + window
            )
        }
        _check_match(line, wanted, candidates, set(matched_keys(community)))
        _save_matches(community, [(line, wanted, method)], candidates, user)
    return Match.objects.get(line=line)


def proposals_confirm(*, community: Community, code: str, user, methods=("exact",)) -> int:
    """Confirm every proposal of these kinds for the account at once (the officer's
    "confirm all exact matches"); how many were confirmed. Each is checked as one
    confirmed alone would be."""
    from .selectors import proposals

    require_role(user, community, Role.OFFICER)
    with transaction.atomic():
        found = [p for p in proposals(community, code) if p.method in methods]
        if not found:
            return 0
        lines = {
            x.pk: x
            # of=self: PostgreSQL locks no row of the outer-joined match table.
            for x in StatementLine.objects.select_for_update(of=("self",)).filter(
                pk__in=[p.line.id for p in found],
                community=community,
                account_code=code,
                match__isnull=True,
            )
        }
        # The proposals were read from the books a moment ago, in this transaction.
        candidates = {i.key: i for p in found for i in p.items}
        earliest = min((x.date for x in lines.values()), default=dt.date.max)
        taken = set(matched_keys(community, since=earliest - dt.timedelta(days=62)))
        todo = []
        for p in found:
            line = lines.get(p.line.id)
            if line is None:
                continue  # matched meanwhile
            wanted = {i.key for i in p.items}
            _check_match(line, wanted, candidates, taken)
            taken |= wanted
            todo.append((line, wanted, p.method))
        _save_matches(community, todo, candidates, user)
    return len(todo)


# --- Cash deposits -----------------------------------------------------------------
def deposit_record(
    *,
    community: Community,
    amount: Money,
    deposited_on: dt.date,
    slip_reference: str,
    user,
    note: str = "",
) -> CashDeposit:
    """An officer records cash paid into the bank; it waits for a reviewer."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if problem := money_problem(community, amount):
        errors.setdefault("amount", []).append(problem[1])
    slip_reference = (slip_reference or "").strip()
    if not slip_reference or len(slip_reference) > 64:
        errors.setdefault("slip_reference", []).append(
            _("Enter the deposit slip number (at most 64 characters).")
        )
    if deposited_on is None or deposited_on > today() or deposited_on.year < 2000:
        errors.setdefault("deposited_on", []).append(
            _("Enter the day it was paid in (not later than today).")
        )
    if errors:
        raise ValidationError(errors)
    fen = ledger.to_fen(amount)
    with transaction.atomic():
        book = Book.objects.select_for_update().get(pk=community.book_id)
        if (
            CashDeposit.objects.filter(community=community, slip_reference=slip_reference)
            .exclude(status=DepositStatus.REJECTED)
            .exists()
        ):
            raise ValidationError({"slip_reference": _("This deposit slip is already recorded.")})
        problem = shortfall_problem(
            book, [(CASH_ACCOUNT, fen)], accounting_date(community, deposited_on, book)
        )
        if problem:
            raise ValidationError({"amount": problem})
        return CashDeposit.objects.create(
            community=community,
            amount_fen=fen,
            deposited_on=deposited_on,
            slip_reference=slip_reference,
            note=(note or "").strip()[:200],
            recorded_by=user,
            recorded_at=timezone.now(),
        )


def _locked_deposit(deposit: CashDeposit) -> CashDeposit:
    return CashDeposit.objects.select_for_update().select_related("community").get(pk=deposit.pk)


@transaction.atomic
def deposit_approve(*, deposit: CashDeposit, reviewer, note: str = "") -> CashDeposit:
    """A reviewer who did not record it approves: Dr 银行存款 / Cr 库存现金 is posted."""
    deposit = _locked_deposit(deposit)
    community = deposit.community
    require_role(reviewer, community, Role.REVIEWER)
    if deposit.status != DepositStatus.PENDING:
        raise ValidationError(_("Only a deposit waiting for review can be approved."))
    if deposit.recorded_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may approve a deposit they recorded themselves."))
    book = Book.objects.select_for_update().get(pk=community.book_id)
    booked = accounting_date(community, deposit.deposited_on, book)
    problem = shortfall_problem(book, [(CASH_ACCOUNT, deposit.amount_fen)], booked)
    if problem:
        raise ValidationError(problem)
    accounts = {
        a.code: a for a in Account.objects.filter(book=book, code__in=[CASH_ACCOUNT, BANK_ACCOUNT])
    }
    amount = Money(from_fen(deposit.amount_fen), community.currency)
    memo = f"现金存入银行 缴款单{deposit.slip_reference}"
    if booked != deposit.deposited_on:
        memo = f"【调整】{memo}（存入日 {deposit.deposited_on.isoformat()}，所属期间已结账）"
    deposit.entry = ledger.post(
        book=book,
        date=booked,
        actor=deposit.recorded_by.get_username(),
        memo=memo,
        legs=[
            ledger.debit(accounts[BANK_ACCOUNT], amount, f"缴款单 {deposit.slip_reference}"),
            ledger.credit(accounts[CASH_ACCOUNT], amount, "现金存入银行"),
        ],
        idempotency_key=f"deposit/{deposit.pk}",
    )
    deposit.status = DepositStatus.POSTED
    deposit.reviewed_by, deposit.reviewed_at, deposit.review_note = (
        reviewer,
        timezone.now(),
        note[:500],
    )
    deposit.save(update_fields=["entry", "status", "reviewed_by", "reviewed_at", "review_note"])
    return deposit


@transaction.atomic
def deposit_reject(*, deposit: CashDeposit, reviewer, reason: str) -> CashDeposit:
    deposit = _locked_deposit(deposit)
    require_role(reviewer, deposit.community, Role.REVIEWER)
    if deposit.status != DepositStatus.PENDING:
        raise ValidationError(_("Only a deposit waiting for review can be rejected."))
    if deposit.recorded_by_id == reviewer.pk:
        raise ValidationError(_("Nobody may review a deposit they recorded themselves."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A rejection needs a reason.")})
    deposit.status = DepositStatus.REJECTED
    deposit.reviewed_by, deposit.reviewed_at, deposit.review_note = (
        reviewer,
        timezone.now(),
        reason[:500],
    )
    deposit.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return deposit


__all__ = ["ItemKind", "StatementRefused", "deposit_approve", "deposit_record", "match_confirm"]
