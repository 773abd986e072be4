from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "reports.answers"
    label = "answers"
    verbose_name = _("Answers to residents' queries")
    default_auto_field = "django.db.models.BigAutoField"
