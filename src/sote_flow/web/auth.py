"""Log in and out (password or the organisation's single sign-on), and choose the UI language."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from sote_flow.domain.errors import AuthenticationFailed, TooManyAttempts
from sote_flow.services.accounts import end_session, sign_in
from sote_flow.services.languages import LOCALES, remembered_language, save_language
from sote_flow.services.sso import AccountDisabled, sign_in_with_claims
from sote_flow.services.system_settings import local_login_enabled
from sote_flow.web.deps import client_address, clock, unit_of_work
from sote_flow.web.oidc import (
    SsoFailed,
    finish_sign_in,
    logout_url,
    sso_config,
    start_redirect,
)
from sote_flow.web.session_user import SessionUser

auth_blueprint = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
SSO_ID_TOKEN = "sso_id_token"  # kept for RP-initiated logout (id_token_hint)
SSO_NEXT = "sso_next"


@auth_blueprint.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | Response:
    """Show the login form; on valid credentials start a session."""
    error, status = None, 200
    if request.method == "POST" and not _local_login_allowed():
        message = _("Kirjautuminen salasanalla on poistettu käytöstä. "
                    "Kirjaudu organisaation tunnuksella.")  # fmt: skip
        return _login_page(message, 403)
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        try:
            with unit_of_work() as uow:
                actor, token = sign_in(
                    uow, clock(), username, request.form.get("password", ""), client_address()
                )
                remembered = remembered_language(uow, actor.user_id)
        except TooManyAttempts:
            error, status = _("Liian monta epäonnistunutta kirjautumista. "
                              "Yritä uudelleen 15 minuutin kuluttua."), 429  # fmt: skip
        except AuthenticationFailed:
            error, status = _("Väärä käyttäjätunnus tai salasana."), 401
        else:
            _start_session(SessionUser(actor, token), remembered)
            return redirect(_safe_next(request.args.get("next")))
    return _login_page(error, status if error else 200)


@auth_blueprint.get("/login/sso")
def sso_login() -> tuple[str, int] | Response:
    """Send the browser to the organisation's identity provider."""
    config = sso_config()
    if config is None:
        abort(404)
    session[SSO_NEXT] = _safe_next(request.args.get("next"))
    try:
        return start_redirect(config, url_for("auth.sso_callback"))
    except SsoFailed as exc:
        log.warning("single sign-on could not start: %s", exc)
        return _login_page(_("Tunnistuspalveluun ei saatu yhteyttä. "
                             "Yritä hetken kuluttua uudelleen."), 502)  # fmt: skip


@auth_blueprint.get("/login/sso/callback")
def sso_callback() -> tuple[str, int] | Response:
    """Check the provider's answer, bring the user's access up to date and start a session."""
    config = sso_config()
    if config is None:
        abort(404)
    try:
        result = finish_sign_in(config)
    except SsoFailed as exc:
        log.warning("single sign-on refused: %s", exc)
        return _login_page(_("Kirjautuminen organisaation tunnuksella epäonnistui. "
                             "Yritä uudelleen."), 401)  # fmt: skip
    try:
        with unit_of_work() as uow:
            actor, token = sign_in_with_claims(
                uow,
                clock(),
                result.issuer,
                result.claims,
                config.claim_map,
                client_address(),
                username_claim=config.username_claim,
            )
            remembered = remembered_language(uow, actor.user_id)
    except AccountDisabled:
        return _login_page(_("Käyttäjätunnuksesi on poistettu käytöstä. "
                             "Ota yhteyttä pääkäyttäjään."), 403)  # fmt: skip
    except AuthenticationFailed:
        return _login_page(_("Kirjautuminen organisaation tunnuksella epäonnistui. "
                             "Yritä uudelleen."), 401)  # fmt: skip
    target = _safe_next(session.get(SSO_NEXT))
    _start_session(SessionUser(actor, token), remembered)
    session[SSO_ID_TOKEN] = result.id_token
    return redirect(target)


@auth_blueprint.post("/logout")
@login_required  # type: ignore[untyped-decorator]
def logout() -> Response:
    """End the session, on the server too: its cookie no longer signs anyone in. A single
    sign-on session also ends at the provider (RP-initiated logout)."""
    with unit_of_work() as uow:
        end_session(uow, clock(), current_user.session_token)
    id_token = session.get(SSO_ID_TOKEN)
    logout_user()
    session.clear()
    config = sso_config()
    if config is not None and isinstance(id_token, str):
        provider_logout = logout_url(config, id_token, url_for("auth.login"))
        if provider_logout:
            return redirect(provider_logout)
    return redirect(url_for("auth.login"))


@auth_blueprint.post("/language")
def choose_language() -> Response:
    """Use the chosen UI language in this session, and remember it for a signed-in user (their
    next sign-in and the mails they get)."""
    locale = request.form.get("locale", "fi")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            with unit_of_work() as uow:
                save_language(current_user.actor, uow, locale)
    return redirect(_safe_next(request.form.get("next")))


def _start_session(user: SessionUser, remembered: str | None) -> None:
    # A fresh session (no fixation), in the language the user last chose; without one, in the
    # language chosen on the sign-in page.
    locale = remembered or session.get("locale")
    session.clear()
    login_user(user)
    if locale in LOCALES:
        session["locale"] = locale


def _local_login_allowed() -> bool:
    # Without single sign-on (the demo) the password is the only way in: never switched off.
    if sso_config() is None:
        return True
    with unit_of_work() as uow:
        return local_login_enabled(uow)


def _login_page(error: str | None, status: int) -> tuple[str, int]:
    page = render_template(
        "login.html",
        error=error,
        sso_enabled=sso_config() is not None,
        local_login=_local_login_allowed(),
        next=_safe_next(request.args.get("next")),
    )
    return page, status


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("inbox.index")
