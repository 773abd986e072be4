"""A meeting of a community body, its items and votes, and the prior review of major
matters. Tallies are facts entered by two different people; the item's result is set
only when both agree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from ..models import MONEY, Community


class Body(models.TextChoices):
    RESIDENTS_COUNCIL = "council", _("Residents' council (居民议事会)")
    REPRESENTATIVES = "representatives", _("Residents' representatives' meeting (居民代表会议)")
    JOINT_COMMITTEES = "joint", _("Joint meeting of the two committees (两委联席会议)")
    PARTY_COMMITTEE = "party", _("Community Party committee (社区党组织)")
    OTHER = "other", _("Other body")


BODY_ZH = {
    Body.RESIDENTS_COUNCIL: "居民议事会",
    Body.REPRESENTATIVES: "居民代表会议",
    Body.JOINT_COMMITTEES: "两委联席会议",
    Body.PARTY_COMMITTEE: "社区党组织",
    Body.OTHER: "其他",
}


class Meeting(models.Model):
    """One sitting of a body, with its attendance. Votes on its items are refused unless
    the members present reach the quorum."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="meetings")
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    reference = models.CharField(_("reference number"), max_length=100)
    held_on = models.DateField(_("held on"))
    members_entitled = models.PositiveSmallIntegerField(_("members entitled to attend"))
    members_present = models.PositiveSmallIntegerField(_("members present"))
    quorum = models.PositiveSmallIntegerField(_("quorum (members who must be present)"))
    minutes_sha256 = models.CharField(_("minutes SHA-256"), max_length=64)
    minutes_file = models.FileField(upload_to="minutes/", blank=True)
    minutes_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "reference"], name="decisions_meeting_reference_once"
            ),
            models.CheckConstraint(
                condition=Q(members_present__lte=models.F("members_entitled")),
                name="decisions_present_lte_entitled",
            ),
            models.CheckConstraint(
                condition=Q(quorum__gte=1, quorum__lte=models.F("members_entitled")),
                name="decisions_quorum_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_body_display()} {self.held_on}"

    @property
    def quorate(self) -> bool:
        return self.members_present >= self.quorum


class Outcome(models.TextChoices):
    AWAITING = "awaiting", _("Waiting for the second tally")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Not passed")
    DISPUTED = "disputed", _("Tallies differ: recount needed")


class DecisionItem(models.Model):
    """One matter voted at a meeting: what other records cite as "the decision"."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField(_("item number"))
    title = models.CharField(_("matter"), max_length=300)
    amount = MoneyField(_("sum involved"), null=True, blank=True, **MONEY)
    major = models.BooleanField(
        _("major matter (三重一大)"),
        default=False,
        help_text=_("Also major when the sum reaches the community's collective-decision limit."),
    )
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.AWAITING
    )

    class Meta:
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decisions_item_number"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.reference} 第{self.number}项 {self.title}"

    @property
    def needs_prior_review(self) -> bool:
        community = self.meeting.community
        return self.major or (self.amount is not None and self.amount >= community.committee_from)


class ReviewOutcome(models.TextChoices):
    AGREED = "agreed", _("Agreed to put to the vote")
    AGREED_CHANGED = "changed", _("Agreed with changes")
    NOT_AGREED = "refused", _("Not agreed")


class PriorReview(models.Model):
    """前置审议: the party organisation's review of a major matter before the vote."""

    item = models.OneToOneField(DecisionItem, on_delete=models.PROTECT, related_name="prior_review")
    body = models.CharField(_("reviewed by"), max_length=100)
    held_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prior review")
        verbose_name_plural = _("prior reviews")

    def __str__(self) -> str:
        return f"{self.body} {self.held_on} {self.outcome}"


class Tally(models.Model):
    """One person's count of the paper ballots of an item. Two per item, by two people."""

    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="tallies")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    votes_for = models.PositiveSmallIntegerField()
    votes_against = models.PositiveSmallIntegerField()
    votes_abstain = models.PositiveSmallIntegerField()
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        ordering = ["item_id", "entered_at", "id"]
        constraints = [
            # The database, not only the service, refuses one person counting twice.
            models.UniqueConstraint(fields=["item", "entered_by"], name="decisions_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.counts}"

    @property
    def counts(self) -> tuple[int, int, int]:
        return (self.votes_for, self.votes_against, self.votes_abstain)


class OnlineVote(models.Model):
    """Residents voting online on some of a meeting's items, one vote per household, in a
    window. Households vote with single-use codes handed out on paper; nothing here or in
    the codes and ballots names a household or a person."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="online_vote")
    items = models.ManyToManyField(DecisionItem, related_name="online_votes")
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    codes_issued = models.PositiveIntegerField(_("codes issued"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("online vote")
        verbose_name_plural = _("online votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="decisions_online_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.reference} {self.opens_at:%Y-%m-%d}–{self.closes_at:%Y-%m-%d}"

    def is_open(self, at) -> bool:
        return self.closed_at is None and self.opens_at <= at < self.closes_at


class OnlineCode(models.Model):
    """One printed code, kept only as its keyed hash (HMAC, settings.VOTE_CODE_KEY). No
    time, no order of use, no link to its ballots: `used` is all that is known."""

    vote = models.ForeignKey(OnlineVote, on_delete=models.PROTECT, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")

    def __str__(self) -> str:
        return f"{self.vote_id} {'used' if self.used else 'unused'}"


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class OnlineBallot(models.Model):
    """One household's choice on one item. Deliberately without time, address, browser or
    code: the row says only which item and which choice."""

    vote = models.ForeignKey(OnlineVote, on_delete=models.PROTECT, related_name="ballots")
    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=Choice.choices)

    class Meta:
        verbose_name = _("online ballot")
        verbose_name_plural = _("online ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(choice__in=["for", "against", "abstain"]),
                name="decisions_online_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.choice}"


class OnlineTally(models.Model):
    """The count of an item's online ballots, made once when the vote is counted. Shown
    beside the body's paper tallies: residents' households are another electorate than
    the members present, so it does not set the item's outcome."""

    item = models.OneToOneField(DecisionItem, on_delete=models.PROTECT, related_name="online_tally")
    vote = models.ForeignKey(OnlineVote, on_delete=models.PROTECT, related_name="tallies")
    votes_for = models.PositiveIntegerField()
    votes_against = models.PositiveIntegerField()
    votes_abstain = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("online tally")
        verbose_name_plural = _("online tallies")

    def __str__(self) -> str:
        return f"{self.item_id} {self.counts}"

    @property
    def counts(self) -> tuple[int, int, int]:
        return (self.votes_for, self.votes_against, self.votes_abstain)
