"""E-mail subscribers of a community's notices, or of one of its projects. Addresses are
never shown publicly; only the office's admin lists them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundmgr.models import Community


class SubscriptionState(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")


class Subscription(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    # None: the community's notices (months, answers); a project: that project's events.
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project followed"),
    )
    email = models.EmailField(_("e-mail address"))
    state = models.CharField(
        max_length=12, choices=SubscriptionState.choices, default=SubscriptionState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Confirmation mails sent, so a form cannot mail one address over and over.
    confirmations_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("e-mail subscription")
        verbose_name_plural = _("e-mail subscriptions")
        # One row per address and scope, so each has its own opt-in and unsubscribe link.
        constraints = [
            models.UniqueConstraint(
                fields=["community", "email"],
                condition=Q(project__isnull=True),
                name="subscription_once",
            ),
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=Q(project__isnull=False),
                name="subscription_project_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community.code} #{self.pk} {self.state}"
