from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundmgrConfig(AppConfig):
    name = "fundmgr"
    verbose_name = _("Community service funds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
