"""Proposals, projects, their earmarks, milestones, acceptance, the payments citing them
and the annual plan. Rows change only through fundmgr.projects.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField

from ..chart import EARMARK_PREFIX
from ..decisions.models import DecisionItem
from ..models import MONEY, Community, Disbursement


class Category(models.TextChoices):
    ELDERLY = "elderly", _("Care for the elderly")
    CHILDREN = "children", _("Children and youth")
    ENVIRONMENT = "environment", _("Environment and greenery")
    FACILITIES = "facilities", _("Repairs and facilities")
    CULTURE = "culture", _("Culture and sport")
    HELP = "help", _("Help for families in need")
    OTHER = "other", _("Other")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for moderation")
    ACCEPTED = "accepted", _("Accepted for consideration")
    DECLINED = "declined", _("Not accepted")
    PROJECT = "project", _("Became a project")


class Proposal(models.Model):
    """微实事: a resident's proposal, from the public site or a paper form."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    estimated_cost = MoneyField(_("estimated cost"), **MONEY)
    location = models.CharField(_("location"), max_length=200, blank=True)
    # Kept private: never on a public page, never in the published document.
    proposer_name = models.CharField(_("proposer (kept private)"), max_length=100, blank=True)
    contact = models.CharField(_("contact (kept private)"), max_length=100, blank=True)
    on_paper = models.BooleanField(_("entered from a paper form"), default=False)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    moderation_note = models.CharField(_("moderation note"), max_length=300, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def public(self) -> bool:
        return self.status in (ProposalStatus.ACCEPTED, ProposalStatus.PROJECT)


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("project status", "Proposed")
    REVIEWED = "reviewed", pgettext_lazy("project status", "Reviewed")
    DECIDED = "decided", pgettext_lazy("project status", "Decided")
    IN_PROGRESS = "progress", pgettext_lazy("project status", "In progress")
    ACCEPTED = "accepted", pgettext_lazy("project status", "Accepted (验收)")
    CLOSED = "closed", pgettext_lazy("project status", "Closed")
    REJECTED = "rejected", pgettext_lazy("project status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("project status", "Cancelled")


# Payments may cite a project in these states; never a closed, rejected or cancelled one.
PAYABLE = frozenset({ProjectStatus.DECIDED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED})
ENDED = frozenset({ProjectStatus.CLOSED, ProjectStatus.REJECTED, ProjectStatus.CANCELLED})


class Project(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="projects")
    number = models.PositiveIntegerField(_("project number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="project"
    )
    provider = models.CharField(
        _("who carries it out (payee)"),
        max_length=100,
        blank=True,
        help_text=_("The provider or contractor paid for the work; it may not accept it."),
    )
    status = models.CharField(
        max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decision = models.ForeignKey(
        DecisionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    decided_amount = MoneyField(_("amount decided"), null=True, blank=True, **MONEY)
    decided_on = models.DateField(null=True, blank=True)
    earmark_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released = MoneyField(_("remainder returned"), null=True, blank=True, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["community_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="projects_number_once"),
            # A project past "decided" always has its decision, amount and earmark.
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "reviewed", "rejected"])
                | Q(decision__isnull=False, earmark_entry__isnull=False)
                | Q(status="cancelled"),
                name="projects_decided_has_earmark",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community.code}-{self.number} {self.title}"

    @property
    def earmark_code(self) -> str:
        return f"{EARMARK_PREFIX}{self.number}"


class StatusChange(models.Model):
    """Every move of a project's status, with who, when and why: the project's history."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=10, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ProjectStatus.choices)
    on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.from_status}->{self.to_status} {self.on}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("planned for"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Acceptance(models.Model):
    """验收: resident representatives' acceptance of the work, before the final payment."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="acceptance")
    on = models.DateField(_("accepted on"))
    # Names are kept for the record; the public page shows them masked.
    representatives = models.JSONField(_("resident representatives"))
    evidence_sha256 = models.CharField(_("record SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.project_id} {self.on}"


class ProjectPayment(models.Model):
    """What a disbursement cites: a project's earmark, or - for an emergency - a reason
    why it has none (flagged)."""

    disbursement = models.OneToOneField(
        Disbursement, on_delete=models.PROTECT, related_name="project_payment"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    final = models.BooleanField(_("final payment"), default=False)
    emergency_reason = models.CharField(_("why no earmark"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | ~Q(emergency_reason=""),
                name="projects_payment_cites_or_explains",
            )
        ]

    def __str__(self) -> str:
        return f"{self.disbursement_id} -> {self.project_id}"


class Plan(models.Model):
    """年度使用计划: the year's plan of the fund by category, approved by a decision."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    decision = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="plans")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="projects_plan_once")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.year}"


class PlanLine(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="lines")
    category = models.CharField(max_length=20, choices=Category.choices)
    amount = MoneyField(**MONEY)

    class Meta:
        ordering = ["plan_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "category"], name="projects_plan_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"
