"""Periods (a month per community) and their published disclosures."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
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


class RedFlag(models.Model):
    """风险预警: raised by screening, closed by an auditor with a note (kept)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="red_flags")
    rule = models.CharField(_("rule"), max_length=30)
    severity = models.CharField(_("severity"), max_length=10)
    key = models.CharField(max_length=300)
    explanation = models.TextField(_("explanation"))
    evidence = models.JSONField(default=list)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["closed_at", "-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "rule", "key"], name="red_flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.community.code} {self.rule} {self.key}"
