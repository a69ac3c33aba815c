"""Demo product catalogue: a product for each kind of work, priced from 1.1.2026."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from sote_flow.client_case.events import EVENT_TYPES
from sote_flow.client_case.models import Product
from sote_flow.client_case.products import save_product, set_price
from sote_flow.domain.clock import Clock
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR

PRICED_FROM = date(2026, 1, 1)
# Illustrative unit prices for trying the reports out, not any county's or municipality's
# prices: (unit, euros). Employee work is priced by the hour so its cost shows as well.
DEMO_PRICES: dict[str, tuple[str, str]] = {
    "asiakastapaaminen": ("kaynti", "95,00"),
    "vaativa_tapaaminen": ("kaynti", "140,00"),
    "puhelu": ("kaynti", "25,00"),
    "kotikaynti": ("kaynti", "120,00"),
    "suunnitelma_laadittu": ("kaynti", "80,00"),
    "suunnitelma_tarkistettu": ("kaynti", "80,00"),
    "lausunto": ("kaynti", "110,00"),
    "konsultaatio": ("tunti", "70,00"),
    "neuvottelu": ("tunti", "90,00"),
    "tyonohjaus": ("tunti", "60,00"),
    "koulutus": ("tunti", "60,00"),
    "kehittamistyo": ("tunti", "60,00"),
    "hallinto": ("tunti", "60,00"),
}


def seed_demo(
    platform: Platform, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> list[str]:
    """Add the demo product catalogue unless there are products already."""
    with unit_of_work() as uow:
        if uow.session.scalar(select(func.count()).select_from(Product)):
            return []
    done = []
    for event_type, (unit, price) in DEMO_PRICES.items():
        # Each service commits its own change (and history entry).
        with unit_of_work() as uow:
            save_product(SYSTEM_ACTOR, uow, clock, event_type, EVENT_TYPES[event_type], unit)
        with unit_of_work() as uow:
            set_price(SYSTEM_ACTOR, uow, clock, event_type, PRICED_FROM, price)
        done.append(f"product {event_type} ({price} € / {unit})")
    return done
