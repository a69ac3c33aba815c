"""The language a user works in: remembered on their account, and used for the mails they get.

A mail's subject and body are Finnish `Text`s that keep their template and values: a diagram's
own (`DiagramText`, from `text(...)`) is translated by its version's sidecar catalogue, the
platform's (`t(...)`) by the compiled web catalogue, read here with babel (no Flask outside
web/). A text without a translation, or whose translation does not fit its values, stays Finnish.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from sote_flow.domain.diagram_texts import (
    SOURCE_LOCALE,
    TRANSLATED_LOCALES,
    Catalog,
    DiagramText,
    translate_text,
)
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import Text, t
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor

LOCALES = (SOURCE_LOCALE, *TRANSLATED_LOCALES)
# The web's compiled catalogues (messages.mo per locale), the same files Flask-Babel reads.
WEB_TRANSLATIONS = Path(__file__).resolve().parents[1] / "web" / "translations"


def save_language(actor: Actor, uow: UnitOfWork, locale: str) -> None:
    """Remember the language the user chose, for their next sign-in and their mails."""
    if locale not in LOCALES:
        raise InvalidInput([FieldError("locale", t("Valitse suomi, ruotsi tai englanti."))])
    user = uow.users.get(actor.user_id)
    if user is not None and user.locale != locale:
        user.locale = locale
        uow.commit()


def remembered_language(uow: UnitOfWork, user_id: int) -> str | None:
    """Return the language the user last chose, or None when they never chose one."""
    user = uow.users.get(user_id)
    locale = user.locale if user is not None else None
    return locale if locale in LOCALES else None


def in_language(text: str, locale: str | None, diagram: Catalog) -> str:
    """Return a mail text in `locale` (a plain str as it is; Finnish without a translation)."""
    if not isinstance(text, Text) or locale not in TRANSLATED_LOCALES:
        return str(text)
    if isinstance(text, DiagramText):
        template = translate_text(diagram, locale, text.template)
    else:
        template = str(platform_catalogue(locale).ugettext(text.template))
    if not text.params:
        return template
    values = {
        name: in_language(value, locale, diagram) if isinstance(value, Text) else value
        for name, value in text.params.items()
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation: the Finnish text stands
        return str(text)


@lru_cache(maxsize=len(TRANSLATED_LOCALES))
def platform_catalogue(locale: str) -> NullTranslations:
    """Return the platform's compiled catalogue for a locale (read once per process)."""
    return Translations.load(str(WEB_TRANSLATIONS), [locale])
