from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Disclosure and reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ledger.verify import register_head_source

        from .heads import signed_heads_of_book

        # Every check of a book recomputes the roots this app signed (DESIGN 4.3a).
        register_head_source(signed_heads_of_book)
