"""The product catalogue: products per event type and their prices over periods."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sote_flow.client_case.demo import seed_demo
from sote_flow.client_case.models import Product, ProductPrice
from sote_flow.client_case.products import (
    euros,
    parse_price,
    price_on,
    product_catalogue,
    save_product,
    set_price,
)
from sote_flow.domain.errors import InvalidInput, NotFound, PermissionDenied
from sote_flow.persistence.models import HistoryEntry
from tests.support.factories import make_actor

NEW_YEAR = date(2026, 1, 1)


@pytest.fixture
def admin(uow, clock):
    return make_actor(uow, clock, "aapo", ["administrator"])


@pytest.fixture
def meeting(uow, clock, admin) -> int:
    """The client meeting as a product priced 95,00 € a visit from 1.1.2026."""
    with uow() as unit:
        assert save_product(admin, unit, clock, "asiakastapaaminen", "Asiakastapaaminen", "kaynti")
    with uow() as unit:
        set_price(admin, unit, clock, "asiakastapaaminen", NEW_YEAR, "95,00")
    with uow() as unit:
        return unit.session.scalars(select(Product.id)).one()


def _periods(uow) -> list[tuple[date, date | None, int]]:
    with uow() as unit:
        rows = unit.session.scalars(select(ProductPrice).order_by(ProductPrice.valid_from))
        return [(p.valid_from, p.valid_until, p.price_cents) for p in rows]


def _price(uow, product_id: int, day: date) -> int | None:
    with uow() as unit:
        return price_on(unit, product_id, day)


def test_a_new_price_closes_the_open_one(uow, clock, admin, meeting):
    with uow() as unit:
        set_price(admin, unit, clock, "asiakastapaaminen", "1.7.2026", "99.5")
    assert _periods(uow) == [
        (NEW_YEAR, date(2026, 6, 30), 9500),
        (date(2026, 7, 1), None, 9950),
    ]
    with uow() as unit:
        actions = unit.session.scalars(select(HistoryEntry.action).order_by(HistoryEntry.id))
        assert list(actions) == ["product_saved", "product_price_set", "product_price_set"]


def test_price_on_the_boundary_days(uow, clock, admin, meeting):
    with uow() as unit:
        set_price(admin, unit, clock, "asiakastapaaminen", date(2026, 7, 1), "110")
    assert _price(uow, meeting, date(2025, 12, 31)) is None
    assert _price(uow, meeting, NEW_YEAR) == 9500
    assert _price(uow, meeting, date(2026, 6, 30)) == 9500
    assert _price(uow, meeting, date(2026, 7, 1)) == 11000
    assert _price(uow, meeting, date(2030, 1, 1)) == 11000  # until further notice


def test_several_changes_keep_the_periods_apart(uow, clock, admin, meeting):
    for day, price in (("2026-03-01", "96"), ("2026-09-15", "97,25"), ("2027-01-01", "0")):
        with uow() as unit:
            set_price(admin, unit, clock, "asiakastapaaminen", day, price)
    assert _periods(uow) == [
        (NEW_YEAR, date(2026, 2, 28), 9500),
        (date(2026, 3, 1), date(2026, 9, 14), 9600),
        (date(2026, 9, 15), date(2026, 12, 31), 9725),
        (date(2027, 1, 1), None, 0),
    ]
    with uow() as unit:
        (row,) = product_catalogue(admin, unit, date(2026, 9, 14))
    assert row.price_cents == 9600 and row.prices[0].price_cents == 0
    assert row.unit_label == "käynti" and not row.retired


@pytest.mark.parametrize("start", [NEW_YEAR, date(2025, 6, 1), "1.1.2026"])
def test_a_start_on_or_before_the_latest_price_is_refused(uow, clock, admin, meeting, start):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        set_price(admin, unit, clock, "asiakastapaaminen", start, "100")
    assert [e.field for e in refused.value.errors] == ["valid_from"]
    assert "1.1.2026" in refused.value.errors[0].message
    assert _periods(uow) == [(NEW_YEAR, None, 9500)]


@pytest.mark.parametrize(
    ("day", "price", "fields"),
    [
        ("2026-13-01", "10", ["valid_from"]),
        ("", "10", ["valid_from"]),
        ("2026-08-01", "100000,01", ["price"]),
        ("2026-08-01", "-5", ["price"]),
        ("2026-08-01", "9,999", ["price"]),
        ("2026-08-01", "kymppi", ["price"]),
        ("x", "", ["valid_from", "price"]),
    ],
)
def test_prices_are_refused_by_field(uow, clock, admin, meeting, day, price, fields):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        set_price(admin, unit, clock, "asiakastapaaminen", day, price)
    assert [e.field for e in refused.value.errors] == fields


def test_price_text_is_read_in_euros():
    assert [parse_price(t) for t in ("95", "95,5", "95.50", " 1 200,00 € ", "100000")] == [
        9500, 9550, 9550, 120000, 10_000_000,
    ]  # fmt: skip
    assert euros(120050) == "1\u00a0200,50 €" and euros(None) == ""


def test_products_are_saved_by_event_type_and_retired(uow, clock, admin, meeting):
    with uow() as unit:
        added = save_product(
            admin, unit, clock, "asiakastapaaminen", "Tapaaminen", "tunti", retired=True
        )
    assert not added
    with uow() as unit:
        (row,) = product_catalogue(admin, unit, NEW_YEAR)
    assert (row.name, row.unit, row.retired, row.price_cents) == ("Tapaaminen", "tunti", True, 9500)
    with uow() as unit:
        save_product(admin, unit, clock, "asiakastapaaminen", "Tapaaminen", "tunti")
    with uow() as unit:
        assert not product_catalogue(admin, unit, NEW_YEAR)[0].retired


def test_a_product_is_refused_by_field(uow, clock, admin):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        save_product(admin, unit, clock, "lounas", " ", "viikko")
    assert [e.field for e in refused.value.errors] == ["event_type", "name", "unit"]
    with uow() as unit, pytest.raises(NotFound):
        set_price(admin, unit, clock, "puhelu", NEW_YEAR, "25")


def test_only_an_administrator_changes_the_catalogue(uow, clock, admin, meeting):
    worker = make_actor(uow, clock, "sanni", ["social_worker"])
    auditor = make_actor(uow, clock, "aino", ["auditor"])
    for actor in (worker, auditor):
        with uow() as unit, pytest.raises(PermissionDenied):
            set_price(actor, unit, clock, "asiakastapaaminen", date(2026, 8, 1), "1")
        with uow() as unit, pytest.raises(PermissionDenied):
            save_product(actor, unit, clock, "puhelu", "Puhelu", "kaynti")
    with uow() as unit, pytest.raises(PermissionDenied):
        product_catalogue(worker, unit, NEW_YEAR)
    with uow() as unit:
        assert [p.event_type for p in product_catalogue(auditor, unit, NEW_YEAR)] == [
            "asiakastapaaminen"
        ]
    assert _periods(uow) == [(NEW_YEAR, None, 9500)]


def test_the_demo_catalogue_is_seeded_once(platform, uow, clock, admin):
    assert len(seed_demo(platform, uow, clock)) == 13
    assert seed_demo(platform, uow, clock) == []
    with uow() as unit:
        rows = product_catalogue(admin, unit, date(2026, 11, 23))
    prices = {row.event_type: (row.unit, row.price_cents) for row in rows}
    assert prices["asiakastapaaminen"] == ("kaynti", 9500)
    assert prices["konsultaatio"] == ("tunti", 7000) and prices["koulutus"] == ("tunti", 6000)
