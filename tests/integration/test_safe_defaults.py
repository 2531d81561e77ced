"""Safe defaults: DEBUG is off unless set; with it off, a 404 and a 500 are Cosmo's own pages in the
reader's language with nothing of the server in them; every page carries a Content-Security-Policy
without inline script, and a Permissions-Policy."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]
LEAKS = ["Traceback", "SECRET_KEY", "DATABASE_URL", "urlpatterns", "URLconf", "RuntimeError", "settings.py"]


def test_debug_is_off_unless_set():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(DJANGO_SETTINGS_MODULE="cosmo.settings", SECRET_KEY="x" * 60)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DEBUG": "true"}, capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr


def test_make_run_turns_debug_on_and_says_so():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DEBUG ?= true" in makefile and "DEBUG is on" in makefile


def test_a_mistyped_link_is_cosmos_own_404(consumer):
    page = client_for(consumer).get("/shop/c/NO-SUCH-CODE/")
    body = page.content.decode()
    assert page.status_code == 404 and 'data-error="404"' in body and "Page not found" in body
    assert 'href="/static/css/cosmo.css"' in body  # the portal's look
    assert not [leak for leak in LEAKS if leak in body]
    assert Client().get("/no/such/page/").status_code == 404
    # A NUL in the path is refused before any view looks for a page (the hostile-input gate).
    assert Client().get("/no/such/page/%00").status_code == 400


def test_the_404_speaks_the_readers_language(consumer):
    page = client_for(consumer).get("/shop/c/NO-SUCH-CODE/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert page.status_code == 404 and '<html lang="zh-hans">' in body and "页面不存在" in body


@pytest.mark.urls("tests.integration.failing_urls")
def test_a_server_error_is_cosmos_own_500_without_the_server_inside(consumer):
    client = client_for(consumer)
    client.raise_request_exception = False
    page = client.get("/fails/")
    body = page.content.decode()
    assert page.status_code == 500 and 'data-error="500"' in body and "Something went wrong" in body
    assert not [leak for leak in LEAKS if leak in body]
    chinese = client.get("/fails/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "出错了" in chinese


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def portal_pages(consumer, planner, supplier_member):
    from tests.ordering import scheduled_orders

    order = scheduled_orders(consumer, count=1)[0]
    return [
        (None, "/login/"),
        (None, "/signup/"),
        (consumer, "/shop/"),
        (consumer, "/shop/configure/AC-SPLIT/"),
        (consumer, "/shop/orders/"),
        (consumer, f"/shop/orders/{order.number}/"),
        (supplier_member, "/supplier/"),
        (supplier_member, "/supplier/scorecard/"),
        (planner, "/planner/"),
        (planner, "/planner/QD1/"),
        (planner, "/planner/QD1/floor/"),
        (planner, "/planner/changes/"),
        (planner, "/api/docs/"),
    ]


def test_every_page_has_a_csp_without_inline_script_and_a_permissions_policy(portal_pages):
    for user, path in portal_pages:
        client = client_for(user) if user else Client()
        page = client.get(path)
        assert page.status_code == 200, path
        policy = _policy(page)
        assert policy["script-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], path
        assert "camera=()" in page["Permissions-Policy"], path
        body = page.content.decode()
        assert not INLINE_SCRIPT.findall(body), (path, INLINE_SCRIPT.findall(body))
        assert not HANDLER.findall(body), (path, HANDLER.findall(body))


def test_the_api_and_error_pages_carry_the_headers_too(planner):
    for response in (client_for(planner).get("/api/orders/"), Client().get("/nowhere/")):
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_swagger_ui_takes_its_start_up_script_from_a_url(planner):
    client = client_for(planner)
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert any("script" in src.split("?", 1)[-1] for src in scripts)
    start = client.get([s for s in scripts if "?" in s][0].replace("&amp;", "&"))
    assert start.status_code == 200 and start["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in start.content.decode()
