from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckingConfig(AppConfig):
    name = "reports.checking"
    label = "checking"
    verbose_name = _("Residents' receipt checks")
    default_auto_field = "django.db.models.BigAutoField"
