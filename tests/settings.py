"""Test settings: the product's one settings file, with a test-only secret.

Only environment defaults are set here; DATABASE_URL and CELERY_BROKER_URL pass through,
so the same suite runs on SQLite (default) and on PostgreSQL with a real broker.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from fundmgr.conf.settings import *  # noqa: E402,F403

# Production security settings stay on (DEBUG is off) except the HTTPS redirect, which
# would turn every test request into a 301.
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="fundmgr-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="fundmgr-test-static-"))
SIGNING_KEY_PATH = Path(tempfile.mkdtemp(prefix="fundmgr-test-key-")) / "signing-ed25519.pem"
IMPORT_JOBS_IN_THREAD = False  # tasks inline as the tests expect; tests/security runs the thread
# force_login() logs a user in with no OTP device, so the unit tests of officer and
# auditor pages would all land on the second-factor page: enforcement is off here and
# on in tests/security/ (override_settings) and in the browser tests' server.
TWO_FACTOR_ENFORCED = False
# Each pytest-xdist worker has its own test database, so its tasks go to its own queue:
# a worker started by one test process must never run another's task on the wrong books.
if os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE = f"fundmgr-tests-{os.environ['PYTEST_XDIST_WORKER']}"
