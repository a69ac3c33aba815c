"""How often one address may send the public forms: the submissions of the last ten minutes.

Every public page that starts a case (a contact form, a chat, a parent's form) counts against
the same limit, so a flood cannot move from one page to the next.
"""

from __future__ import annotations

from datetime import timedelta

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import TooManyAttempts
from sote_flow.domain.text import t
from sote_flow.persistence.public_submissions import add_submission, submissions_since
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.platform import Platform

RATE_WINDOW = timedelta(minutes=10)
RATE_LIMITED = t(
    "Tästä osoitteesta on lähetetty useita yhteydenottoja lyhyen ajan sisällä. "
    "Yritä uudelleen 10 minuutin kuluttua tai soita neuvontaan."
)


def check_rate(platform: Platform, uow: UnitOfWork, clock: Clock, address: str) -> None:
    """Refuse (TooManyAttempts) when the address has sent its limit in the last ten minutes."""
    if submissions_since(uow.session, address, clock() - RATE_WINDOW) >= (
        platform.settings.public_form_limit
    ):
        raise TooManyAttempts(RATE_LIMITED)


def record_submission(uow: UnitOfWork, clock: Clock, address: str) -> None:
    """Count a submission from the address (staged; the caller commits)."""
    now = clock()
    add_submission(uow.session, address, now, now - RATE_WINDOW)
