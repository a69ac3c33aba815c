"""Family-law report facts inserted directly in tests: matters, meetings, distances."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete

from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.family_law.models import MatterFacts, Meeting, TravelDistance
from sote_flow.persistence.calendar_models import CalendarEntry
from sote_flow.persistence.database import make_engine
from sote_flow.persistence.models import ProcessInstance, ProcessVersion
from sote_flow.persistence.unit_of_work import UnitOfWork


def helsinki(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """Return a Finnish wall-clock time in 2026 (aware)."""
    return datetime.combine(date(2026, month, day), time(hour, minute), FINNISH_TIME)


def without_seeded_distances(database_url: str) -> None:
    """Remove the distances the migration seeds (estimates to Rovaniemi): tests add their own."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(delete(TravelDistance))
    engine.dispose()


class FamilyLawRows:
    """Inserts report facts directly: matters, meetings with calendar entries, distances."""

    def __init__(self, unit: UnitOfWork, worker_id: int) -> None:
        self.unit = unit
        self.worker_id = worker_id
        version = ProcessVersion(
            key="family_law",
            version=1,
            name="Perheoikeudelliset palvelut",
            checksum="f" * 64,
            main_file="family_law.bpmn",
            files={},
            deployed_by="test",
            deployed_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        unit.session.add(version)
        unit.session.flush()
        self.version_id = version.id

    def matter(
        self,
        channel: str,
        municipality: str | None,
        matters: str,
        started: datetime,
        **facts: object,
    ) -> int:
        """Insert an instance and its facts; `facts` are the other MatterFacts columns."""
        instance = ProcessInstance(
            process_version_id=self.version_id,
            process_key="family_law",
            status="running",
            state=b"",
            started_by="test",
            started_at=started,
            updated_at=started,
        )
        self.unit.session.add(instance)
        self.unit.session.flush()
        self.unit.session.add(
            MatterFacts(
                instance_id=instance.id,
                channel=channel,
                municipality=municipality,
                matters=matters,
                started_at=started,
                **facts,
            )
        )
        return instance.id

    def meeting(
        self,
        instance_id: int,
        starts: datetime,
        parent: int,
        mode: str,
        office: str,
        *,
        cancelled: bool = False,
    ) -> None:
        """Insert a calendar entry and the meeting booked into it."""
        entry = CalendarEntry(
            worker_id=self.worker_id,
            type_key="remote_meeting" if mode == "eta" else "office_visit",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            remote=mode == "eta",
            created_by="test",
            created_at=starts - timedelta(days=3),
            cancelled_at=starts - timedelta(days=1) if cancelled else None,
        )
        self.unit.calendar.add_entry(entry)
        self.unit.session.add(
            Meeting(
                instance_id=instance_id,
                entry_id=entry.id,
                parent=parent,
                mode=mode,
                office=office,
                reminder_due_at=starts - timedelta(days=1),
                created_at=starts - timedelta(days=3),
            )
        )

    def distance(self, municipality: str, office: str, km: int, minutes: int) -> None:
        """Insert one distance row."""
        self.unit.session.add(
            TravelDistance(municipality=municipality, office=office, km=km, minutes=minutes)
        )
