"""A worker's calendar as an iCalendar feed for a phone or Outlook, at a secret address.

Only the hash of the address's token is kept; a new address revokes the old one. The feed
carries what a worker's own phone may hold: times, the entry type, the place (or "Etä" for a
remote meeting) and nothing that identifies a client (no client number, case or e-mail).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NotFound
from sote_flow.domain.text import t
from sote_flow.persistence.calendar_models import CalendarEntry, CalendarFeed
from sote_flow.persistence.calendar_repository import CalendarFeeds
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer

FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=365)
REMOTE_LOCATION = "Etä"
UID_DOMAIN = "sote-flow"


@dataclass(frozen=True)
class FeedStatus:
    """Whether the user has a live feed address, and since when."""

    active: bool
    created_at: datetime | None


def create_feed(actor: Actor, uow: UnitOfWork, clock: Clock) -> str:
    """Give the user a new secret feed address (revoking the old); returns its token once."""
    require_writer(actor)
    feeds = uow.calendar_feeds
    now = clock()
    replaced = _revoke_all(feeds, actor, now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        user_id=actor.user_id, token_hash=_token_hash(token), created_at=now, revoked_at=None
    )
    feeds.add(feed)
    uow.history.append(
        at=now,
        actor=actor.username,
        action="calendar_feed_created",
        data={"feed": feed.id, "user": actor.username, "replaced": replaced},
    )
    uow.commit()
    return token


def revoke_feed(actor: Actor, uow: UnitOfWork, clock: Clock) -> bool:
    """Revoke the user's feed address; False when there was none."""
    require_writer(actor)
    now = clock()
    revoked = _revoke_all(uow.calendar_feeds, actor, now)
    if not revoked:
        return False
    uow.history.append(
        at=now,
        actor=actor.username,
        action="calendar_feed_revoked",
        data={"feeds": revoked, "user": actor.username},
    )
    uow.commit()
    return True


def feed_status(actor: Actor, uow: UnitOfWork) -> FeedStatus:
    """Return whether the user has a live feed address."""
    live = uow.calendar_feeds.live_of(actor.user_id)
    return FeedStatus(bool(live), live[0].created_at if live else None)


def render_feed(uow: UnitOfWork, clock: Clock, token: str) -> bytes:
    """Return the feed's worker's live entries (60 days back, a year ahead) as iCalendar."""
    feed = uow.calendar_feeds.live_by_token_hash(_token_hash(token))
    worker = uow.users.get(feed.user_id) if feed is not None else None
    if worker is None or not worker.active:
        raise NotFound(t("Kalenteria ei löydy."))
    now = clock()
    calendar = Calendar()
    calendar.add("prodid", "-//sote-flow//Työkalenteri//FI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Työkalenteri – {worker.display_name}")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for entry in uow.calendar.entries_between([worker.id], now - FEED_PAST, now + FEED_AHEAD):
        calendar.add_component(_event(entry, now))
    return bytes(calendar.to_ical())


def _event(entry: CalendarEntry, now: datetime) -> Event:
    # Only the type, the times and the place: never the client number, case or e-mail.
    event = Event()
    event.add("uid", f"entry-{entry.id}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", entry.starts_at.astimezone(UTC))
    event.add("dtend", entry.ends_at.astimezone(UTC))
    event.add("summary", entry.entry_type.name_fi)
    location = REMOTE_LOCATION if entry.remote else (entry.place or "")
    if location:
        event.add("location", location)
    event.add("last-modified", entry.created_at.astimezone(UTC))
    event.add("class", "PRIVATE")
    return event


def _revoke_all(feeds: CalendarFeeds, actor: Actor, now: datetime) -> list[int]:
    revoked = []
    for feed in feeds.live_of(actor.user_id):
        feed.revoked_at = now
        revoked.append(feed.id)
    return revoked


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
