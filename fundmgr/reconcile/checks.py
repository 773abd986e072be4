"""The deposit rules of `check_books` (reports/checks.py): every posted cash deposit is
exactly Dr 银行存款 / Cr 库存现金 of its amount, and every such transfer in the ledger is
a deposit someone recorded and someone else approved - cash cannot leave 库存现金 for the
bank by a posting that bypassed the review. (Cash on hand below zero on any day is the
general overdraft check: 库存现金 is one of the money accounts.)"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ledger.models import Line

from ..models import Community
from .models import CashDeposit, DepositStatus
from .selectors import BANK_ACCOUNT, CASH_ACCOUNT


@dataclass(frozen=True)
class Problem:
    what: str  # wrong_posting | unrecorded_transfer
    entry_seq: int
    date: dt.date
    amount_fen: int
    slip: str = ""


def deposit_problems(community: Community) -> list[Problem]:
    lines: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    heads: dict[int, tuple[int, dt.date]] = {}
    cash_entries = Line.objects.filter(
        entry__book_id=community.book_id, account__code=CASH_ACCOUNT
    ).values_list("entry_id", flat=True)
    for entry_id, seq, day, code, fen in Line.objects.filter(entry_id__in=cash_entries).values_list(
        "entry_id", "entry__seq", "entry__date", "account__code", "amount_fen"
    ):
        lines[entry_id][code] += fen
        heads[entry_id] = (seq, day)
    deposits = {
        d.entry_id: d
        for d in CashDeposit.objects.filter(community=community, status=DepositStatus.POSTED)
    }
    found = []
    for entry_id, deposit in deposits.items():
        seq, day = heads.get(entry_id, (0, deposit.deposited_on))
        want = {BANK_ACCOUNT: deposit.amount_fen, CASH_ACCOUNT: -deposit.amount_fen}
        if dict(lines.get(entry_id, {})) != want:
            found.append(
                Problem("wrong_posting", seq, day, deposit.amount_fen, deposit.slip_reference)
            )
    for entry_id, legs in lines.items():
        if entry_id in deposits:
            continue
        legs = {k: v for k, v in legs.items() if v}
        if set(legs) == {CASH_ACCOUNT, BANK_ACCOUNT} and legs[BANK_ACCOUNT] > 0:
            seq, day = heads[entry_id]
            found.append(Problem("unrecorded_transfer", seq, day, legs[BANK_ACCOUNT]))
    return sorted(found, key=lambda p: (p.date, p.entry_seq))
