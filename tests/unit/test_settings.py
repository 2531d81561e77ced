"""The production mode passes Django's deployment checks; the embedded mode needs no server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_it_passes_the_deployment_checks_in_production_mode():
    # Without what the suite's own settings put in the environment (plain HTTP).
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT")}
    env.update(
        DEBUG="false",
        SECRET_KEY="a-long-random-secret-key-for-the-test-of-the-deploy-checks-0123456789",
        ALLOWED_HOSTS="cosmo.example",
        DJANGO_SETTINGS_MODULE="cosmo.settings",  # production's own, not the suite's plain-HTTP settings
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.SECRET_KEY"],
        cwd=ROOT,
        env=dict(env, DJANGO_SETTINGS_MODULE="cosmo.settings"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_defaults_to_sqlite_in_wal_mode_and_the_filesystem_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(COSMO_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="cosmo.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; from django.db import connection;"
        "cur = connection.cursor(); cur.execute('PRAGMA journal_mode'); "
        "print(settings.DATABASES['default']['ENGINE'], cur.fetchone()[0], settings.CELERY_BROKER_URL)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "wal", "filesystem://"]
