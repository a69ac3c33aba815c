"""The parents' agreement: checked when drafted, and when confirmed rendered as a PDF and
delivered to both parents through their own expiring download links (no post)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.family_law.contacts import MATTERS, parties
from sote_flow.family_law.notices import notify_parents
from sote_flow.persistence.models import ProcessInstance, User
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.documents import issue_download_link, store_document
from sote_flow.services.pdf import render_pdf
from sote_flow.services.platform import Platform

TERMS = ("custody", "residence", "visitation", "maintenance_amount", "other_terms")
PARENTS = (1, 2)
DOCUMENT_KIND = "agreement"
CUSTODY = {
    "yhteishuolto": "Lapsen huolto on vanhemmilla yhteisesti (yhteishuolto).",
    "vanhempi1": "Lapsen huolto on vanhemmalla 1 yksin (yksinhuolto).",
    "vanhempi2": "Lapsen huolto on vanhemmalla 2 yksin (yksinhuolto).",
}
RESIDENCE = {
    "vanhempi1": "Lapsi asuu vanhemman 1 luona.",
    "vanhempi2": "Lapsi asuu vanhemman 2 luona.",
    "vuoroasuminen": "Lapsi asuu vuorotellen molempien vanhempien luona (vuoroasuminen).",
}
MATTER_NAMES = {
    "huolto": "huolto",
    "asuminen": "asuminen",
    "tapaamisoikeus": "tapaamisoikeus",
    "elatus": "elatus",
}
_TEMPLATES = Environment(
    loader=PackageLoader("sote_flow.family_law", "templates"),
    autoescape=select_autoescape(["html"]),
)


def check_terms(data: Mapping[str, Any]) -> None:
    """Refuse a draft that agrees on nothing (InvalidInput naming the first field)."""
    if not any(data.get(term) not in (None, "") for term in TERMS):
        raise InvalidInput(
            [FieldError("custody", t("Kirjaa vähintään yksi asia, josta vanhemmat sopivat."))]
        )


def deliver_agreement(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance: ProcessInstance,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Render the confirmed agreement, store it, and send each parent a download link (staged)."""
    reachable = {p.parent for p in parties(uow, instance.id) if p.email or p.phone}
    missing = [parent for parent in PARENTS if parent not in reachable]
    if missing:
        raise InvalidInput(
            [
                FieldError(
                    "confirmation",
                    t(
                        "Vanhemman {parent} yhteystieto puuttuu. Lisää sähköpostiosoite "
                        "perheasian sivulla ennen kuin vahvistat: sopimus toimitetaan sähköisesti.",
                        parent=missing[0],
                    ),
                )
            ]
        )
    check_terms(data)
    reference = str(data.get("matter_number") or f"#{instance.id}")
    pdf = render_pdf(agreement_html(uow, clock, actor, reference, data))
    document = store_document(
        uow,
        clock,
        actor.username,
        instance.id,
        DOCUMENT_KIND,
        f"Vahvistettu sopimus {reference}",
        f"sopimus-{reference}.pdf",
        pdf,
    )
    days = platform.settings.download_link_days
    expires = (clock() + timedelta(days=days)).astimezone(FINNISH_TIME)
    links = {
        parent: issue_download_link(uow, clock, document, f"Vanhempi {parent}", days)
        for parent in PARENTS
    }
    base = platform.settings.base_url.rstrip("/")
    told = notify_parents(
        uow,
        clock,
        instance.id,
        PARENTS,
        f"Vahvistettu sopimus: perheasia {reference}",
        lambda parent: [
            "Lastenvalvoja on vahvistanut sopimuksenne. Lataa sopimus (PDF) tästä linkistä:",
            f"{base}/lataa/{links[parent]}",
            f"Linkki on henkilökohtainen ja voimassa {expires.day}.{expires.month}."
            f"{expires.year} asti. Tallenna sopimus itsellesi.",
        ],
    )
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="agreement_delivered",
        instance_id=instance.id,
        data={"document": document.id, "links": len(links), "told": told},
    )
    return {"agreement_document": document.id, "agreement_confirmed_at": clock().isoformat()}


def agreement_html(
    uow: UnitOfWork, clock: Clock, actor: Actor, reference: str, data: Mapping[str, Any]
) -> str:
    """The agreement as HTML for the PDF: the agreed terms only, parents as 1 and 2."""
    officer = uow.session.get(User, actor.user_id)
    today = clock().astimezone(FINNISH_TIME).date()
    amount = data.get("maintenance_amount")
    return _TEMPLATES.get_template("agreement.html").render(
        reference=reference,
        matters=[MATTER_NAMES[m] for m in MATTERS if m in (data.get("matters") or [])],
        child_birth_year=data.get("child_birth_year"),
        custody=CUSTODY.get(str(data.get("custody") or "")),
        residence=RESIDENCE.get(str(data.get("residence") or "")),
        visitation=str(data.get("visitation") or "").strip(),
        maintenance=_euros(amount) if amount not in (None, "") else None,
        payer={"vanhempi1": "vanhempi 1", "vanhempi2": "vanhempi 2"}.get(
            str(data.get("maintenance_payer") or ""), ""
        ),
        other_terms=str(data.get("other_terms") or "").strip(),
        confirmed_on=f"{today.day}.{today.month}.{today.year}",
        officer=officer.display_name if officer is not None else actor.display_name,
    )


def _euros(amount: Any) -> str:
    # Finnish money: a space between thousands, a decimal comma, the sign after the figure.
    return f"{float(amount):,.2f}".replace(",", " ").replace(".", ",") + " €"
