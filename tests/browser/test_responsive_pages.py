"""Every main page as each demo role sees it, on a phone (390 px) and a desktop (1280 px): no page
scrolls sideways, axe-core finds nothing serious, and the modeler fills the window. Screenshots
go to pytest's temporary directory (never committed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from sote_flow.services.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from sote_flow.web.deps import unit_of_work
from tests.browser.axe import serious_violations
from tests.browser.conftest import serving
from tests.support.factories import PROCESSES

WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
PUBLIC_PAGES = ("/login", "/perheasiat/", "/yhteydenotto/", "/yhteydenotto/chat")
# Pages behind the menu: one of each kind is visited (the first link found on a visited page).
DETAIL_PAGES = (
    r"/instances/\d+",
    r"/instances/\d+/history",
    r"/tasks/[\w-]+",
    r"/family-law/\d+",
    r"/client-cases/\d+",
    r"/contacts/\d+",
    r"/orders/\d+",
    r"/process-admin/[\w-]+/modeler",
    r"/process-admin/[\w-]+/instances",
    r"/reports/[\w/-]+",
    r"/calendar/[\w/-]+",
    r"/admin/users/[\w-]+",
)
NOT_PAGES = re.compile(r"\.(csv|xlsx|ics|pdf)$|export|download|feed\b|logout|/messages")


@pytest.fixture
def demo_server(live_app, clock) -> Iterator[str]:
    """The app with the whole demo: every role, every diagram, sample cases in every package."""
    with live_app.app_context():
        seed_demo(live_app.extensions["sote_flow.platform"], unit_of_work, clock, PROCESSES)
    with serving(live_app) as url:
        yield url


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    page.get_by_role("heading", level=1).first.wait_for()


def _same_site_links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    origin = urlsplit(page.url).netloc
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc == origin and not NOT_PAGES.search(parts.path):
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


class Visit:
    """Checks one page at both widths; problems are collected, not raised, to see them all."""

    def __init__(self, page, base: str, shots, problems: list[str]) -> None:
        self.page, self.base, self.shots, self.problems = page, base, shots, problems
        self.seen: set[str] = set()
        self.kinds_seen: set[str] = set()

    def check(self, who: str, path: str) -> None:
        self.seen.add(urlsplit(path).path)
        for name, (width, height) in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": height})
            response = self.page.goto(self.base + path)
            if response is not None and response.status == 403:
                return  # a link to a page the role may not open (e.g. another handler's task)
            if response is None or response.status >= 400:
                self.problems.append(f"{who} {path}: HTTP {response and response.status}")
                return
            self.page.wait_for_load_state("load")
            slug = re.sub(r"\W+", "_", f"{who}{path}").strip("_")[:80]
            self.page.screenshot(path=str(self.shots / f"{slug}-{name}.png"), full_page=True)
            widths = self.page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if widths[0] > widths[1]:
                wide = self.page.evaluate(_WIDEST)
                self.problems.append(f"{who} {path} {name}: {widths[0]} > {widths[1]} px: {wide}")
            for violation in serious_violations(self.page):
                self.problems.append(f"{who} {path} {name}: axe {violation}")
            if name == "desktop" and "/modeler" in path:
                self._modeler_fills_the_window(who, path)

    def _modeler_fills_the_window(self, who: str, path: str) -> None:
        self.page.wait_for_selector("#canvas[data-ready='true']")
        box = self.page.locator("#canvas").bounding_box()
        if box is None or box["width"] < 1280 * 0.6 or box["y"] + box["height"] < 800 * 0.9:
            self.problems.append(f"{who} {path}: the modeler's canvas is only {box}")

    def details(self, who: str) -> None:
        """The first not yet seen page of each kind linked from the current page."""
        for link in _same_site_links(self.page, "main a[href]"):
            bare = urlsplit(link).path
            for kind in DETAIL_PAGES:
                if kind not in self.kinds_seen and re.fullmatch(kind, bare.rstrip("/")):
                    self.kinds_seen.add(kind)
                    self.check(who, link)
                    self.details(who)  # e.g. the history from an instance


# The element furthest past the right edge, for the failure message.
_WIDEST = """() => {
  let worst = null, right = window.innerWidth;
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5) { right = r.right; worst = el; }
  }
  return worst ? worst.outerHTML.slice(0, 160) : "?";
}"""


def test_no_page_scrolls_sideways_and_axe_is_clean(demo_server, browser, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    problems: list[str] = []
    kinds_seen: set[str] = set()
    roles_seen: set[tuple[str, ...]] = set()
    for user in (None, *DEMO_USERS):
        if user is not None and user.roles in roles_seen:
            continue  # the second and third family worker see what the first does
        if user is not None:
            roles_seen.add(user.roles)
        context = browser.new_context(locale="fi-FI", timezone_id="Europe/Helsinki")
        page = context.new_page()
        page.set_default_timeout(15_000)
        visit = Visit(page, demo_server, shots, problems)
        visit.kinds_seen = kinds_seen
        try:
            if user is None:
                for path in PUBLIC_PAGES:
                    visit.check("public", path)
                continue
            _login(page, demo_server, user.username)
            menu = _same_site_links(page, "header nav a[href]")
            assert menu, f"{user.username} has no menu"
            for path in menu:
                if urlsplit(path).path not in visit.seen:
                    visit.check(user.username, path)
                    if urlsplit(path).path.rstrip("/") == "/cases":
                        menu.extend(_same_site_links(page, "main a[href^='/cases/']"))
                    visit.details(user.username)
        finally:
            context.close()
    print(f"screenshots: {shots}")
    assert problems == [], "\n".join(problems)
