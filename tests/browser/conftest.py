"""Headless Chromium (Debian's, driven by Playwright) against the live test server."""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("COSMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API keeps an event loop in this thread; the ORM calls of the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs it with apt-get when it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


PHONE = {"width": 390, "height": 844}
# Links a walk does not follow: they act (log out, cancel) or are not pages (exports, the admin's forms).
NOT_A_PAGE = re.compile(r"logout|cancel|\.csv$|\.json$|/api/|/admin/")


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits its viewport's width)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def walk_pages(page, live_server, start: str, *, limit: int = 40) -> dict[str, int]:
    """Follow the same-site links from `start` breadth first, as a person would; return each page visited
    (its path) → how far it scrolls sideways."""
    visited: dict[str, int] = {}
    queue = [f"{live_server.url}{start}"]
    while queue and len(visited) < limit:
        url = queue.pop(0).split("#")[0]
        path = urlparse(url).path + (f"?{urlparse(url).query}" if urlparse(url).query else "")
        if path in visited or NOT_A_PAGE.search(path) or not url.startswith(live_server.url):
            continue
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{path} answered {response and response.status}"
        page.wait_for_load_state("networkidle")
        visited[path] = sideways_scroll(page)
        queue.extend(page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"))
    return visited
