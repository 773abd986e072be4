from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "fundmgr.decisions"
    label = "decisions"
    verbose_name = _("Decisions of the community's bodies")
    default_auto_field = "django.db.models.BigAutoField"
