"""Online resident voting: one vote per household with single-use codes printed on slips
and handed out on paper.

An officer opens a vote on some of a meeting's items for a window and gets N codes, once
(the slips are printed from them; only an HMAC of each is stored). A code casts one
ballot per item and is burned in the same transaction by a conditional UPDATE, so two
submissions of one code count once. Ballot rows hold the item and the choice only - no
time, address, browser or code - so nothing links a vote to a household. After the
window an officer counts: each item's online tally is computed from the ballots, kept,
and shown beside the body's paper tallies (another electorate: it sets no outcome)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..access import require_role
from ..lib.receipts import ALPHABET
from ..models import Role
from .models import (
    Choice,
    DecisionItem,
    Meeting,
    OnlineBallot,
    OnlineCode,
    OnlineTally,
    OnlineVote,
    PriorReview,
    ReviewOutcome,
)

# 60 random bits in Crockford base32 (no I, L, O, U), printed in three groups of four:
# short enough to type from a slip; with failed tries limited per address (below), a
# guess among 2^60 codes for a few thousand households does not succeed.
BITS = 60
LENGTH = BITS // 5
MAX_CODES = 5000
MAX_DAYS = 60
# Failed code tries per client address and hour. Only failures count: households of one
# compound often share one address, and each of them votes with a good code.
FAILED_TRIES_PER_HOUR = 10

_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")

BAD_CODE = gettext_noop("This voting code is not valid. Check it against your slip.")
USED_CODE = gettext_noop("This voting code has already been used: each household votes once.")
NOT_OPEN = gettext_noop(
    "This online vote is not open (it opens at %(opens)s, closes at %(closes)s)."
)
TOO_MANY = gettext_noop("Too many wrong codes from here; try again in an hour.")


def new_code() -> str:
    n = secrets.randbits(BITS)
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(LENGTH - 1, -1, -1))


def normalise(text: str) -> str | None:
    """The code a resident typed, case, spaces and dashes ignored; None if it cannot be one."""
    cleaned = re.sub(r"[\s\-]", "", text or "").upper().translate(_TYPO)
    return cleaned if _VALID.match(cleaned) else None


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def digest(code: str) -> str:
    """The keyed hash stored in place of a code: without the key a copy of the database
    cannot tell which codes are left, nor vote."""
    return hmac.new(settings.VOTE_CODE_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def online_vote_open(
    *,
    meeting: Meeting,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    households: int,
    user,
    numbers: list[int] | None = None,
) -> tuple[OnlineVote, list[str]]:
    """Open an online vote on the meeting's items (all, or those numbered) and make one
    code per household. Returns the vote and the codes - the only time they exist in
    plain: print them now."""
    require_role(user, meeting.community, Role.OFFICER)
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if OnlineVote.objects.filter(meeting=meeting).exists():
        errors["meeting"] = [_("This meeting already has an online vote.")]
    if opens_at is None or closes_at is None:
        errors["opens_at"] = [_("Give the date and time the vote opens and closes.")]
    elif closes_at <= opens_at:
        errors["closes_at"] = [_("The vote must close after it opens.")]
    elif closes_at <= now:
        errors["closes_at"] = [_("The vote must close in the future.")]
    elif closes_at - opens_at > dt.timedelta(days=MAX_DAYS):
        errors["closes_at"] = [_("A vote stays open at most %(n)d days.") % {"n": MAX_DAYS}]
    if households is None or not 1 <= households <= MAX_CODES:
        errors["households"] = [
            _("Give the number of households, 1 to %(n)d: one code each.") % {"n": MAX_CODES}
        ]
    items = list(meeting.items.order_by("number"))
    if numbers:
        wanted = set(numbers)
        items = [i for i in items if i.number in wanted]
        if len(items) != len(wanted):
            errors["items"] = [_("Choose items of this meeting.")]
    if not items:
        errors.setdefault("items", [_("Choose at least one item to vote on.")])
    for item in items:
        review = PriorReview.objects.filter(item=item).first()
        if item.needs_prior_review and review is None:
            errors.setdefault("items", []).append(
                _(
                    "Item %(n)d is a major matter (三重一大): record its prior review (前置审议) first."  # noqa: E501
                )
                % {"n": item.number}
            )
        elif review is not None and review.outcome == ReviewOutcome.NOT_AGREED:
            errors.setdefault("items", []).append(
                _("Item %(n)d: the prior review did not agree to put it to the vote.")
                % {"n": item.number}
            )
    if errors:
        raise ValidationError(errors)
    vote = OnlineVote.objects.create(
        meeting=meeting,
        opens_at=opens_at,
        closes_at=closes_at,
        codes_issued=households,
        opened_by=user,
    )
    vote.items.set(items)
    codes: set[str] = set()
    while len(codes) < households:  # a repeat among 2^60 is unlikely; a set makes it none
        codes.add(new_code())
    plain = sorted(codes)
    OnlineCode.objects.bulk_create([OnlineCode(vote=vote, digest=digest(c)) for c in plain])
    return vote, plain


def _refuse_code(client_key: str, message: str) -> None:
    """A failed try counts against the address (a keyed hash of it, in the cache only)."""
    key = f"decisions:vote-tries:{client_key}"
    cache.add(key, 0, 3600)
    cache.incr(key)
    raise ValidationError({"code": _(message)})


def _check_rate(client_key: str) -> None:
    if (cache.get(f"decisions:vote-tries:{client_key}") or 0) >= FAILED_TRIES_PER_HOUR:
        raise PermissionError(_(TOO_MANY))


def _check_open(vote: OnlineVote) -> None:
    if not vote.is_open(timezone.now()):
        when = {"opens": _local(vote.opens_at), "closes": _local(vote.closes_at)}
        raise ValidationError({"code": _(NOT_OPEN) % when})


def online_code_check(*, code: str, client_key: str) -> tuple[OnlineVote, str]:
    """The vote a typed code belongs to, if it can still vote: what the ballot page shows.
    Returns the vote and the normalised code. Nothing is written but a failed try."""
    _check_rate(client_key)
    normalised = normalise(code)
    row = (
        OnlineCode.objects.select_related("vote__meeting__community")
        .filter(digest=digest(normalised))
        .first()
        if normalised
        else None
    )
    if row is None:
        _refuse_code(client_key, BAD_CODE)
    if row.used:
        raise ValidationError({"code": _(USED_CODE)})
    vote = row.vote
    _check_open(vote)
    return vote, normalised


def online_ballot_cast(
    *, vote: OnlineVote, code: str, choices: dict[int, str], client_key: str
) -> None:
    """One household's ballot: a choice for each item of the vote, and the code burned,
    all in one transaction or nothing."""
    _check_rate(client_key)
    normalised = normalise(code)
    if normalised is None:
        _refuse_code(client_key, BAD_CODE)
    with transaction.atomic():
        # The vote's row lock orders casts against the count (online_vote_close): a ballot
        # is either in the count or refused, never written after it.
        vote = OnlineVote.objects.select_for_update().get(pk=vote.pk)
        _check_open(vote)
        # The burn: a conditional UPDATE and its row count. Of two submissions of one
        # code, the second finds it used (on PostgreSQL it waits for the first's row lock,
        # then re-reads the row), updates nothing and writes nothing.
        burned = OnlineCode.objects.filter(vote=vote, digest=digest(normalised), used=False).update(
            used=True
        )
        if burned != 1:
            if OnlineCode.objects.filter(vote=vote, digest=digest(normalised)).exists():
                raise ValidationError({"code": _(USED_CODE)})
            # Unknown here, or a code of another vote: counted as a failed try.
            _refuse_code(client_key, BAD_CODE)
        # After the burn, so that a used code says so first; refused here, the burn is
        # rolled back with the rest.
        items = list(vote.items.order_by("number"))
        missing = [i.number for i in items if choices.get(i.number) not in Choice.values]
        if missing:
            raise ValidationError(
                {
                    "choices": _("Choose for, against or abstain on every item (missing: %(n)s).")
                    % {"n": ", ".join(str(n) for n in missing)}
                }
            )
        OnlineBallot.objects.bulk_create(
            [OnlineBallot(vote=vote, item=i, choice=choices[i.number]) for i in items]
        )


def online_counts(vote: OnlineVote) -> dict[int, tuple[int, int, int]]:
    """{item id: (for, against, abstain)} from the stored ballots."""
    counts = {i.pk: [0, 0, 0] for i in vote.items.all()}
    order = {Choice.FOR: 0, Choice.AGAINST: 1, Choice.ABSTAIN: 2}
    for row in vote.ballots.values("item_id", "choice").annotate(n=Count("id")):
        counts[row["item_id"]][order[row["choice"]]] = row["n"]
    return {k: tuple(v) for k, v in counts.items()}


@transaction.atomic
def online_vote_close(*, vote: OnlineVote, user) -> list[OnlineTally]:
    """After the window: count the ballots of each item and record them as the item's
    online tally. Once."""
    vote = (
        OnlineVote.objects.select_for_update().select_related("meeting__community").get(pk=vote.pk)
    )
    require_role(user, vote.meeting.community, Role.OFFICER)
    if vote.closed_at is not None:
        raise ValidationError({"vote": _("This online vote is already counted.")})
    if timezone.now() < vote.closes_at:
        raise ValidationError(
            {
                "vote": _("The vote closes at %(closes)s: count it after that.")
                % {"closes": _local(vote.closes_at)}
            }
        )
    tallies = [
        OnlineTally.objects.create(
            item=DecisionItem(pk=item_id),
            vote=vote,
            votes_for=c[0],
            votes_against=c[1],
            votes_abstain=c[2],
        )
        for item_id, c in online_counts(vote).items()
    ]
    vote.closed_at = timezone.now()
    vote.save(update_fields=["closed_at"])
    return tallies
