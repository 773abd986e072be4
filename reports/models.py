"""Periods (a month per community) and their published disclosures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.dates import month_end
from fundmgr.models import Community


class PeriodState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


class Period(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="periods")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    state = models.CharField(
        _("state"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    close_requested_by = models.CharField(_("close requested by"), max_length=150, blank=True)
    close_requested_at = models.DateTimeField(_("close requested at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    close_confirmed_by = models.CharField(_("close confirmed by"), max_length=150, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.CharField(_("published by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["community_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="period_once"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="period_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.community.code} {self.label}"

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def last_day(self) -> dt.date:
        return month_end(self.month)


class Disclosure(models.Model):
    """The immutable published snapshot of a period (公示). `document` is the canonical
    JSON exactly as published; `digest` is its SHA-256; the tree head is signed."""

    period = models.OneToOneField(Period, on_delete=models.PROTECT, related_name="disclosure")
    document = models.TextField()
    digest = models.CharField(max_length=64, unique=True)
    tree_size = models.BigIntegerField()
    tree_root = models.CharField(max_length=64)
    signed_head = models.TextField(help_text="canonical JSON of the signed tree head")
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=32)
    window_ends_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.period} {self.digest[:12]}"

    def window_open(self) -> bool:
        """Residents may still ask about the month (质询)."""
        return timezone.now() <= self.window_ends_at


class Query(models.Model):
    """质询: a resident's question about a published month, answered in public. The
    optional contact is for the office only and never shown."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="queries")
    question = models.TextField(_("question"), max_length=1000)
    contact = models.CharField(_("contact (kept private)"), max_length=100, blank=True)
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=150, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident query")
        verbose_name_plural = _("resident queries")
        ordering = ["asked_at"]

    def __str__(self) -> str:
        return f"{self.period}: {self.question[:30]}"


class IntegrityCheck(models.Model):
    """A run of ledger verification over one community's book (on demand or nightly)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="integrity_checks"
    )
    ran_at = models.DateTimeField(auto_now_add=True)
    ran_by = models.CharField(max_length=150)  # a username, or "nightly"
    ok = models.BooleanField()
    entries = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    problems = models.TextField(blank=True)
    # The check of meaning beside the check of integrity (reports/checks.py); None for
    # runs made before it existed.
    books_ok = models.BooleanField(null=True)
    books_problems = models.TextField(blank=True)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.community.code} {self.ran_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"


class StatementFile(models.Model):
    """A generated statement, cached by what it was made from: the same request over the
    same ledger (its chain head) is served from here instead of being drawn again."""

    key = models.CharField(max_length=64, unique=True)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    month = models.DateField()
    party = models.CharField(max_length=40, blank=True)
    fmt = models.CharField(max_length=5)
    state = models.CharField(max_length=10, default="queued")  # queued, running, done, failed
    file = models.FileField(upload_to="statements/", blank=True)
    digest = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.community.code} {self.kind} {self.month:%Y-%m} {self.fmt} {self.state}"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened: new evidence after it was closed")


class RedFlag(models.Model):
    """风险预警, kept as an incident: one finding about stable objects (a payee, an officer
    and a month, an invoice number, a provider), named by `key`. Each screening appends
    the evidence it has not seen before (FlagEvidence) and updates the strength; it never
    raises the same finding twice. An auditor closes it with a note; new evidence after
    that reopens it, visibly (status "reopened", and a FlagEvent)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="red_flags")
    rule = models.CharField(_("rule"), max_length=30)
    severity = models.CharField(_("severity"), max_length=10)
    # No counts or dates in a key: they change with every screening (issue #17 found
    # 1,022 open rows for 98 distinct findings).
    key = models.CharField(max_length=300)
    subject = models.CharField(_("about"), max_length=200, blank=True)
    explanation = models.TextField(_("explanation"))
    # The explanation as the rule said it: an English msgid and its parameters, so each
    # reader sees it in their own language (`explanation` keeps the default language's
    # text, and the text of flags raised before #17).
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    # How sure the rule is, 0-100 (the auditor's page sorts by severity, then this).
    strength = models.PositiveSmallIntegerField(_("strength"), default=50)
    # What the rule assumed (e.g. why Benford's law applies here) - said on the flag.
    basis = models.TextField(_("basis"), blank=True)
    # The latest evidence items as plain labels, for the list (the full trail is in
    # FlagEvidence).
    evidence = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last new evidence"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    times_reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        ordering = ["closed_at", "-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "rule", "key"], name="red_flag_once"),
            models.CheckConstraint(
                condition=models.Q(strength__lte=100), name="red_flag_strength_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community.code} {self.rule} {self.key}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def text(self) -> str:
        """The explanation in the reader's language (flags raised before #17 kept only
        their stored text)."""
        from django.utils.translation import gettext

        from .redflags.rules import WORDS

        if not self.message:
            return self.explanation

        def word(value):
            if isinstance(value, str) and all(w in WORDS for w in value.split(", ")):
                return (
                    "、".join(gettext(w) for w in value.split(", "))
                    if translation.get_language().startswith("zh")
                    else ", ".join(gettext(w) for w in value.split(", "))
                )
            return value

        params = {k: word(v) for k, v in self.params.items()}
        try:
            return gettext(self.message) % params if params else gettext(self.message)
        except (KeyError, TypeError, ValueError):
            return self.explanation

    @property
    def basis_text(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.basis) if self.basis else ""

    @property
    def rule_label(self) -> str:
        from django.utils.translation import gettext

        from .redflags.rules import RULE_LABELS

        return gettext(RULE_LABELS[self.rule]) if self.rule in RULE_LABELS else self.rule

    @property
    def severity_label(self) -> str:
        from django.utils.translation import gettext

        from .redflags.rules import SEVERITY_LABELS

        return gettext(SEVERITY_LABELS.get(self.severity, self.severity))


class FlagEvidence(models.Model):
    """One piece of evidence of an incident, appended once: `ref` names the object
    ("income:41", "disbursement:7", "attachment:3", "month:2026-05") and never changes."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="evidence_items")
    ref = models.CharField(max_length=120)
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True, blank=True)
    label = models.CharField(max_length=200)
    detail = models.CharField(max_length=300, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["found_at", "id"]
        constraints = [models.UniqueConstraint(fields=["flag", "ref"], name="evidence_once")]

    def __str__(self) -> str:
        return f"{self.flag_id} {self.ref}"

    @property
    def detail_text(self) -> str:
        """The detail with its words ("reversed", "holiday") in the reader's language."""
        from django.utils.translation import gettext

        from .redflags.rules import WORDS

        return " · ".join(
            gettext(part) if part in WORDS else part for part in self.detail.split(" · ")
        )


class FlagEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    EVIDENCE = "evidence", _("New evidence")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CARRIED = "carried", _("Carried over from the earlier screening")


class FlagEvent(models.Model):
    """The incident's history: raised, new evidence, closed (who, why), reopened."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=FlagEventKind.choices)
    at = models.DateTimeField()
    by = models.CharField(max_length=150, blank=True)  # a username, or "screening"
    note = models.TextField(blank=True)
    evidence_added = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.flag_id} {self.kind} {self.at:%Y-%m-%d}"


class EvidenceFingerprint(models.Model):
    """What an evidence file says, beyond its bytes: the digest of a PDF's extracted text
    and a 256-bit difference hash of an image, so a re-saved copy of one document (new
    bytes, new SHA-256) is still recognised. Computed once per attachment."""

    attachment = models.OneToOneField(
        "fundmgr.Attachment", on_delete=models.CASCADE, related_name="fingerprint"
    )
    text_digest = models.CharField(max_length=64, blank=True)
    image_hash = models.CharField(max_length=64, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.attachment_id} {self.text_digest[:8] or self.image_hash[:8]}"


class Relation(models.TextChoices):
    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    IN_LAW = "in_law", _("Relative by marriage")
    OTHER_RELATIVE = "relative", _("Other close relative")
    BUSINESS = "business", _("Business owned or run by me or a relative")


class InterestDeclaration(models.Model):
    """利益冲突申报: a member of staff or of the committee declares, for one community,
    their close relatives, the businesses they or relatives run and the bank accounts of
    each. Private: shown to that community's auditors only, never on a public page or
    the open-data API; red flags match payees against it."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="interest_declarations",
        verbose_name=_("community"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interest_declarations",
        verbose_name=_("declared by"),
    )
    declared_on = models.DateField(_("declared on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        ordering = ["community_id", "user_id", "-declared_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user", "declared_on"], name="declaration_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community.code} {self.user} {self.declared_on}"


class DeclaredInterest(models.Model):
    declaration = models.ForeignKey(
        InterestDeclaration, on_delete=models.CASCADE, related_name="interests"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("name (person or business)"), max_length=100)
    bank_account = models.CharField(_("bank account"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("declared relative or interest")
        verbose_name_plural = _("declared relatives and interests")

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"
