"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Receipts' QR codes and statements print SITE_URL: unset, they point residents at
    http://127.0.0.1:8000, which opens nothing on their phones."""
    if settings.DEBUG or getattr(settings, "SITE_URL_SET", True):
        return []
    return [
        checks.Warning(
            "SITE_URL is not set: receipts and statements would print http://127.0.0.1:8000.",
            hint="Set SITE_URL to the public https:// address of this deployment.",
            id="fundmgr.W001",
        )
    ]
