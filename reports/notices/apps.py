from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "reports.notices"
    label = "notices"
    verbose_name = _("Notices to residents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fundmgr.projects.signals import project_event

        from .services import on_project_event

        # fundmgr cannot import reports (tests/test_layers.py): it announces, we mail.
        project_event.connect(on_project_event, dispatch_uid="notices.project_event")
