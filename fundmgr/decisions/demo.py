"""Decisions for the demo's other records to cite: a quorate meeting whose items are each
reviewed beforehand (前置审议) and counted twice, so every item passes."""

from __future__ import annotations

import datetime as dt
import hashlib

from djmoney.money import Money

from . import services as decisions
from .models import DecisionItem


def passed_items(
    community,
    officer,
    reviewer,
    *,
    held_on: dt.date,
    reference: str,
    titles: list[tuple[str, Money | None]],
    body: str = "joint",
) -> list[DecisionItem]:
    """One meeting of `body` with the given (title, sum) items, all major and passed."""
    meeting = decisions.meeting_record(
        community=community,
        body=body,
        reference=reference,
        held_on=held_on,
        members_entitled=9,
        members_present=8,
        user=officer,
        minutes_sha256=hashlib.sha256(f"{community.code} {reference}".encode()).hexdigest(),
        items=[{"title": title, "amount": amount, "major": True} for title, amount in titles],
    )
    items = list(meeting.items.order_by("number"))
    for item in items:
        decisions.prior_review_record(
            item=item,
            body=f"{community.name}党委会",
            held_on=held_on,
            outcome="agreed",
            user=officer,
        )
        for who in (officer, reviewer):
            decisions.tally_enter(
                item=item, user=who, votes_for=7, votes_against=1, votes_abstain=0
            )
    return list(meeting.items.order_by("number"))
