"""Domain errors and HTTP errors mapped, in one place, to status codes and messages in the
user's language (Finnish by default)."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from sote_flow.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DeployRefused,
    DomainError,
    EngineFailure,
    Gone,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    Unavailable,
)
from sote_flow.web.messages import register_message_translation, translate_message

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
OUTAGE_LOG_INTERVAL = 60.0
_last_outage_log = [-OUTAGE_LOG_INTERVAL]

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    Gone: 410,
    PermissionDenied: 403,
    Conflict: 409,
    AuthenticationFailed: 401,
    TooManyAttempts: 429,
    Unavailable: 503,
    InvalidInput: 422,
    DeployRefused: 422,
    EngineFailure: 500,
}


def status_of(error: DomainError) -> int:
    """Return the HTTP status for a domain error."""
    for kind, status in STATUS_BY_ERROR.items():
        if isinstance(error, kind):
            return status
    return 400


def error_body(error: DomainError) -> dict[str, Any]:
    """Return the JSON body the API sends for a domain error."""
    if isinstance(error, InvalidInput):
        return {
            "message": translate_message(error.message),
            "errors": [
                {"field": e.field, "message": translate_message(e.message)} for e in error.errors
            ],
        }
    if isinstance(error, DeployRefused):
        return {
            "message": _("Kaavio hylättiin."),
            "errors": [
                {
                    "file": p.file,
                    "element_id": p.element_id,
                    "message": translate_message(p.message),
                }
                for p in error.problems
            ],
        }
    return {"message": translate_message(error.message), "code": error.code}


def register_error_handlers(app: Flask) -> None:
    """Install handlers so no stack trace ever reaches a user, and messages in their language."""
    register_message_translation(app)

    @app.errorhandler(DomainError)
    def on_domain_error(error: DomainError) -> tuple[Response | str, int]:
        return _respond(status_of(error), translate_message(error.message), error)

    @app.errorhandler(CSRFError)
    def on_csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        return _respond(
            400, _("Lomakkeen istunto vanheni. Lataa sivu uudelleen ja yritä uudestaan.")
        )

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        return _respond(status, _friendly(status))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def on_database_unavailable(error: Exception) -> tuple[Response | str, int]:
        # An outage is one event, not a trace per request: one log line a minute at most.
        _log_outage(error)
        message = _(
            "Tietokantaan ei juuri nyt saada yhteyttä. Mitään ei tallennettu; "
            "yritä hetken kuluttua uudelleen."
        )
        body, status = _respond(503, message)
        response = app.make_response((body, status))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, _friendly(500))


def _log_outage(error: Exception) -> None:
    now = time.monotonic()
    if now - _last_outage_log[0] >= OUTAGE_LOG_INTERVAL:
        _last_outage_log[0] = now
        log.error("database unavailable: %s", str(error).splitlines()[0] if str(error) else error)


def _respond(
    status: int, message: str, error: DomainError | None = None
) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        body = error_body(error) if error is not None else {"message": message}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def _friendly(status: int) -> str:
    messages = {
        400: _("Pyyntö oli virheellinen."),
        401: _("Kirjaudu sisään."),
        403: _("Sinulla ei ole oikeutta tähän."),
        404: _("Sivua ei löytynyt."),
        405: _("Toiminto ei ole sallittu."),
        413: _("Lähetetty tiedosto on liian suuri."),
    }
    return str(
        messages.get(
            status, _("Tapahtui odottamaton virhe. Mitään ei tallennettu; yritä uudelleen.")
        )
    )
