"""Recording a meeting, its items, the prior review of major matters and the two
tallies of each item's paper ballots - each in one transaction, refused whole with the
field named - and `item_cite`, the one check other records make of the decision they
cite."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from djmoney.money import Money

from ..access import require_role
from ..lib.dates import today
from ..models import Community, Role
from ..services.payouts import EXTENSIONS, check_upload
from .models import Body, DecisionItem, Meeting, Outcome, PriorReview, ReviewOutcome, Tally

NO_QUORUM = gettext_noop(
    "Only %(present)d of the %(quorum)d members needed were present: no vote can be recorded without a quorum."  # noqa: E501
)
SAME_TALLIER = gettext_noop("The second tally must be entered by another person than the first.")
NEEDS_REVIEW = gettext_noop(
    "This is a major matter (三重一大): record its prior review (前置审议) before the votes."  # noqa: E501
)


def _errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_record(
    *,
    community: Community,
    body: str,
    reference: str,
    held_on: dt.date,
    members_entitled: int,
    members_present: int,
    user,
    quorum: int | None = None,
    minutes=None,
    minutes_sha256: str = "",
    items: list[dict] = (),
) -> Meeting:
    """A meeting with its attendance and items ({title, amount?, major?}). The minutes are
    an uploaded file (kept, and its SHA-256) or only the SHA-256 of a paper scan kept
    elsewhere. Quorum defaults to more than half of the members entitled."""
    require_role(user, community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        errors["reference"] = [_("Give the meeting's reference number (at most 100 characters).")]
    elif Meeting.objects.filter(community=community, reference=reference).exists():
        errors["reference"] = [_("A meeting with this reference is already recorded.")]
    if body not in Body.values:
        errors["body"] = [_("Choose the body that met.")]
    if held_on is None or held_on > today() or held_on.year < 2000:
        errors["held_on"] = [_("Enter the date of the meeting (not later than today).")]
    if members_entitled is None or members_entitled < 1 or members_entitled > 1000:
        errors["members_entitled"] = [_("Enter how many members the body has (1 to 1000).")]
    elif members_present is None or members_present < 0 or members_present > members_entitled:
        errors["members_present"] = [
            _("Members present must be between 0 and the %(n)d members entitled.")
            % {"n": members_entitled}
        ]
    if not errors and quorum is None:
        quorum = members_entitled // 2 + 1
    if not errors and (quorum < 1 or quorum > members_entitled):
        errors["quorum"] = [_("The quorum must be between 1 and the members entitled.")]
    sha = (minutes_sha256 or "").strip().lower()
    content_type = ""
    if minutes is not None:
        try:
            content_type, sha, _size = check_upload(minutes, field="minutes")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        errors["minutes"] = [
            _("Attach the minutes (PDF, JPG or PNG) or give their SHA-256 (64 hex digits).")
        ]
    if not items:
        errors["items"] = [_("A meeting needs at least one item.")]
    for n, item in enumerate(items, start=1):
        title = (item.get("title") or "").strip()
        if not title or len(title) > 300:
            errors.setdefault("items", []).append(
                _("Item %(n)d: say what the matter is (at most 300 characters).") % {"n": n}
            )
        amount = item.get("amount")
        if amount is not None and (
            not isinstance(amount, Money)
            or amount.amount < 0
            or str(amount.currency) != community.currency
        ):
            errors.setdefault("items", []).append(
                _("Item %(n)d: the sum must be zero or more, in %(currency)s.")
                % {"n": n, "currency": community.currency}
            )
    _errors(errors)
    meeting = Meeting(
        community=community,
        body=body,
        reference=reference,
        held_on=held_on,
        members_entitled=members_entitled,
        members_present=members_present,
        quorum=quorum,
        minutes_sha256=sha,
        recorded_by=user,
    )
    if minutes is not None:
        meeting.minutes_name = minutes.name[:200]
        meeting.minutes_file.save(f"{sha}{EXTENSIONS[content_type][0]}", minutes, save=False)
    meeting.save()
    for n, item in enumerate(items, start=1):
        DecisionItem.objects.create(
            meeting=meeting,
            number=n,
            title=item["title"].strip(),
            amount=item.get("amount"),
            major=bool(item.get("major")),
        )
    return meeting


@transaction.atomic
def prior_review_record(
    *, item: DecisionItem, body: str, held_on: dt.date, outcome: str, user, reference: str = ""
) -> PriorReview:
    meeting = item.meeting
    require_role(user, meeting.community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    if not (body or "").strip() or len(body) > 100:
        errors["body"] = [_("Say who reviewed it (at most 100 characters).")]
    if held_on is None or held_on > meeting.held_on:
        errors["held_on"] = [_("A prior review takes place on or before the meeting's day.")]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = [_("Choose the outcome of the review.")]
    if PriorReview.objects.filter(item=item).exists():
        errors["item"] = [_("This item's prior review is already recorded.")]
    if item.tallies.exists() or item.online_votes.exists():
        errors["item"] = [
            _("Votes on this item are already recorded: too late for a prior review.")
        ]
    _errors(errors)
    return PriorReview.objects.create(
        item=item,
        body=body.strip(),
        held_on=held_on,
        outcome=outcome,
        reference=(reference or "").strip()[:100],
        recorded_by=user,
    )


def _result(meeting: Meeting, counts: tuple[int, int, int]) -> str:
    # A majority of the members present, as for the committee vote on disbursements.
    return Outcome.PASSED if counts[0] * 2 > meeting.members_present else Outcome.REJECTED


@transaction.atomic
def tally_enter(
    *, item: DecisionItem, user, votes_for: int, votes_against: int, votes_abstain: int
) -> Tally:
    """One of the two counts of an item's paper ballots. The second, by another person,
    sets the result when it agrees with the first; when they differ both stay recorded
    and the item is marked disputed (a flag), with no result."""
    item = (
        DecisionItem.objects.select_for_update()
        .select_related("meeting__community")
        .get(pk=item.pk)
    )
    meeting = item.meeting
    require_role(user, meeting.community, Role.OFFICER, Role.REVIEWER)
    if not meeting.quorate:
        raise ValidationError(
            {
                "votes_for": _(NO_QUORUM)
                % {"present": meeting.members_present, "quorum": meeting.quorum}
            }
        )
    review = PriorReview.objects.filter(item=item).first()
    if item.needs_prior_review and review is None:
        raise ValidationError({"votes_for": _(NEEDS_REVIEW)})
    if review is not None and review.outcome == ReviewOutcome.NOT_AGREED:
        raise ValidationError(
            {"votes_for": _("The prior review did not agree to put this matter to the vote.")}
        )
    counts = (votes_for, votes_against, votes_abstain)
    if any(c is None or c < 0 for c in counts):
        raise ValidationError({"votes_for": _("Enter each count as a whole number, 0 or more.")})
    if sum(counts) > meeting.members_present:
        raise ValidationError(
            {
                "votes_for": _("%(n)d votes counted but only %(present)d members were present.")
                % {"n": sum(counts), "present": meeting.members_present}
            }
        )
    earlier = list(item.tallies.all())
    if any(t.entered_by_id == user.pk for t in earlier):
        raise ValidationError({"votes_for": _(SAME_TALLIER)})
    if len(earlier) >= 2:
        raise ValidationError({"votes_for": _("Both tallies of this item are already entered.")})
    try:
        with transaction.atomic():
            tally = Tally.objects.create(
                item=item,
                entered_by=user,
                votes_for=votes_for,
                votes_against=votes_against,
                votes_abstain=votes_abstain,
            )
    except IntegrityError as exc:  # a concurrent second tally by the same person
        raise ValidationError({"votes_for": _(SAME_TALLIER)}) from exc
    if earlier:
        if earlier[0].counts == counts:
            item.votes_for, item.votes_against, item.votes_abstain = counts
            item.outcome = _result(meeting, counts)
        else:
            item.outcome = Outcome.DISPUTED
        item.save(update_fields=["votes_for", "votes_against", "votes_abstain", "outcome"])
    return tally


def item_cite(
    item: DecisionItem | None,
    *,
    community: Community,
    on: dt.date | None = None,
    field: str = "decision",
) -> DecisionItem:
    """The check a record citing a decision makes: the item exists, is of this community,
    was passed, and (with `on`) was decided on or before that day. Raises a
    ValidationError naming `field`."""
    if item is None:
        raise ValidationError({field: _("Name the decision item that approved this.")})
    if item.meeting.community_id != community.pk:
        raise ValidationError({field: _("That decision belongs to another community.")})
    if item.outcome != Outcome.PASSED:
        raise ValidationError(
            {
                field: _("That decision item was not passed (%(outcome)s).")
                % {"outcome": item.get_outcome_display()}
            }
        )
    if on is not None and item.meeting.held_on > on:
        raise ValidationError(
            {
                field: _("That decision was taken on %(held)s, after %(on)s.")
                % {"held": item.meeting.held_on.isoformat(), "on": on.isoformat()}
            }
        )
    return item
