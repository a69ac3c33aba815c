"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from sote_flow.persistence.database import make_engine
from sote_flow.persistence.migrate import upgrade_database
from sote_flow.persistence.models import (
    Base,
    Case,
    CaseClock,
    CaseStateChange,
    ProcessVersion,
)
from sote_flow.registry import load_packages
from sote_flow.service_order.models import OrderStateChange, ServiceOrder
from sote_flow.services.demo import DEMO_GROUPS
from tests.support.factories import make_uow_factory
from tests.support.order_rows import add_order, helsinki


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    load_packages()  # the process packages' own tables join Base.metadata
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A database with no schema yet (migrations start from nothing)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"empty_{tmp_path.name.lower().replace('-', '_')}"
    server.create_database(name)
    return str(server.url(name))


def test_orders_at_revision_0002_become_cases_with_the_same_states(
    empty_database_url: str, clock
) -> None:
    url = empty_database_url
    engine = make_engine(url)
    upgrade_database(engine, "0002")
    uow = make_uow_factory(url)
    with engine.begin() as connection:  # the groups table as it stood at 0002 (no ORM model)
        for name in DEMO_GROUPS:
            connection.execute(
                text("INSERT INTO groups (name, display_name) VALUES (:name, :name)"),
                {"name": name},
            )
    with uow() as unit:
        # Deployed as the diagram stood then: only the version row matters to the orders.
        unit.processes.add(
            ProcessVersion(
                key="service_order", version=1, name="Palvelutilaus", checksum="0" * 64,
                main_file="service_order.bpmn", files={}, deployed_by="system",
                deployed_at=clock(),
            )
        )  # fmt: skip
        unit.commit()
    day = date(2026, 11, 2)
    received = helsinki(day, 9)
    # The rows as revision 0002 had them: no rounds yet (0016 derives them).
    add_old = partial(add_order, with_round=False)
    orders = {
        "saapunut": add_old(uow, "perhe", received),
        "kasittelyssa": add_old(uow, "perhe", received, [(helsinki(day, 10), "kasittelyssa")]),
        "kasitelty": add_old(
            uow, "koti", received,
            [(helsinki(day, 10), "kasittelyssa"), (helsinki(day, 11), "jonossa"),
             (helsinki(day, 12), "kasitelty")],
        ),
        "returned": add_old(
            uow, "koti", received,
            [(helsinki(day, 10), "kasittelyssa"), (helsinki(day, 11), "kasitelty"),
             (helsinki(day, 13), "saapunut")],
            urgency="kiireellinen",
        ),
        "peruttu": add_old(uow, "perhe", received, [(helsinki(day, 10), "peruttu")]),
    }  # fmt: skip
    upgrade_database(engine)
    engine.dispose()
    with uow() as unit:
        cases = {c.instance_id: c for c in unit.session.scalars(select(Case))}
        orders_now = {o.instance_id: o for o in unit.session.scalars(select(ServiceOrder))}
        changes = unit.session.execute(
            select(CaseStateChange.instance_id, CaseStateChange.at, CaseStateChange.state)
        ).all()
        old_changes = unit.session.execute(
            select(OrderStateChange.instance_id, OrderStateChange.at, OrderStateChange.state)
        ).all()
        clocks = {c.instance_id: c for c in unit.session.scalars(select(CaseClock))}
    assert {i: (c.state, c.group_name) for i, c in cases.items()} == {
        i: (o.state, o.producer_group) for i, o in orders_now.items()
    }
    assert sorted(tuple(row) for row in changes) == sorted(tuple(row) for row in old_changes)
    assert cases[orders["returned"]].urgent_rank == 0
    assert cases[orders["saapunut"]].columns["municipality"] == "Kotka"
    # The 3-month clock: stopped by the first start (kasitelty) or cancellation, else running.
    assert clocks[orders["kasitelty"]].stopped_at == helsinki(day, 12)
    assert clocks[orders["returned"]].stopped_at == helsinki(day, 11)
    assert clocks[orders["peruttu"]].stopped_at == helsinki(day, 10)
    assert clocks[orders["saapunut"]].stopped_at is None
    assert cases[orders["saapunut"]].next_due_on == date(2027, 2, 2)
