"""Client-case report facts inserted directly in tests: cases, products, events and clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sote_flow.client_case.models import CaseFacts, Product, ProductPrice, WorkEvent
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.persistence.models import Case, CaseClock, ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork

PROCESS_KEY = "client_case"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def helsinki(day: date, hour: int = 0) -> datetime:
    """Return a Finnish wall-clock time on a day (aware)."""
    return datetime.combine(day, time(hour), FINNISH_TIME)


class ClientCaseRows:
    """Inserts rows straight into the client-case tables and the general case tables."""

    def __init__(self, unit: UnitOfWork) -> None:
        self.unit = unit
        version = ProcessVersion(
            key=PROCESS_KEY,
            version=1,
            name="Asiakasasia",
            checksum="c" * 64,
            main_file="client_case.bpmn",
            files={},
            deployed_by="test",
            deployed_at=CREATED,
        )
        unit.session.add(version)
        unit.session.flush()
        self.version_id = version.id
        self.cases: dict[int, tuple[str | None, str | None]] = {}
        self.ids: dict[str, int] = {}  # the cases of a scenario by name

    def case(self, number: str, municipality: str | None, service: str | None) -> int:
        """Insert a client case (instance, case row and facts); return its instance id."""
        instance = ProcessInstance(
            process_version_id=self.version_id,
            process_key=PROCESS_KEY,
            status="running",
            state=b"",
            started_by="test",
            started_at=CREATED,
            updated_at=CREATED,
        )
        self.unit.session.add(instance)
        self.unit.session.flush()
        self.unit.session.add_all(
            [
                Case(
                    instance_id=instance.id,
                    process_key=PROCESS_KEY,
                    case_number=number,
                    state="palvelu",
                    urgent_rank=1,
                    columns={},
                    opened_at=CREATED,
                    opened_on=CREATED.date(),
                    state_since=CREATED,
                ),
                CaseFacts(
                    instance_id=instance.id,
                    municipality=municipality,
                    service_key=service,
                    opened_at=CREATED,
                ),
            ]
        )
        self.cases[instance.id] = (municipality, service)
        return instance.id

    def product(self, event_type: str, unit: str, *prices: tuple[date, date | None, int]) -> None:
        """Insert a product and its prices (valid from, valid until or None, cents)."""
        product = Product(
            event_type=event_type, name=event_type.capitalize(), unit=unit, created_at=CREATED
        )
        self.unit.session.add(product)
        self.unit.session.flush()
        for valid_from, valid_until, cents in prices:
            self.unit.session.add(
                ProductPrice(
                    product_id=product.id,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    price_cents=cents,
                    set_at=CREATED,
                    set_by="test",
                )
            )

    def event(
        self,
        case: int | None,
        worker: str,
        event_type: str,
        day: date,
        minutes: int,
        status: str = "confirmed",
    ) -> None:
        """Insert performed work on a case (its municipality and service) or without one."""
        municipality, service = self.cases[case] if case is not None else (None, None)
        self.unit.session.add(
            WorkEvent(
                instance_id=case,
                municipality=municipality,
                service_key=service,
                worker=worker,
                event_type=event_type,
                occurred_on=day,
                minutes=minutes,
                status=status,
                recorded_at=helsinki(day, 16),
                recorded_by=worker,
            )
        )

    def clock(
        self,
        case: int,
        key: str,
        started: date,
        due: date,
        stopped: date | None,
        process_key: str = PROCESS_KEY,
    ) -> None:
        """Insert a legal clock of a case."""
        self.unit.session.add(
            CaseClock(
                instance_id=case,
                process_key=process_key,
                key=key,
                started_at=helsinki(started, 9),
                started_on=started,
                due_on=due,
                stopped_at=helsinki(stopped, 12) if stopped else None,
                stopped_on=stopped,
            )
        )


def spring_quarter(unit: UnitOfWork) -> ClientCaseRows:
    """Insert the report scenario of 1.4.–30.6.2026 (see test_client_case_report.py)."""
    rows = ClientCaseRows(unit)
    c1 = rows.case("AS-2026-0001", "Rovaniemi", "perhetyo")
    c2 = rows.case("AS-2026-0002", "Rovaniemi", "kotipalvelu")
    c3 = rows.case("AS-2026-0003", "Kemi", "perhetyo")
    april, may = date(2026, 4, 30), date(2026, 5, 1)
    rows.product("asiakastapaaminen", "kaynti", (date(2026, 1, 1), april, 8000), (may, None, 9000))
    rows.product("neuvottelu", "tunti", (date(2026, 1, 1), None, 7000))
    rows.product("kotikaynti", "paiva", (date(2026, 1, 1), april, 15000), (may, None, 16000))
    rows.product("puhelu", "kaynti", (may, None, 1200))
    rows.product("koulutus", "tunti", (date(2026, 1, 1), None, 4000))
    for case, worker, event_type, day, minutes in (
        (c1, "anna", "asiakastapaaminen", date(2026, 4, 10), 60),
        (c1, "anna", "asiakastapaaminen", date(2026, 5, 4), 45),
        (c2, "ben", "asiakastapaaminen", date(2026, 5, 20), 30),
        (c1, "anna", "neuvottelu", date(2026, 4, 15), 90),
        (c2, "ben", "neuvottelu", date(2026, 6, 1), 25),
        (c1, "anna", "kotikaynti", date(2026, 4, 20), 60),
        (c1, "ben", "kotikaynti", date(2026, 4, 20), 30),
        (c1, "anna", "kotikaynti", date(2026, 5, 5), 45),
        (c3, "ben", "puhelu", date(2026, 4, 22), 15),
        (c3, "ben", "puhelu", date(2026, 5, 12), 10),
        (c3, "ben", "lausunto", date(2026, 6, 10), 120),
        (None, "anna", "koulutus", date(2026, 6, 15), 240),
    ):
        rows.event(case, worker, event_type, day, minutes)
    rows.event(c1, "anna", "asiakastapaaminen", date(2026, 5, 6), 60, status="suggested")
    rows.event(c3, "ben", "asiakastapaaminen", date(2026, 5, 7), 60, status="dismissed")
    rows.event(c1, "anna", "asiakastapaaminen", date(2026, 3, 31), 60)
    rows.event(c3, "ben", "asiakastapaaminen", date(2026, 7, 1), 60)
    for case, key, started, due, stopped in (
        (c1, "arvio_alkaa", date(2026, 4, 1), date(2026, 4, 10), date(2026, 4, 8)),
        (c2, "arvio_alkaa", date(2026, 4, 20), date(2026, 4, 29), date(2026, 5, 4)),
        (c3, "arvio_alkaa", date(2026, 3, 20), date(2026, 3, 31), date(2026, 4, 2)),
        (c1, "arvio_valmis", date(2026, 4, 1), date(2026, 7, 1), None),
        (c2, "toimeenpano", date(2026, 3, 1), date(2026, 6, 1), None),
        (c3, "toimeenpano", date(2026, 3, 1), date(2026, 6, 15), date(2026, 7, 10)),
        (c1, "toimeenpano", date(2026, 1, 1), date(2026, 4, 1), date(2026, 3, 25)),
        (c1, "kiireellinen", date(2026, 5, 10), date(2026, 5, 11), date(2026, 5, 11)),
    ):
        rows.clock(case, key, started, due, stopped)
    rows.clock(c2, "aloitus", date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 9), "service_order")
    rows.ids = {"c1": c1, "c2": c2, "c3": c3}
    return rows
