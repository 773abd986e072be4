from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReconcileConfig(AppConfig):
    name = "fundmgr.reconcile"
    label = "reconcile"
    verbose_name = _("Bank reconciliation")
    default_auto_field = "django.db.models.BigAutoField"
