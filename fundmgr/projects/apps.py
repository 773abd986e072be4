from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "fundmgr.projects"
    label = "projects"
    verbose_name = _("Community projects and earmarks")
    default_auto_field = "django.db.models.BigAutoField"
