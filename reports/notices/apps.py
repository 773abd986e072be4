from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "reports.notices"
    label = "notices"
    verbose_name = _("Notices to residents")
    default_auto_field = "django.db.models.BigAutoField"
