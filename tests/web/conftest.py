"""Fixtures for web tests: an app on a fresh database, a test client, and logged-in users."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sote_flow.domain.clock import FrozenClock
from sote_flow.web import create_app
from sote_flow.web.deps import unit_of_work
from tests.support.factories import DIAGRAMS, PASSWORD, TEST_SECRET, deploy, make_actor, make_groups


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


@pytest.fixture
def app(database_url: str, clock: FrozenClock) -> Iterator[Flask]:
    app = create_app(
        {"database_url": database_url, "secret_key": TEST_SECRET, "clock": clock, "TESTING": True}
    )
    with app.app_context():
        uow = unit_of_work
        make_groups(uow, "hakijat", "kasittelijat")
        deploy(app.extensions["sote_flow.platform"], uow, clock, DIAGRAMS / "approval.bpmn")
        make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
        make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"])
        make_actor(uow, clock, "tiina", ["producer_admin"], ["kasittelijat"])
        make_actor(uow, clock, "tarja", ["auditor"])
        make_actor(uow, clock, "olli", ["process_owner"])
        make_actor(uow, clock, "paavo", ["administrator"])
    yield app
    with app.app_context():
        from sote_flow.web.extensions import db

        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str) -> str:
    """Fetch a page and return the CSRF token from its first form."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str) -> None:
    """Log in through the login form."""
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def api_token(client: FlaskClient, username: str) -> dict[str, str]:
    """Return Authorization headers for an API user."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def logout(client: FlaskClient) -> None:
    """Log out through the header's form."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def send_order(client: FlaskClient, **changes: str) -> int:
    """Send a service order as sofia (then log out); return its instance id.

    Sent as confirmed: several orders of one client are the tests' own doing.
    """
    from tests.support.orders import ORDER

    login(client, "sofia")
    token = csrf_token(client, "/processes/service_order/start")
    form = {**ORDER, **changes, "csrf_token": token, "confirm_warnings": "1"}
    response = client.post("/processes/service_order/start", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    logout(client)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
