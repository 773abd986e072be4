from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InflowsConfig(AppConfig):
    name = "fundmgr.inflows"
    label = "inflows"
    verbose_name = _("Donations, charity markets and purchase contracts")
    default_auto_field = "django.db.models.BigAutoField"
