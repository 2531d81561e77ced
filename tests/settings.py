"""The suite's settings: production's (DEBUG off), served over plain HTTP by the test servers."""

import os

# Subprocesses the tests start (manage.py, workers) inherit these too.
os.environ.setdefault("SECRET_KEY", "cosmo-test-suite-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from cosmo.settings import *  # noqa: E402,F403

# The test servers speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
