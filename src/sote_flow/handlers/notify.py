"""Operator `mail/notify`: tell a group, the holders of a role, or one user by mail.

Mails carry a link and an order/case number only; a diagram must not put client data in the
subject or body (the mail leaves the system). Written with `text('… {order_number}',
order_number=order_number)`, a subject or body reaches each recipient in the language they chose
(translated by the diagram's sidecar catalogue).
"""

from __future__ import annotations

from sote_flow.domain.text import Text
from sote_flow.handlers.context import HandlerContext, OutgoingMail


def notify(ctx: HandlerContext) -> None:
    """Queue a mail to `to_group`, `to_role` or `to_user` with `subject` and `body`."""
    targets = {k: ctx.params.get(k) or None for k in ("to_group", "to_role", "to_user")}
    if not any(targets.values()):
        raise ValueError("mail/notify needs one of to_group, to_role or to_user")
    subject = _kept(ctx.params.get("subject")) or "sote-flow"
    body = _kept(ctx.params.get("body"))
    ctx.mails.append(OutgoingMail(subject=subject, body=body, **targets))


def _kept(value: object) -> str:
    # A diagram's text(...) stays a Text, so that each recipient gets it in their language.
    if isinstance(value, Text):
        return value
    return str(value or "")
