"""The product catalogue (suoritteet): what each kind of performed work counts as, in which
unit, and its unit price over periods valid from–to.

Prices never overlap: a new price starts after every earlier one and closes the price open on
its first day, so each day of a product has at most one price (reports price work by its day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from sote_flow.client_case.events import EVENT_TYPES, UNITS
from sote_flow.client_case.models import Product, ProductPrice
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role, require_writer

MAX_CENTS = 100_000 * 100
MAX_NAME = 120
# Euros with a decimal comma or point and at most two decimals: 95 | 95,5 | 95.50 | 100000,00.
_PRICE = re.compile(r"([0-9]{1,6})(?:[.,]([0-9]{1,2}))?")
PRICE_MESSAGE = t(
    "Kirjoita hinta euroina 0–100 000, enintään kaksi desimaalia (esimerkiksi 95,00)."
)
DAY_MESSAGE = t("Anna päivämäärä muodossa pp.kk.vvvv.")


@dataclass(frozen=True)
class PriceRow:
    """One price period of a product (valid_until None: until further notice)."""

    id: int
    valid_from: date
    valid_until: date | None
    price_cents: int
    set_by: str


@dataclass(frozen=True)
class ProductRow:
    """A product with its price on the day asked and its price history, newest first."""

    event_type: str
    type_label: str
    name: str
    unit: str
    unit_label: str
    retired: bool
    price_cents: int | None
    prices: tuple[PriceRow, ...]


def product_catalogue(actor: Actor, uow: UnitOfWork, on: date) -> list[ProductRow]:
    """Return every product with its prices, the price valid `on` first (administrators and
    auditors)."""
    require_role(actor, Role.ADMINISTRATOR, Role.AUDITOR)
    order = {key: n for n, key in enumerate(EVENT_TYPES)}
    products = sorted(
        uow.session.scalars(select(Product)).all(), key=lambda p: order.get(p.event_type, 99)
    )
    return [_row(uow, product, on) for product in products]


def save_product(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    event_type: str,
    name: str,
    unit: str,
    retired: bool = False,
) -> bool:
    """Add the product of an event type or change it (the type is the key); True when added."""
    require_writer(actor)
    require_role(actor, Role.ADMINISTRATOR)
    name = name.strip()
    _check_product(event_type, name, unit)
    product = _product(uow, event_type)
    before = None if product is None else _product_facts(product)
    now = clock()
    if product is None:
        product = Product(event_type=event_type, name=name, unit=unit, created_at=now)
        uow.session.add(product)
    product.name, product.unit = name, unit
    # Retiring keeps the first retirement's time; restoring clears it.
    if not retired:
        product.retired_at = None
    elif product.retired_at is None:
        product.retired_at = now
    uow.history.append(
        at=now,
        actor=actor.username,
        action="product_saved",
        data={**_product_facts(product), "added": before is None, "before": before},
    )
    _commit(uow, t("Tuote tallennettiin juuri toisaalla; lataa sivu uudelleen."))
    return before is None


def set_price(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    event_type: str,
    valid_from: date | str,
    price_euros: str,
) -> None:
    """Give a product a price from a day on; the price open on that day ends the day before."""
    require_writer(actor)
    require_role(actor, Role.ADMINISTRATOR)
    product = _product(uow, event_type, lock=True)
    if product is None:
        raise NotFound(t("Tuotetta ei löydy."))
    start, cents = _check_price(uow, product.id, valid_from, price_euros)
    closed = _close_open_price(uow, product.id, start)
    uow.session.add(
        ProductPrice(
            product_id=product.id,
            valid_from=start,
            valid_until=None,
            price_cents=cents,
            set_at=clock(),
            set_by=actor.username,
        )
    )
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="product_price_set",
        data={
            "event_type": event_type,
            "valid_from": start,
            "price_cents": cents,
            "closed": closed,
        },
    )
    _commit(uow, t("Hinta tallennettiin juuri toisaalla; lataa sivu uudelleen."))


def price_on(uow: UnitOfWork, product_id: int, day: date) -> int | None:
    """Return the product's unit price in cents on a day, or None when it has none then."""
    return uow.session.scalar(
        select(ProductPrice.price_cents)
        .where(
            ProductPrice.product_id == product_id,
            ProductPrice.valid_from <= day,
            or_(ProductPrice.valid_until.is_(None), ProductPrice.valid_until >= day),
        )
        .order_by(ProductPrice.valid_from.desc())
        .limit(1)
    )


def parse_price(text: str) -> int | None:
    """Return euros written with a decimal comma or point as cents, or None if not a price."""
    cleaned = text.strip().removesuffix("€").strip().replace(" ", "").replace("\u00a0", "")
    match = _PRICE.fullmatch(cleaned)
    if match is None:
        return None
    cents = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    return cents if cents <= MAX_CENTS else None


def euros(cents: int | None) -> str:
    """Write cents as euros the Finnish way, e.g. 1 095,50 €; empty when there is no price."""
    if cents is None:
        return ""
    whole = f"{cents // 100:,}".replace(",", "\u00a0")
    return f"{whole},{cents % 100:02d} €"


def read_day(value: date | str) -> date | None:
    """Return a day given as a date, 24.11.2026 (Finnish) or 2026-11-24 (ISO), else None."""
    if isinstance(value, date):
        return value
    text = value.strip()
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.rstrip(".").split("."))
            parsed = date(year, month, day)
        else:
            parsed = date.fromisoformat(text)
    except (ValueError, OverflowError):  # not a day, or a year too long for one
        return None
    # A typo such as 0026 is not a day anyone means.
    return parsed if 1900 <= parsed.year <= 2999 else None


def _row(uow: UnitOfWork, product: Product, on: date) -> ProductRow:
    prices = uow.session.scalars(
        select(ProductPrice)
        .where(ProductPrice.product_id == product.id)
        .order_by(ProductPrice.valid_from.desc())
    ).all()
    current = next((p.price_cents for p in prices if p.valid_from <= on and _open_on(p, on)), None)
    return ProductRow(
        event_type=product.event_type,
        type_label=EVENT_TYPES.get(product.event_type, product.event_type),
        name=product.name,
        unit=product.unit,
        unit_label=UNITS.get(product.unit, product.unit),
        retired=product.retired_at is not None,
        price_cents=current,
        prices=tuple(
            PriceRow(p.id, p.valid_from, p.valid_until, p.price_cents, p.set_by) for p in prices
        ),
    )


def _open_on(price: ProductPrice, day: date) -> bool:
    return price.valid_until is None or price.valid_until >= day


def _product(uow: UnitOfWork, event_type: str, lock: bool = False) -> Product | None:
    query = select(Product).where(Product.event_type == event_type)
    # Locked while its prices change, so two new prices at once cannot both close the open one.
    return uow.session.scalars(query.with_for_update() if lock else query).one_or_none()


def _product_facts(product: Product) -> dict[str, object]:
    return {
        "event_type": product.event_type,
        "name": product.name,
        "unit": product.unit,
        "retired": product.retired_at is not None,
    }


def _check_product(event_type: str, name: str, unit: str) -> None:
    errors = []
    if event_type not in EVENT_TYPES:
        errors.append(FieldError("event_type", t("Valitse tehdyn työn laji luettelosta.")))
    if not name:
        errors.append(FieldError("name", t("Kirjoita tuotteen nimi.")))
    elif len(name) > MAX_NAME:
        errors.append(
            FieldError("name", t("Nimi on liian pitkä (enintään {limit} merkkiä).", limit=MAX_NAME))
        )
    elif find_personal_identity_codes(name):
        errors.append(FieldError("name", t("Älä kirjoita henkilötunnusta tuotteen nimeen.")))
    if unit not in UNITS:
        errors.append(FieldError("unit", t("Valitse yksikkö: käynti, tunti tai päivä.")))
    if errors:
        raise InvalidInput(errors)


def _check_price(
    uow: UnitOfWork, product_id: int, valid_from: date | str, price_euros: str
) -> tuple[date, int]:
    errors = []
    start = read_day(valid_from)
    if start is None:
        errors.append(FieldError("valid_from", DAY_MESSAGE))
    else:
        latest = uow.session.scalar(
            select(ProductPrice.valid_from)
            .where(ProductPrice.product_id == product_id)
            .order_by(ProductPrice.valid_from.desc())
            .limit(1)
        )
        # Only a price after every earlier one keeps the periods apart; an earlier or a same
        # start would rewrite days already priced (and the work already reported at them).
        if latest is not None and start <= latest:
            errors.append(
                FieldError(
                    "valid_from",
                    t(
                        "Uuden hinnan on alettava myöhemmin kuin tuotteen viimeisin hinta ({day}).",
                        day=f"{latest.day}.{latest.month}.{latest.year}",
                    ),
                )
            )
    cents = parse_price(price_euros)
    if cents is None:
        errors.append(FieldError("price", PRICE_MESSAGE))
    if errors or start is None or cents is None:
        raise InvalidInput(errors)
    return start, cents


def _close_open_price(uow: UnitOfWork, product_id: int, start: date) -> dict[str, object] | None:
    """End the price open on `start` the day before; return what was closed (for history)."""
    open_price = uow.session.scalars(
        select(ProductPrice).where(
            ProductPrice.product_id == product_id,
            ProductPrice.valid_from < start,
            or_(ProductPrice.valid_until.is_(None), ProductPrice.valid_until >= start),
        )
    ).one_or_none()
    if open_price is None:
        return None
    before = open_price.valid_until
    open_price.valid_until = start - timedelta(days=1)
    return {"id": open_price.id, "valid_until": open_price.valid_until, "was_until": before}


def _commit(uow: UnitOfWork, message: str) -> None:
    # Two administrators saving the same product at once: the unique event type lets one in.
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict(message) from None
