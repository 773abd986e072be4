from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import Query


class AnswerVersion(models.Model):
    """One published wording of an answer. Rows are only ever added (services.query_answer):
    the first is what residents first read, each later one an edit."""

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="answer_versions")
    number = models.PositiveIntegerField(_("version"))
    answer = models.TextField(_("answer"), max_length=2000)
    answered_by = models.CharField(_("answered by"), max_length=150)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("answer version")
        verbose_name_plural = _("answer versions")
        ordering = ["query", "number"]
        constraints = [
            models.UniqueConstraint(fields=["query", "number"], name="answer_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.query_id} v{self.number}"
