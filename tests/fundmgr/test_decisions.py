"""Decisions: meetings against their quorum, the prior review of major matters, two
tallies by two people, and the one check of a cited decision item."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from djmoney.money import Money

from fundmgr.decisions import services as decisions
from fundmgr.decisions.models import DecisionItem, Meeting, Outcome, Tally
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    # Messages asserted in English (the msgids); one test reads them in Chinese.
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def world():
    c = f.community()
    officer = f.user(None, (c, "officer"))
    reviewer = f.user(None, (c, "reviewer"))
    return c, officer, reviewer


def _meeting(c, officer, present=7, **kw):
    return decisions.meeting_record(
        community=c,
        body="council",
        reference=kw.pop("reference", "议〔2026〕1号"),
        held_on=dt.date(2026, 6, 1),
        members_entitled=9,
        members_present=present,
        user=officer,
        minutes_sha256=kw.pop("minutes_sha256", f.MINUTES_SHA),
        items=kw.pop("items", [{"title": "活动室改造"}]),
        **kw,
    )


def test_a_passed_item_has_two_agreeing_tallies_and_a_majority(world):
    c, officer, reviewer = world
    meeting = _meeting(c, officer)
    assert meeting.quorum == 5  # more than half of 9
    item = meeting.items.get()
    decisions.tally_enter(item=item, user=officer, votes_for=5, votes_against=1, votes_abstain=1)
    item.refresh_from_db()
    assert item.outcome == Outcome.AWAITING
    decisions.tally_enter(item=item, user=reviewer, votes_for=5, votes_against=1, votes_abstain=1)
    item.refresh_from_db()
    assert (item.outcome, item.votes_for, item.votes_abstain) == (Outcome.PASSED, 5, 1)
    assert decisions.item_cite(item, community=c, on=dt.date(2026, 6, 2)) == item


def test_votes_without_quorum_are_refused_and_nothing_written(world):
    c, officer, _reviewer = world
    item = _meeting(c, officer, present=4).items.get()
    with pytest.raises(ValidationError) as exc:
        decisions.tally_enter(
            item=item, user=officer, votes_for=4, votes_against=0, votes_abstain=0
        )
    assert "without a quorum" in str(exc.value)
    assert not Tally.objects.exists()


def test_the_same_person_entering_both_tallies_is_refused(world):
    c, officer, _reviewer = world
    item = _meeting(c, officer).items.get()
    decisions.tally_enter(item=item, user=officer, votes_for=6, votes_against=0, votes_abstain=0)
    with pytest.raises(ValidationError) as exc:
        decisions.tally_enter(
            item=item, user=officer, votes_for=6, votes_against=0, votes_abstain=0
        )
    assert decisions.SAME_TALLIER in str(exc.value)
    assert Tally.objects.count() == 1


def test_differing_tallies_are_both_kept_and_the_item_is_disputed(world):
    c, officer, reviewer = world
    item = _meeting(c, officer).items.get()
    decisions.tally_enter(item=item, user=officer, votes_for=6, votes_against=0, votes_abstain=0)
    decisions.tally_enter(item=item, user=reviewer, votes_for=5, votes_against=1, votes_abstain=0)
    item.refresh_from_db()
    assert item.outcome == Outcome.DISPUTED and item.votes_for is None
    assert Tally.objects.filter(item=item).count() == 2
    with pytest.raises(ValidationError, match="not passed"):
        decisions.item_cite(item, community=c)


def test_a_major_matter_needs_its_prior_review_before_the_vote(world):
    c, officer, reviewer = world
    item = _meeting(
        c, officer, items=[{"title": "大额采购", "amount": Money(25000, "CNY")}]
    ).items.get()
    assert item.needs_prior_review  # at or above the community's collective-decision limit
    with pytest.raises(ValidationError, match="前置审议"):
        decisions.tally_enter(
            item=item, user=officer, votes_for=6, votes_against=0, votes_abstain=0
        )
    with pytest.raises(ValidationError, match="on or before"):
        decisions.prior_review_record(
            item=item,
            body="社区党委会",
            held_on=dt.date(2026, 6, 2),
            outcome="agreed",
            user=officer,
        )
    decisions.prior_review_record(
        item=item, body="社区党委会", held_on=dt.date(2026, 5, 28), outcome="agreed", user=officer
    )
    decisions.tally_enter(item=item, user=officer, votes_for=6, votes_against=0, votes_abstain=0)
    decisions.tally_enter(item=item, user=reviewer, votes_for=6, votes_against=0, votes_abstain=0)
    item.refresh_from_db()
    assert item.outcome == Outcome.PASSED


@pytest.mark.parametrize(
    "change, field",
    [
        ({"members_present": 10}, "members_present"),
        ({"members_entitled": 0}, "members_entitled"),
        ({"minutes_sha256": "not a hash"}, "minutes"),
        ({"items": []}, "items"),
        ({"held_on": dt.date(2026, 7, 1)}, "held_on"),
        ({"body": "nobody"}, "body"),
    ],
)
def test_bad_meetings_are_refused_naming_the_field(world, change, field):
    c, officer, _reviewer = world
    args = {
        "community": c,
        "body": "council",
        "reference": "议〔2026〕9号",
        "held_on": dt.date(2026, 6, 1),
        "members_entitled": 9,
        "members_present": 7,
        "user": officer,
        "minutes_sha256": f.MINUTES_SHA,
        "items": [{"title": "x"}],
        **change,
    }
    with pytest.raises(ValidationError) as exc:
        decisions.meeting_record(**args)
    assert field in exc.value.message_dict
    assert not Meeting.objects.exists() and not DecisionItem.objects.exists()


def test_the_minutes_file_is_kept_by_its_sha256(world):
    import hashlib

    c, officer, _reviewer = world
    data = b"%PDF-1.4\n minutes"
    meeting = _meeting(c, officer, minutes_sha256="", minutes=SimpleUploadedFile("jiyao.pdf", data))
    assert meeting.minutes_sha256 == hashlib.sha256(data).hexdigest()
    assert meeting.minutes_file.name.endswith(f"{meeting.minutes_sha256}.pdf")


def test_a_decision_of_another_community_cannot_be_cited(world):
    c, officer, reviewer = world
    other = f.community()
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="another community"):
        decisions.item_cite(item, community=other)
    with pytest.raises(ValidationError, match="after"):
        decisions.item_cite(item, community=c, on=dt.date(2026, 5, 1))
