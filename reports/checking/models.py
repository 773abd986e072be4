"""What residents' checking leaves behind. Nothing here says who looked: no address, no
cookie, no time of a single look-up but the first."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundmgr.models import Income
from reports.models import Period, Query


class ReceiptCheck(models.Model):
    """A published receipt was looked up on the public site or the API after its month
    was published: one row a receipt, with how many look-ups."""

    income = models.OneToOneField(Income, on_delete=models.PROTECT, related_name="public_check")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="receipt_checks")
    first_at = models.DateTimeField(_("first looked up"))
    lookups = models.PositiveIntegerField(_("look-ups"), default=1)

    class Meta:
        verbose_name = _("receipt check")
        verbose_name_plural = _("receipt checks")

    def __str__(self) -> str:
        return f"{self.income_id}: {self.lookups}"


class ConcernKind(models.TextChoices):
    MISSING = "missing", _("No such receipt")
    MISMATCH = "mismatch", _("Does not agree with the published accounts")


class Concern(models.Model):
    """A resident's question that came from a receipt look-up gone wrong: the question
    itself is a Query of the month (published with its answer); this says why it was
    asked, so the auditors see it and the month page counts it."""

    query = models.OneToOneField(Query, on_delete=models.CASCADE, related_name="concern")
    kind = models.CharField(_("kind"), max_length=10, choices=ConcernKind.choices)
    receipt = models.CharField(_("receipt code given"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("receipt concern")
        verbose_name_plural = _("receipt concerns")

    def __str__(self) -> str:
        return f"{self.kind} {self.receipt}"


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("The payer confirms the receipt")
    DISPUTED = "disputed", _("The payer disputes it")
    UNREACHED = "unreached", _("Could not reach the payer")


class PhoneConfirmation(models.Model):
    """An auditor called the payer of a receipt nobody had checked."""

    income = models.ForeignKey(Income, on_delete=models.PROTECT, related_name="confirmations")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="confirmations")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("telephone confirmation")
        verbose_name_plural = _("telephone confirmations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="disputed") | ~Q(note=""),
                name="checking_dispute_has_note",
            )
        ]

    def __str__(self) -> str:
        return f"{self.income_id} {self.outcome}"
