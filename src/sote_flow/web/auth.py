"""Log in and out, and choose the UI language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from sote_flow.domain.errors import AuthenticationFailed, TooManyAttempts
from sote_flow.services.accounts import end_session, sign_in
from sote_flow.web.deps import client_address, clock, unit_of_work
from sote_flow.web.session_user import SessionUser

auth_blueprint = Blueprint("auth", __name__)


@auth_blueprint.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | Response:
    """Show the login form; on valid credentials start a session."""
    error, status = None, 200
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        try:
            with unit_of_work() as uow:
                actor, token = sign_in(
                    uow, clock(), username, request.form.get("password", ""), client_address()
                )
        except TooManyAttempts:
            error, status = _("Liian monta epäonnistunutta kirjautumista. "
                              "Yritä uudelleen 15 minuutin kuluttua."), 429  # fmt: skip
        except AuthenticationFailed:
            error, status = _("Väärä käyttäjätunnus tai salasana."), 401
        else:
            session.clear()
            login_user(SessionUser(actor, token))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), status if error else 200


@auth_blueprint.post("/logout")
@login_required  # type: ignore[untyped-decorator]
def logout() -> Response:
    """End the session, on the server too: its cookie no longer signs anyone in."""
    with unit_of_work() as uow:
        end_session(uow, clock(), current_user.session_token)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@auth_blueprint.post("/language")
def choose_language() -> Response:
    """Remember the chosen UI language for this session."""
    locale = request.form.get("locale", "fi")
    if locale in ("fi", "sv", "en"):
        session["locale"] = locale
    return redirect(_safe_next(request.form.get("next")))


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
