"""Fixtures for use-case tests on a real database (each test runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sote_flow.domain.clock import FrozenClock
from sote_flow.persistence.database import make_engine, make_session_factory
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from tests.support.factories import UnitOfWorkFactory, make_platform


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


@pytest.fixture
def platform(database_url: str) -> Platform:
    return make_platform(database_url)


@pytest.fixture
def uow(database_url: str) -> Iterator[UnitOfWorkFactory]:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    yield lambda: UnitOfWork(sessions)
    engine.dispose()
