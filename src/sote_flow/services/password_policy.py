"""Password policy for local accounts: long enough and not a common or easily guessed one."""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from sote_flow.domain.errors import FieldError
from sote_flow.domain.text import t

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing megabytes on request would be a cheap denial of service
# zxcvbn slows down sharply on long input; a password this long is never a common one anyway.
CHECKED_PREFIX = 100
# zxcvbn scores 0-4 by how many guesses a password takes; 0-1 are found in its lists of common
# and breached passwords, names and words, or are keyboard rows, repeats and sequences.
MIN_SCORE = 2
TOO_COMMON = t(
    "Salasana on liian yleinen tai helposti arvattava (esim. yleinen salasana, sana, nimi, "
    "näppäimistön rivi tai toisto). Käytä useaa sanaa tai pidempää salasanaa."
)


def password_problems(
    password: str, field: str = "password", user_inputs: Iterable[str] = ()
) -> list[FieldError]:
    """Return why `password` is refused (empty when it is fine), as errors on `field`."""
    if len(password) < MIN_LENGTH:
        return [
            FieldError(
                field, t("Salasanassa on oltava vähintään {limit} merkkiä.", limit=MIN_LENGTH)
            )
        ]
    if len(password) > MAX_LENGTH:
        return [
            FieldError(field, t("Salasanassa voi olla enintään {limit} merkkiä.", limit=MAX_LENGTH))
        ]
    # The user's own name and username are as guessable as a common password.
    known = [value for value in user_inputs if value]
    if zxcvbn(password[:CHECKED_PREFIX], user_inputs=known)["score"] < MIN_SCORE:
        return [FieldError(field, TOO_COMMON)]
    return []
