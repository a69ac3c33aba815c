"""The calendar feed: a signed-in page to make or revoke the secret address, and the feed itself.

The feed address is public (a phone's calendar app cannot sign in): its secret token is the
only key, shown once when made; only its hash is kept.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from sote_flow.domain.errors import NotFound
from sote_flow.services.calendar_feed import create_feed, feed_status, render_feed, revoke_feed
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

calendar_feed_blueprint = protected_blueprint("calendar_feed", __name__, url_prefix="/calendar")
ical_blueprint = Blueprint("ical", __name__, url_prefix="/ical")
MAX_TOKEN = 100  # a token is 43 characters; a longer one is not worth hashing


@calendar_feed_blueprint.get("/feed")
def show() -> str:
    """Say whether the user has a feed address, with buttons to make a new one or revoke it."""
    with unit_of_work() as uow:
        status = feed_status(actor(), uow)
    return render_template("calendar_feed.html", status=status, feed_url=None)


@calendar_feed_blueprint.post("/feed")
def create() -> Response:
    """Make a new feed address (the old one stops working) and show it this once."""
    with unit_of_work() as uow:
        token = create_feed(actor(), uow, clock())
    with unit_of_work() as uow:
        status = feed_status(actor(), uow)
    # The configured public address, not the Host header a proxy or client happened to send.
    feed_url = platform().settings.base_url.rstrip("/") + url_for("ical.feed", token=token)
    html = render_template("calendar_feed.html", status=status, feed_url=feed_url)
    # The address is the only key to the calendar: no browser or proxy may keep the page.
    return Response(html, headers={"Cache-Control": "no-store"})


@calendar_feed_blueprint.post("/feed/revoke")
def revoke() -> BaseResponse:
    """Revoke the feed address: calendar apps no longer get the entries."""
    with unit_of_work() as uow:
        revoked = revoke_feed(actor(), uow, clock())
    if revoked:
        flash(_("Kalenterin tilausosoite poistettiin käytöstä."), "success")
    else:
        flash(_("Sinulla ei ollut kalenterin tilausosoitetta."), "info")
    return redirect(url_for("calendar_feed.show"))


@ical_blueprint.get("/<token>.ics")
def feed(token: str) -> Response:
    """Return the worker's calendar as iCalendar (404 for an unknown or revoked address)."""
    if len(token) > MAX_TOKEN:
        raise NotFound("Kalenteria ei löydy.")
    with unit_of_work() as uow:
        body = render_feed(uow, clock(), token)
    headers = {
        "Cache-Control": "private, no-store",
        "Content-Disposition": "inline; filename=kalenteri.ics",
    }
    return Response(body, content_type="text/calendar; charset=utf-8", headers=headers)
