"""Settings come from the environment only, refuse bad values, and are deploy-safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env["FUNDMGR_VAR_DIR"] = str(tmp_path)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": "p" * 20 + "a-real-looking-production-secret-key-1234567890",
    "ALLOWED_HOSTS": "funds.example.org",
    "SITE_URL": "https://funds.example.org",
}


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = run_manage("check", env_overrides={"ALLOWED_HOSTS": "x.org"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("command", ["migrate", "check", "createcachetable"])
def test_every_command_names_the_missing_secret_not_a_traceback(tmp_path, command):
    result = run_manage(command, env_overrides={}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert result.stderr.startswith("fundmgr: SECRET_KEY must be set")
    assert "Traceback" not in result.stderr


def test_makemigrations_check_needs_no_key_and_writes_nothing(tmp_path):
    # It reads the models and compares them with the migrations: nothing it does is
    # signed, so a fresh checkout can run it off DEBUG with no SECRET_KEY.
    result = run_manage(
        "makemigrations", "--check", "--dry-run", env_overrides={}, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL must be postgres://"),
        ("CELERY_BROKER_URL", "kafka://x", "CELERY_BROKER_URL must be redis://"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("SECURE_HSTS_SECONDS", "a year", "is not an integer"),
    ],
)
def test_a_bad_value_is_refused_by_name(tmp_path, name, value, message):
    result = run_manage("check", env_overrides={**PRODUCTION, name: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_default_database_is_sqlite_under_the_var_directory(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME']); print(settings.CELERY_TASK_ALWAYS_EAGER)",
        env_overrides={"DEBUG": "1"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    engine_line, eager_line = result.stdout.strip().splitlines()[-2:]
    assert engine_line == f"django.db.backends.sqlite3 {tmp_path / 'fundmgr.sqlite3'}"
    assert eager_line == "True"


def test_a_broker_url_turns_inline_tasks_off(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CELERY_RESULT_BACKEND)",
        env_overrides={"DEBUG": "1", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5"},
        tmp_path=tmp_path,
    )
    assert result.stdout.strip().splitlines()[-1] == "False redis://127.0.0.1:6379/5"


@pytest.mark.parametrize("key", ["x", "short-but-not-fifty-characters-long", "a" * 80])
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    result = run_manage("check", env_overrides={**PRODUCTION, "SECRET_KEY": key}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_warns_when_site_url_is_unset(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=env, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "fundmgr.W001" in result.stdout + result.stderr


def test_a_malformed_trusted_proxy_is_refused_by_name(tmp_path):
    result = run_manage(
        "check",
        env_overrides={**PRODUCTION, "TRUSTED_PROXIES": "10.0.0.1,proxy"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
