"""Reads of reconciliation: the recorded items of a money account, the proposals for
its unmatched statement lines, and the month's 余额调节表 (what the books say, what the
statement says, the items between them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Sum

from ledger.models import Account, Line
from ledger.models import Entry as LedgerEntry
from ledger.selectors import net_by_account

from ..chart import METHOD_ACCOUNTS
from ..lib import dates
from ..lib.money import fen
from ..models import Community, Disbursement, Income, IncomeStatus, PaymentMethod, Settlement
from . import matching
from .models import CashDeposit, DepositStatus, ItemKind, Match, MatchItem, Statement, StatementLine

CASH_ACCOUNT = METHOD_ACCOUNTS[PaymentMethod.CASH][0]
BANK_ACCOUNT = METHOD_ACCOUNTS[PaymentMethod.BANK][0]
# The accounts an outside statement exists for; cash on hand has none (deposits and
# the limits watch it).
STATEMENT_ACCOUNTS = {
    code: (method, name)
    for method, (code, name) in METHOD_ACCOUNTS.items()
    if method in (PaymentMethod.BANK, PaymentMethod.WECHAT, PaymentMethod.ALIPAY)
}


def account_name(code: str) -> str:
    for c, name in METHOD_ACCOUNTS.values():
        if c == code:
            return name
    return code


def settings_of(community: Community):
    from .models import ReconcileSettings

    found = ReconcileSettings.objects.filter(community=community).first()
    return found or ReconcileSettings(community=community)


def _method(code: str) -> str:
    return STATEMENT_ACCOUNTS[code][0] if code in STATEMENT_ACCOUNTS else PaymentMethod.CASH


def book_items(
    community: Community,
    code: str,
    *,
    since: dt.date | None = None,
    through: dt.date | None = None,
    unmatched: bool = False,
) -> list[matching.ItemFact]:
    """Every recorded movement of the account, dated as the ledger books it (with
    `unmatched`, only those no statement line is matched to yet)."""
    method = _method(code)

    def span(qs, name, kind=None):
        if since is not None:
            qs = qs.filter(**{f"{name}__gte": since})
        if through is not None:
            qs = qs.filter(**{f"{name}__lte": through})
        if unmatched:
            qs = qs.exclude(
                pk__in=MatchItem.objects.filter(community=community, kind=kind).values("object_id")
            )
        return qs

    items: list[matching.ItemFact] = []
    incomes = Income.objects.filter(
        community=community, method=method, status__in=[IncomeStatus.POSTED, IncomeStatus.REVERSED]
    )
    for pk, day, amount, ref, receipt in span(incomes, "entry__date", ItemKind.INCOME).values_list(
        "pk", "entry__date", "amount", "external_ref", "receipt_code"
    ):
        items.append(matching.ItemFact(ItemKind.INCOME, pk, day, fen(amount), ref or "", receipt))
    reversed_ = incomes.filter(status=IncomeStatus.REVERSED)
    for pk, day, amount, ref, receipt in span(
        reversed_, "reversal_entry__date", ItemKind.REVERSAL
    ).values_list("pk", "reversal_entry__date", "amount", "external_ref", "receipt_code"):
        items.append(
            matching.ItemFact(ItemKind.REVERSAL, pk, day, -fen(amount), ref or "", receipt)
        )
    settlements = Settlement.objects.filter(community=community, method=method)
    for pk, day, amount, ref in span(settlements, "entry__date", ItemKind.SETTLEMENT).values_list(
        "pk", "entry__date", "amount", "bank_reference"
    ):
        items.append(matching.ItemFact(ItemKind.SETTLEMENT, pk, day, -fen(amount), ref, ref))
    paid = Disbursement.objects.filter(community=community, method=method, status="posted")
    for pk, day, amount, ref, payee in span(paid, "entry__date", ItemKind.DISBURSEMENT).values_list(
        "pk", "entry__date", "amount", "payment_reference", "payee"
    ):
        items.append(matching.ItemFact(ItemKind.DISBURSEMENT, pk, day, -fen(amount), ref, payee))
    if code in (BANK_ACCOUNT, CASH_ACCOUNT):
        sign = 1 if code == BANK_ACCOUNT else -1
        deposits = CashDeposit.objects.filter(community=community, status=DepositStatus.POSTED)
        for pk, day, amount, ref in span(deposits, "entry__date", ItemKind.DEPOSIT).values_list(
            "pk", "entry__date", "amount_fen", "slip_reference"
        ):
            items.append(matching.ItemFact(ItemKind.DEPOSIT, pk, day, sign * amount, ref, ref))
    items += _other_postings(community, code, span)
    return sorted(items, key=lambda i: (i.date, i.kind, i.id))


def _other_postings(community, code, span) -> list[matching.ItemFact]:
    """Every other line of the account's ledger (donations, restricted spending, rents,
    market takings...), one item per entry: what moved the account but is none of the
    kinds above is still a book item a statement line can be matched to."""
    entries = span(LedgerEntry.objects.filter(book_id=community.book_id), "date", ItemKind.ENTRY)
    # The kinds above, by NOT EXISTS on each one's link to its entry (all indexed): one
    # query, no ids brought back. (LEFT JOINs with IS NULL here made PostgreSQL's planner
    # loop over every line of the book for each report.)
    known = [
        Income.objects.filter(entry_id=OuterRef("entry_id")),
        Income.objects.filter(reversal_entry_id=OuterRef("entry_id")),
        Settlement.objects.filter(entry_id=OuterRef("entry_id")),
        Disbursement.objects.filter(entry_id=OuterRef("entry_id")),
        CashDeposit.objects.filter(entry_id=OuterRef("entry_id")),
    ]
    lines = Line.objects.filter(
        entry_id__in=entries.values("pk"), account_id=_account_id(community, code)
    )
    for linked in known:
        lines = lines.filter(~Exists(linked))
    lines = lines.values("entry_id", "entry__date", "entry__memo").annotate(total=Sum("amount_fen"))
    return [
        matching.ItemFact(
            ItemKind.ENTRY,
            row["entry_id"],
            row["entry__date"],
            row["total"],
            "",
            (row["entry__memo"] or "")[:60],
        )
        for row in lines
        if row["total"]
    ]


def _account_id(community: Community, code: str) -> int | None:
    return (
        Account.objects.filter(book_id=community.book_id, code=code)
        .values_list("pk", flat=True)
        .first()
    )


def line_fact(line: StatementLine) -> matching.LineFact:
    return matching.LineFact(line.pk, line.date, line.amount_fen, tuple(line.refs), line.memo)


def matched_keys(community: Community, since: dt.date | None = None) -> dict[tuple[str, int], int]:
    """(kind, id) of every matched item (of lines dated from `since` on) -> the id of
    its statement line."""
    found = MatchItem.objects.filter(community=community)
    if since is not None:
        found = found.filter(match__line__date__gte=since)
    return {
        (kind, oid): line_id
        for kind, oid, line_id in found.values_list("kind", "object_id", "match__line_id")
    }


def proposals(
    community: Community, code: str, through: dt.date | None = None
) -> list[matching.Proposal]:
    lines = StatementLine.objects.filter(community=community, account_code=code, match__isnull=True)
    if through is not None:
        lines = lines.filter(date__lte=through + dt.timedelta(days=matching.WINDOW_DAYS))
    facts = [line_fact(x) for x in lines]
    if not facts:
        return []
    first = min(f.date for f in facts) - dt.timedelta(days=matching.WINDOW_DAYS)
    taken = matched_keys(community, since=first - dt.timedelta(days=62))
    items = [i for i in book_items(community, code, since=first) if i.key not in taken]
    return matching.propose(facts, items)


# --- The month's 余额调节表 -------------------------------------------------------------
@dataclass
class Entry:
    side: str  # "book" (recorded, not on the statement) | "statement" (not in the books)
    date: dt.date
    amount_fen: int
    label: str
    kind: str = ""
    in_transit: bool = False  # matched by a later line / item: only timing
    line_id: int | None = None


@dataclass
class Report:
    community: Community
    code: str
    month: dt.date
    status: str  # reconciled | unexplained | incomplete | no_statement | quiet
    book_fen: int = 0
    statement_fen: int | None = None
    covered: bool = False
    book_only: list[Entry] = field(default_factory=list)
    statement_only: list[Entry] = field(default_factory=list)

    @property
    def name(self) -> str:
        return account_name(self.code)

    @property
    def adjusted_book_fen(self) -> int:
        return self.book_fen + sum(e.amount_fen for e in self.statement_only)

    @property
    def adjusted_statement_fen(self) -> int:
        return (self.statement_fen or 0) + sum(e.amount_fen for e in self.book_only)

    @property
    def difference_fen(self) -> int:
        if self.statement_fen is None:
            return 0
        return self.adjusted_book_fen - self.adjusted_statement_fen

    def _of(self, transit: bool) -> list[Entry]:
        return [e for e in self.book_only + self.statement_only if e.in_transit == transit]

    @property
    def in_transit(self) -> list[Entry]:
        return self._of(True)

    @property
    def unexplained(self) -> list[Entry]:
        return self._of(False)

    @property
    def transit_in(self) -> list[Entry]:
        return [e for e in self.in_transit if e.amount_fen > 0]

    @property
    def transit_out(self) -> list[Entry]:
        return [e for e in self.in_transit if e.amount_fen < 0]


def report(community: Community, code: str, month: dt.date) -> Report:
    start, end = dates.month_range(month)
    first = (
        Statement.objects.filter(community=community, account_code=code)
        .order_by("first_date")
        .values_list("first_date", "opening_fen")
        .first()
    )
    net = net_by_account(community.book, through=end).get(code, 0)
    result = Report(community, code, month, "no_statement", book_fen=net)
    if first is None or first[0] > end:
        moved = _moved(community, code, start, end)
        result.status = "no_statement" if moved else "quiet"
        return result
    since = first[0]
    # Settled history does not change a month's report: before `recent`, only what is
    # still unmatched counts (a standing difference stays in every later report), so a
    # report reads about three months however long the books run.
    recent = max(since, dates.add_months(start, -2))
    result.covered = (
        Statement.objects.filter(
            community=community, account_code=code, last_date__gte=end
        ).exists()
        or StatementLine.objects.filter(
            community=community, account_code=code, date__gt=end
        ).exists()
    )
    last = (
        StatementLine.objects.filter(community=community, account_code=code, date__lte=end)
        .order_by("-date", "-id")
        .values_list("balance_fen", flat=True)
        .first()
    )
    result.statement_fen = last if last is not None else first[1]
    account_lines = StatementLine.objects.filter(community=community, account_code=code)
    lines = {x.pk: x for x in account_lines.filter(date__gte=recent)}
    older_lines = account_lines.filter(date__gte=since, date__lt=recent, match__isnull=True)
    lines |= {x.pk: x for x in older_lines}
    items = {i.key: i for i in book_items(community, code, since=recent)}
    if recent > since:
        older = book_items(
            community, code, since=since, through=recent - dt.timedelta(days=1), unmatched=True
        )
        items |= {i.key: i for i in older}
    taken = matched_keys(community, since=recent - dt.timedelta(days=62))
    line_items: dict[int, list[tuple[str, int]]] = {}
    for key, line_id in taken.items():
        line_items.setdefault(line_id, []).append(key)
    # Book side: recorded by the month's end, not on a statement line by then.
    unmatched_pairs = {
        k[1] for k in items if k[0] == ItemKind.REVERSAL and k not in taken and items[k].date <= end
    }
    for key, item in items.items():
        if item.date > end:
            continue
        if (
            key[0] in (ItemKind.INCOME, ItemKind.REVERSAL)
            and key[1] in unmatched_pairs
            and ((ItemKind.INCOME, key[1]) not in taken)
        ):
            continue  # a mistake taken back: recorded and reversed, no money moved
        line = lines.get(taken.get(key, -1))
        if line is not None and line.date <= end:
            continue
        result.book_only.append(
            Entry(
                "book",
                item.date,
                item.amount_fen,
                item.label or item.reference,
                item.kind,
                line is not None,
            )
        )
    for line in lines.values():
        if line.date > end:
            continue
        keys = line_items.get(line.pk)
        if keys is not None and all(
            items.get(k) is not None and items[k].date <= end for k in keys
        ):
            continue
        result.statement_only.append(
            Entry(
                "statement",
                line.date,
                line.amount_fen,
                line.memo or line.reference,
                in_transit=keys is not None,
                line_id=line.pk,
            )
        )
    result.book_only.sort(key=lambda e: (e.date, e.label))
    result.statement_only.sort(key=lambda e: (e.date, e.label))
    if not result.covered:
        result.status = "incomplete"
    elif result.unexplained or result.difference_fen:
        result.status = "unexplained"
    else:
        result.status = "reconciled"
    return result


def _moved(community: Community, code: str, start: dt.date, end: dt.date) -> bool:
    from ledger.models import Line

    return Line.objects.filter(
        entry__book_id=community.book_id,
        account__code=code,
        entry__date__gte=start,
        entry__date__lte=end,
    ).exists()


def unreconciled_months(
    community: Community, months: Iterable[dt.date]
) -> list[tuple[dt.date, str, str]]:
    """(month, account, "no_statement" | "incomplete") of the given months for each
    statement account that moved in the month and has no statement reaching its end: the
    cheap half of the report, for the red flag that looks at every closed month."""
    from ledger.models import Line

    spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for code, first, last in Statement.objects.filter(community=community).values_list(
        "account_code", "first_date", "last_date"
    ):
        spans.setdefault(code, []).append((first, last))
    moved = {
        (code, day.replace(day=1))
        for code, day in Line.objects.filter(
            entry__book_id=community.book_id, account__code__in=list(STATEMENT_ACCOUNTS)
        )
        .values_list("account__code", "entry__date")
        .distinct()
    }
    found = []
    for month in months:
        end = dates.month_end(month)
        for code in sorted(STATEMENT_ACCOUNTS):
            if (code, month) not in moved:
                continue
            mine = spans.get(code, [])
            if not any(first <= end for first, _last in mine):
                found.append((month, code, "no_statement"))
            elif not any(last >= end for _first, last in mine):
                found.append((month, code, "incomplete"))
    return found


def month_reports(community: Community, month: dt.date) -> list[Report]:
    """The month's report of each statement account that had a statement or movement."""
    found = [report(community, code, month) for code in sorted(STATEMENT_ACCOUNTS)]
    return [r for r in found if r.status != "quiet"]


def reconciled(community: Community, month: dt.date) -> tuple[bool, list[Report]]:
    reports = month_reports(community, month)
    return all(r.status == "reconciled" for r in reports), reports


def close_problem(community: Community, month: dt.date) -> str | None:
    """Why the month may not close yet, when the community closes only reconciled months."""
    from django.utils.translation import gettext as _

    if not settings_of(community).require_for_close:
        return None
    ok, reports = reconciled(community, month)
    if ok:
        return None
    names = ", ".join(f"{r.code} {r.name}" for r in reports if r.status != "reconciled")
    return _("%(month)s is not reconciled yet (%(accounts)s): reconcile the statements first.") % {
        "month": f"{month:%Y-%m}",
        "accounts": names,
    }


def cash_on_hand_days(community: Community) -> list[tuple[dt.date, int]]:
    """库存现金 at the end of each day it moved."""
    from ledger.meaning import daily_changes
    from ledger.models import Account

    account = Account.objects.filter(book_id=community.book_id, code=CASH_ACCOUNT).first()
    if account is None:
        return []
    balance, out = 0, []
    for day, net in daily_changes(community.book, [account.pk]).get(account.pk, []):
        balance += net
        out.append((day if isinstance(day, dt.date) else dt.date.fromisoformat(day), balance))
    return out


def undeposited_cash(community: Community) -> list[tuple[matching.ItemFact, int]]:
    """Cash incomes not yet covered by deposits, oldest first (first in, first banked):
    (income, fen of it still on hand)."""
    moves = book_items(community, CASH_ACCOUNT)
    queue: list[list] = []
    out = 0
    for item in moves:
        if item.kind == ItemKind.INCOME:
            queue.append([item, item.amount_fen])
        else:
            out += -item.amount_fen
    # Refunds and deposits take the oldest cash first.
    for entry in queue:
        take = min(out, entry[1])
        entry[1] -= take
        out -= take
    return [(item, left) for item, left in queue if left > 0]


def statement_accounts(community: Community) -> Iterable[tuple[str, str]]:
    return [(code, name) for code, (_m, name) in sorted(STATEMENT_ACCOUNTS.items())]


def matched_of(community: Community, line_ids: Iterable[int]) -> dict[int, Match]:
    return {
        m.line_id: m
        for m in Match.objects.filter(
            community=community, line_id__in=list(line_ids)
        ).prefetch_related("items")
    }


def month_summary(community: Community, month: dt.date) -> dict:
    """What the published month says of its reconciliation: per account, counts and
    totals only - no counterparty, no reference, no line."""
    from ..lib.money import yuan

    accounts = []
    for r in month_reports(community, month):
        unexplained = r.unexplained
        accounts.append(
            {
                "account": r.code,
                "name": r.name,
                "status": r.status,
                "book_balance": yuan(r.book_fen),
                "statement_balance": yuan(r.statement_fen) if r.statement_fen is not None else None,
                "in_transit": {
                    "count": len(r.in_transit),
                    "amount": yuan(sum(e.amount_fen for e in r.in_transit)),
                },
                "unexplained": {
                    "count": len(unexplained),
                    "amount": yuan(sum(abs(e.amount_fen) for e in unexplained)),
                },
                "difference": yuan(r.difference_fen),
            }
        )
    return {
        "reconciled": bool(accounts) and all(a["status"] == "reconciled" for a in accounts),
        "unexplained_count": sum(a["unexplained"]["count"] for a in accounts),
        "unexplained_amount": yuan(sum(fen(a["unexplained"]["amount"]) for a in accounts)),
        "accounts": accounts,
    }
