"""The Django project layer, on top of every app: settings, the root URLconf, the Celery
app, the WSGI entry point and the locale middleware. It may import any app; no app
imports it (tests/test_layers.py). `DJANGO_SETTINGS_MODULE=fundmgr.conf.settings`,
`celery -A fundmgr.conf`, `gunicorn fundmgr.conf.wsgi`."""

from .celery import app as celery_app

__all__ = ("celery_app",)
