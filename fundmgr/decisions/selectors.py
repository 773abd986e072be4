"""Public records of decisions: what a page, the API and the month document say of a
meeting and its items - bodies, dates, counts and hashes, never a person."""

from __future__ import annotations

import datetime as dt

from ..models import Community
from .models import DecisionItem, Meeting, OnlineVote, Outcome


def passed_items(community):
    """The passed items of a community's meetings, newest meeting first: what a record
    may cite (item_cite still checks the date it authorises)."""
    return (
        DecisionItem.objects.filter(meeting__community=community, outcome=Outcome.PASSED)
        .select_related("meeting")
        .order_by("-meeting__held_on", "-meeting_id", "number")
    )


def item_ref(item: DecisionItem) -> dict:
    """How a record citing a decision item names it: stable across documents."""
    m = item.meeting
    return {
        "meeting": m.reference,
        "item": item.number,
        "body": m.body,
        "held_on": m.held_on.isoformat(),
        "title": item.title,
        "outcome": item.outcome,
        "votes": {
            "for": item.votes_for,
            "against": item.votes_against,
            "abstain": item.votes_abstain,
        },
    }


def meeting_doc(meeting: Meeting) -> dict:
    items = []
    for item in meeting.items.order_by("number"):
        review = getattr(item, "prior_review", None)
        tallies = list(item.tallies.order_by("entered_at", "pk"))
        items.append(
            {
                "number": item.number,
                "title": item.title,
                "amount": f"{item.amount.amount:.2f}" if item.amount is not None else None,
                "major": item.needs_prior_review,
                "prior_review": (
                    {
                        "body": review.body,
                        "held_on": review.held_on.isoformat(),
                        "outcome": review.outcome,
                        "reference": review.reference,
                    }
                    if review
                    else None
                ),
                "votes": {
                    "for": item.votes_for,
                    "against": item.votes_against,
                    "abstain": item.votes_abstain,
                },
                "outcome": item.outcome,
                # Both counts of the paper ballots, by position (1st, 2nd), no names.
                "tallies": [list(t.counts) for t in tallies],
                "tallies_differ": len(tallies) == 2 and tallies[0].counts != tallies[1].counts,
            }
        )
    return {
        "reference": meeting.reference,
        "body": meeting.body,
        "held_on": meeting.held_on.isoformat(),
        "members_entitled": meeting.members_entitled,
        "members_present": meeting.members_present,
        "quorum": meeting.quorum,
        "quorate": meeting.quorate,
        "minutes_sha256": meeting.minutes_sha256,
        "items": items,
    }


def online_result(meeting: Meeting) -> dict | None:
    """What the public decision page says of a meeting's online vote: counts only."""
    vote = OnlineVote.objects.filter(meeting=meeting).first()
    if vote is None:
        return None
    tallies = {t.item_id: t for t in vote.tallies.all()}
    items = []
    for item in vote.items.order_by("number"):
        t = tallies.get(item.pk)
        items.append(
            {
                "number": item.number,
                "title": item.title,
                "votes": (
                    {"for": t.votes_for, "against": t.votes_against, "abstain": t.votes_abstain}
                    if t
                    else None
                ),
            }
        )
    return {
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "counted": vote.closed_at is not None,
        "codes_issued": vote.codes_issued,
        "votes_cast": vote.codes.filter(used=True).count(),
        "items": items,
    }


def document_part(community: Community, start: dt.date, end: dt.date) -> list[dict]:
    """The month document's `decisions` key: the meetings held in the month."""
    return [
        meeting_doc(m)
        for m in Meeting.objects.filter(
            community=community, held_on__gte=start, held_on__lte=end
        ).order_by("held_on", "reference")
    ]
