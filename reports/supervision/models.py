"""Supervisors, their public keys (with history) and their co-signatures.

Only public keys are stored. The events table is the audit trail of enrolments and key
changes and is published (without logins: `by_role` is what the public sees)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fundmgr.models import Community

from ..models import Disclosure

HEX64 = RegexValidator(r"^[0-9a-f]{64}$", _("64 lower-case hexadecimal characters."))
DEFAULT_QUORUM = 2


class CosignPolicy(models.Model):
    """How many supervisors must co-sign a month within its disclosure window."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="cosign_policy"
    )
    quorum = models.PositiveSmallIntegerField(_("co-signatures needed"), default=DEFAULT_QUORUM)

    class Meta:
        verbose_name = _("co-signing rule")
        verbose_name_plural = _("co-signing rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(quorum__gte=1), name="cosign_quorum_min")
        ]

    def __str__(self) -> str:
        return f"{self.community.code}: {self.quorum}"


class Supervisor(models.Model):
    """A member of the community's supervisory committee (居务监督委员会). The user also
    holds Role.SUPERVISOR in the community (a Membership), which is what page guards
    check; this row carries what the public sees: a display name and a title."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="supervisors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisor_seats"
    )
    display_name = models.CharField(_("public name"), max_length=40)
    title = models.CharField(_("title on the committee"), max_length=40, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    enrolled_by = models.CharField(_("enrolled by"), max_length=150)
    ended_at = models.DateTimeField(_("left the committee at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervisor")
        verbose_name_plural = _("supervisors")
        ordering = ["community_id", "enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="supervisor_once_per_community"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community.code} · {self.display_name}"

    @property
    def public_label(self) -> str:
        return f"{self.title} {self.display_name}" if self.title else self.display_name


class SupervisorKey(models.Model):
    """An Ed25519 public key (raw, hex). The private half stays in the supervisor's
    browser or on their own machine; a revoked key's earlier co-signatures stay valid."""

    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="keys")
    public_key = models.CharField(max_length=64, unique=True, validators=[HEX64])
    key_id = models.CharField(max_length=16, unique=True)
    origin = models.CharField(max_length=10)  # "browser" or "command"
    added_at = models.DateTimeField()
    added_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("supervisor's public key")
        verbose_name_plural = _("supervisors' public keys")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.supervisor} {self.key_id}"


class CoSignature(models.Model):
    """A supervisor's Ed25519 signature over message.cosign_message for one published
    month, checked before it was stored (and checkable by anyone since)."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, related_name="cosignatures"
    )
    supervisor = models.ForeignKey(
        Supervisor, on_delete=models.PROTECT, related_name="cosignatures"
    )
    key = models.ForeignKey(SupervisorKey, on_delete=models.PROTECT, related_name="cosignatures")
    signature = models.CharField(max_length=128)
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "supervisor"], name="cosign_once_per_supervisor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.disclosure} · {self.supervisor}"


class EventKind(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    KEY_ADDED = "key_added", _("key added")
    KEY_REVOKED = "key_revoked", _("key revoked")
    LEFT = "left", _("left the committee")


class SupervisionEvent(models.Model):
    """The published audit trail of the committee: who joined, which keys were added and
    revoked, when and by whom (`by` is the login, kept private; `by_role` is shown)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(Supervisor, on_delete=models.PROTECT, related_name="events")
    key = models.ForeignKey(
        SupervisorKey, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    # "administrator" or "supervisor" (the supervisor themselves): what the public sees.
    by_role = models.CharField(max_length=16)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.kind} {self.supervisor}"
