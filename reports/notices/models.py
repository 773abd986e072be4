"""E-mail subscribers of a community's notices. Addresses are never shown publicly;
only the office's admin lists them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fundmgr.models import Community


class SubscriptionState(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")


class Subscription(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
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
        constraints = [
            models.UniqueConstraint(fields=["community", "email"], name="subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.community.code} #{self.pk} {self.state}"
