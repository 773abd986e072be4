from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "fundmgr.spaces"
    label = "spaces"
    verbose_name = _("Spaces let for services")
    default_auto_field = "django.db.models.BigAutoField"
