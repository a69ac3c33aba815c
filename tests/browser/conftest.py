"""Browser tests: the real app served on loopback, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from sote_flow.domain.clock import system_clock
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
def live_server(sqlite_databases) -> Iterator[str]:
    app = create_app({"database_url": sqlite_databases.new_url(), "secret_key": TEST_SECRET})
    with app.app_context():
        make_groups(unit_of_work, "hakijat", "kasittelijat")
        deploy(
            app.extensions["sote_flow.platform"],
            unit_of_work,
            system_clock,
            DIAGRAMS / "approval.bpmn",
        )
        make_actor(unit_of_work, system_clock, "sanna", ["social_worker"], ["hakijat"])
        make_actor(unit_of_work, system_clock, "tuomas", ["producer_admin"], ["kasittelijat"])
        make_actor(unit_of_work, system_clock, "tarja", ["auditor"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


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
