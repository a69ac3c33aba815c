"""What views hand to use cases: the platform, a unit of work, the clock and the actor."""

from __future__ import annotations

from typing import cast

from flask import current_app, g, request
from flask_login import current_user

from sote_flow.domain.clock import Clock
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.platform import Platform
from sote_flow.web.extensions import db


def platform() -> Platform:
    """The application's shared platform."""
    return cast(Platform, current_app.extensions["sote_flow.platform"])


def clock() -> Clock:
    """The application's clock (tests may inject a frozen one)."""
    return cast(Clock, current_app.extensions["sote_flow.clock"])


def unit_of_work(single_read: bool = False) -> UnitOfWork:
    """A unit of work on the request's database session (`single_read`: one SELECT, no
    transaction)."""
    return UnitOfWork(lambda: db.session(), single_read=single_read)


def actor() -> Actor:
    """The authenticated actor of this request (session user or API token)."""
    api_actor = g.get("api_actor")
    if api_actor is not None:
        return cast(Actor, api_actor)
    return cast(Actor, current_user.actor)


def client_address() -> str:
    """The address the request came from (the proxy's, unless the app is told to trust it)."""
    return request.remote_addr or "unknown"
