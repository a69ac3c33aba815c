"""Public download links under /lataa (no sign-in): a landing page, and the file on a POST.

Mail scanners and link previews fetch every link they see, so the GET page only describes the
document and reads nothing into any log; only the button (a POST with a CSRF token) downloads,
and that is counted, access-logged and written to the history. A signed-in staff member who
follows a link may download too, logged under their own name and purpose and not counted as the
recipient's download; a read-only user (an auditor) may see the page but, as everywhere else,
sends nothing (403), since a download writes the access log and the history.
"""

from __future__ import annotations

import math
import re
from io import BytesIO

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from sote_flow.domain.errors import DomainError, NotFound
from sote_flow.services import documents
from sote_flow.services.actors import require_writer
from sote_flow.web.deps import client_address, clock, unit_of_work
from sote_flow.web.errors import status_of

downloads_blueprint = Blueprint("downloads", __name__, url_prefix="/lataa")
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
# What secrets.token_urlsafe produces; anything else is refused before the database is asked.
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{1,{documents.MAX_TOKEN_LENGTH}}}")

Page = tuple[str, int, dict[str, str]]


@downloads_blueprint.before_request
def _readers_change_nothing() -> None:
    if request.method == "POST" and current_user.is_authenticated:
        require_writer(current_user.actor)


@downloads_blueprint.errorhandler(DomainError)
def _refused(error: DomainError) -> Page:
    return _error_page(error.message, status_of(error))


@downloads_blueprint.errorhandler(CSRFError)
def _stale_form(error: CSRFError) -> Page:
    return _error_page(
        _("Lomakkeen istunto vanheni. Lataa sivu uudelleen ja yritä uudestaan."), 400
    )


@downloads_blueprint.get("/<token>")
def offer(token: str) -> Page:
    """Describe the linked document and offer the download button; record nothing."""
    _check_shape(token)
    with unit_of_work() as uow:
        page = documents.download_page(uow, clock(), token)
    html = render_template(
        "download.html",
        offer=page,
        token=token,
        kilobytes=max(1, math.ceil(page.size / 1024)),
        is_pdf=page.media_type == "application/pdf",
    )
    return html, 200, PRIVATE_HEADERS


@downloads_blueprint.post("/<token>")
def download(token: str) -> Response:
    """Send the linked document as an attachment; count and log the download."""
    _check_shape(token)
    reader = current_user.actor if current_user.is_authenticated else None
    with unit_of_work() as uow:
        file = documents.open_download(uow, clock(), token, client_address(), reader)
    response = send_file(
        BytesIO(file.content),
        mimetype=file.media_type,
        as_attachment=True,
        download_name=file.file_name,
        conditional=False,
        etag=False,
        last_modified=None,
    )
    response.headers.update(PRIVATE_HEADERS)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _check_shape(token: str) -> None:
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound(documents.UNKNOWN_LINK)


def _error_page(message: str, status: int) -> Page:
    return render_template("download.html", offer=None, message=message), status, PRIVATE_HEADERS
