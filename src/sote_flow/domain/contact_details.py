"""How a client or parent can be reached: the shapes of a phone number and an e-mail address."""

from __future__ import annotations

import re

from sote_flow.domain.text import t

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,24}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
PHONE_SHAPE = t("Anna puhelinnumero numeroina, esim. 040 123 4567.")
EMAIL_SHAPE = t("Anna sähköpostiosoite muodossa nimi@esimerkki.fi.")


def phone_problem(value: str) -> str | None:
    """Return why a (non-empty) phone number is not one, in Finnish; None when it is fine."""
    text = value.strip()
    return PHONE_SHAPE if text and not PHONE.match(text) else None


def email_problem(value: str) -> str | None:
    """Return why a (non-empty) e-mail address is not one, in Finnish; None when it is fine."""
    text = value.strip()
    return EMAIL_SHAPE if text and not EMAIL.match(text) else None
