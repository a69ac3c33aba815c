"""Browser tests: the real app served on loopback, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from sote_flow.domain.clock import FrozenClock
from sote_flow.web import create_app
from sote_flow.web.deps import unit_of_work
from tests.support.factories import DIAGRAMS, TEST_SECRET, deploy, make_actor, make_groups

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def clock() -> FrozenClock:
    """Live servers run on a pinned Monday morning: no page depends on today's date."""
    return FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


@pytest.fixture
def live_app(sqlite_databases, clock: FrozenClock) -> Flask:
    """The app on a fresh SQLite database and the pinned clock, not yet served."""
    return create_app(
        {"database_url": sqlite_databases.new_url(), "secret_key": TEST_SECRET, "clock": clock}
    )


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(live_app: Flask, clock: FrozenClock) -> Iterator[str]:
    with live_app.app_context():
        make_groups(unit_of_work, "hakijat", "kasittelijat")
        deploy(
            live_app.extensions["sote_flow.platform"],
            unit_of_work,
            clock,
            DIAGRAMS / "approval.bpmn",
        )
        make_actor(unit_of_work, clock, "sanna", ["social_worker"], ["hakijat"])
        make_actor(unit_of_work, clock, "tuomas", ["producer_admin"], ["kasittelijat"])
        make_actor(unit_of_work, clock, "tarja", ["auditor"])
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium missing: apt-get install -y chromium (see README)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def helsinki_page(browser):
    """A page in a Finnish browser in Finland's time zone (calendars draw in the browser's)."""
    context = browser.new_context(locale="fi-FI", timezone_id="Europe/Helsinki")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
