from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "reports.supervision"
    label = "supervision"
    verbose_name = _("Supervisory committee")
    default_auto_field = "django.db.models.BigAutoField"
