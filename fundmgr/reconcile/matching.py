"""Proposing which recorded items a statement line pays: pure functions over plain
facts, no database, so the rules are tested exhaustively.

In order: (1) exact - a reference of the line is the item's reference and the amounts
are equal; (2) amount and date - the same amount within a few days, the closest date
first; (3) one line for many items - a platform's daily settlement paying out one day's
sales: the unmatched items of one day whose amounts add up to the line's. Each item is
proposed for one line at most; nothing is proposed across accounts or signs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

WINDOW_DAYS = 3
GROUP_MAX = 500  # items in one settlement line


@dataclass(frozen=True)
class LineFact:
    id: int
    date: dt.date
    amount_fen: int
    refs: tuple[str, ...]
    memo: str = ""


@dataclass(frozen=True)
class ItemFact:
    kind: str
    id: int
    date: dt.date
    amount_fen: int  # signed as the account moves: money in is positive
    reference: str = ""
    label: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass(frozen=True)
class Proposal:
    line: LineFact
    items: tuple[ItemFact, ...]
    method: str  # exact | amount_date | group


def _refers(line: LineFact, item: ItemFact) -> bool:
    ref = item.reference.strip()
    if not ref:
        return False
    return ref in line.refs or (len(ref) >= 6 and ref in line.memo)


def propose(
    lines: Sequence[LineFact], items: Sequence[ItemFact], window_days: int = WINDOW_DAYS
) -> list[Proposal]:
    """Proposals for unmatched lines among unmatched items (both of one account)."""
    free = {i.key: i for i in sorted(items, key=lambda i: (i.date, i.kind, i.id))}
    by_ref: dict[str, list[ItemFact]] = defaultdict(list)
    for item in free.values():
        if item.reference:
            by_ref[item.reference.strip()].append(item)
    found: list[Proposal] = []
    waiting: list[LineFact] = []
    ordered = sorted(lines, key=lambda x: (x.date, x.id))
    for line in ordered:
        hit = None
        for ref in line.refs:
            hit = next(
                (
                    i
                    for i in by_ref.get(ref, ())
                    if i.key in free and i.amount_fen == line.amount_fen
                ),
                None,
            )
            if hit:
                break
        if hit is None:
            hit = next(
                (
                    i
                    for i in free.values()
                    if i.amount_fen == line.amount_fen and i.reference and _refers(line, i)
                ),
                None,
            )
        if hit is not None:
            del free[hit.key]
            found.append(Proposal(line, (hit,), "exact"))
        else:
            waiting.append(line)
    window = dt.timedelta(days=window_days)
    by_amount: dict[int, list[ItemFact]] = defaultdict(list)
    for item in free.values():
        by_amount[item.amount_fen].append(item)
    still: list[LineFact] = []
    for line in waiting:
        candidates = [
            i
            for i in by_amount.get(line.amount_fen, ())
            if i.key in free and abs(i.date - line.date) <= window
        ]
        if candidates:
            best = min(candidates, key=lambda i: (abs(i.date - line.date), i.date, i.kind, i.id))
            del free[best.key]
            found.append(Proposal(line, (best,), "amount_date"))
        else:
            still.append(line)
    for line in still:
        by_day: dict[dt.date, list[ItemFact]] = defaultdict(list)
        for item in free.values():
            same_sign = (item.amount_fen > 0) == (line.amount_fen > 0)
            if same_sign and dt.timedelta(0) <= line.date - item.date <= window:
                by_day[item.date].append(item)
        for day in sorted(by_day, key=lambda d: line.date - d):
            group = by_day[day]
            if 1 < len(group) <= GROUP_MAX and sum(i.amount_fen for i in group) == line.amount_fen:
                for i in group:
                    del free[i.key]
                found.append(Proposal(line, tuple(group), "group"))
                break
    return sorted(found, key=lambda p: (p.line.date, p.line.id))
