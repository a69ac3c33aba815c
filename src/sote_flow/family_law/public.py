"""The parents' public contact form (no sign-in), limited per address like every public page."""

from __future__ import annotations

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import InvalidInput
from sote_flow.family_law.contacts import (
    PUBLIC_ACTOR,
    MatterInput,
    StartedMatter,
    begin_matter,
    matter_errors,
)
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform
from sote_flow.services.public_limits import check_rate, record_submission


def submit_matter_form(
    platform: Platform, uow: UnitOfWork, clock: Clock, address: str, data: MatterInput
) -> StartedMatter:
    """Record a matter sent with the parents' public form; rate limited per address."""
    check_rate(platform, uow, clock, address)
    errors = matter_errors(clock, "digital", data)
    if errors:
        raise InvalidInput(errors)
    started = begin_matter(platform, PUBLIC_ACTOR, uow, clock, "digital", data)
    record_submission(uow, clock, address)
    uow.commit()
    return started
