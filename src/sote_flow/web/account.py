"""The signed-in user's own account: change the password, see and revoke API tokens."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from sote_flow.domain.errors import InvalidInput
from sote_flow.services.accounts import change_password, list_api_tokens, revoke_api_token
from sote_flow.services.password_policy import MIN_LENGTH as MIN_PASSWORD_LENGTH
from sote_flow.web.args import optional_id
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, client_address, clock, unit_of_work

account_blueprint = protected_blueprint("account", __name__, url_prefix="/account")


@account_blueprint.get("")
def index() -> str:
    """Show the password form and the user's live API tokens."""
    return _page({})


@account_blueprint.post("/password")
def password() -> tuple[str, int] | Response:
    """Change the password; other sessions end and API tokens are revoked (this one goes on)."""
    form = request.form
    try:
        with unit_of_work() as uow:
            changed = change_password(
                actor(),
                uow,
                clock(),
                current=form.get("current_password", ""),
                new=form.get("new_password", ""),
                again=form.get("new_password_again", ""),
                keep_session=current_user.session_token,
                address=client_address(),
            )
    except InvalidInput as refused:
        return _page({e.field: e.message for e in refused.errors}), 422
    flash(
        _(
            "Salasana vaihdettu. Muut istunnot päättyivät (%(sessions)d) ja API-tunnisteet "
            "peruttiin (%(tokens)d).",
            sessions=changed.sessions_ended,
            tokens=changed.tokens_revoked,
        ),
        "success",
    )
    return redirect(url_for("account.index"))


@account_blueprint.post("/tokens/revoke")
def revoke_token() -> Response:
    """Revoke one of the user's own API tokens (form field token_id)."""
    with unit_of_work() as uow:
        revoke_api_token(actor(), uow, clock(), optional_id(request.form.get("token_id")))
    flash(_("API-tunniste peruttu: se ei enää kelpaa."), "success")
    return redirect(url_for("account.index"))


def _page(errors: dict[str, str]) -> str:
    with unit_of_work() as uow:
        tokens = list_api_tokens(actor(), uow, clock())
        rows = [
            {"id": t.id, "created_at": t.created_at, "expires_at": t.expires_at} for t in tokens
        ]
    return render_template(
        "account.html",
        tokens=rows,
        errors=errors,
        min_length=MIN_PASSWORD_LENGTH,
        may_change=True,
    )
