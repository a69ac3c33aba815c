"""Queries single sign-on needs: the user behind an identity provider's subject."""

from __future__ import annotations

from sqlalchemy import select

from sote_flow.persistence.models import User
from sote_flow.persistence.unit_of_work import UnitOfWork


def user_by_identity(uow: UnitOfWork, issuer: str, subject: str) -> User | None:
    """Return the user signed in by `subject` at `issuer`, or None."""
    query = select(User).where(User.identity_issuer == issuer, User.identity_subject == subject)
    return uow.session.scalar(query)
