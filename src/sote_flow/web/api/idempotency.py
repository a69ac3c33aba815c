"""`Idempotency-Key` on API writes: a retried request gets the first answer, not a second effect.

A write view is wrapped with `@idempotent` and opens its unit of work with `write_unit_of_work()`.
With the header present, that unit of work first reserves the (user, key) row, runs the use case,
and commits the effect together with the answer the view returned. A repeat with the same key
and the same request gets the stored answer (marked `Idempotent-Replayed: true`); the same key
with another request is refused. A request that fails stores nothing, so its retry runs again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from flask import current_app, g, jsonify, request
from werkzeug.wrappers import Response

from sote_flow.domain.errors import Conflict, FieldError, InvalidInput
from sote_flow.persistence.idempotency import (
    IdempotentUnitOfWork,
    KeyRequest,
    KeyTaken,
    find_key,
)
from sote_flow.persistence.idempotency_models import IdempotencyKey
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.web.deps import actor, clock, unit_of_work
from sote_flow.web.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
INVALID_KEY = "Idempotency-Key-otsakkeen on oltava 1–255 tulostettavaa ASCII-merkkiä."
KEY_REUSED = (
    "Idempotency-Key on jo käytetty toiseen pyyntöön. Lähetä sama pyyntö samalla avaimella "
    "tai käytä uutta avainta."
)
IN_PROGRESS = "Sama pyyntö on jo käsittelyssä. Yritä hetken kuluttua uudelleen."

_REQUEST = "sote_flow.idempotency_request"
_UOW = "sote_flow.idempotency_uow"

P = ParamSpec("P")


def idempotent(view: Callable[P, Any]) -> Callable[P, Response]:
    """Wrap a write view so that its answer is stored with, and replayed for, its key."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return current_app.make_response(view(*args, **kwargs))
        if not KEY_PATTERN.fullmatch(key):
            raise InvalidInput([FieldError(HEADER, INVALID_KEY)], INVALID_KEY)
        sent = KeyRequest(actor().user_id, key, request.method, request.path, body_hash())
        with unit_of_work() as uow:
            stored = find_key(uow.session, sent.user_id, key)
            answer = _stored_answer(stored, sent) if stored is not None else None
        if answer is not None:
            return answer
        setattr(g, _REQUEST, sent)
        try:
            response = current_app.make_response(view(*args, **kwargs))
            used = g.get(_UOW)
            if isinstance(used, IdempotentUnitOfWork) and response.status_code < 400:
                used.finish(response.status_code, response.get_json(silent=True))
        except KeyTaken:  # a concurrent request with this key wrote its row first
            return _answer_of_winner(sent)
        finally:
            setattr(g, _REQUEST, None)
            left = g.pop(_UOW, None)
            if isinstance(left, IdempotentUnitOfWork):
                left.abandon()  # a no-op once finished
        return response

    return wrapper


def write_unit_of_work() -> UnitOfWork:
    """The unit of work of a write view: idempotent when the request carries a key."""
    sent = g.get(_REQUEST)
    if not isinstance(sent, KeyRequest):
        return unit_of_work()
    previous = g.get(_UOW)
    if isinstance(previous, IdempotentUnitOfWork):  # one unit of work per write view
        raise RuntimeError("an idempotent view opens one unit of work")
    uow = IdempotentUnitOfWork(lambda: db.session(), sent, clock()())
    setattr(g, _UOW, uow)
    return uow


def body_hash() -> str:
    """A SHA-256 of the request body (of the files and fields, for a multipart upload)."""
    digest = hashlib.sha256()
    if request.mimetype == "multipart/form-data":
        # Clients pick a new boundary for every attempt: hash what was sent, not how.
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(_part("field", name, value.encode()))
        for name, upload in sorted(
            request.files.items(multi=True), key=lambda item: (item[0], item[1].filename or "")
        ):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(_part("file", f"{name}/{upload.filename or ''}", content))
    else:
        digest.update(request.mimetype.encode() + b"\0" + request.get_data())
    return digest.hexdigest()


def _part(kind: str, name: str, content: bytes) -> bytes:
    head = f"{kind}\0{name}\0{len(content)}\0".encode()
    return head + hashlib.sha256(content).digest()


def _answer_of_winner(sent: KeyRequest) -> Response:
    with unit_of_work() as uow:
        stored = find_key(uow.session, sent.user_id, sent.key)
        answer = _stored_answer(stored, sent) if stored is not None else None
    if answer is None:  # the row vanished in between (purged): treat it as still running
        raise Conflict(IN_PROGRESS)
    return answer


def _stored_answer(stored: IdempotencyKey, sent: KeyRequest) -> Response:
    if not sent.matches(stored):
        raise InvalidInput([FieldError(HEADER, KEY_REUSED)], KEY_REUSED)
    if stored.status is None:
        raise Conflict(IN_PROGRESS)
    response = jsonify(stored.response) if stored.response is not None else Response()
    response.status_code = stored.status
    response.headers[REPLAYED_HEADER] = "true"
    return response
