"""Operator `mail/notify`: tell a group, the holders of a role, or one user by mail.

Mails carry a link and an order/case number only; a diagram must not put client data in the
subject or body (the mail leaves the system).
"""

from __future__ import annotations

from sote_flow.handlers.context import HandlerContext, OutgoingMail


def notify(ctx: HandlerContext) -> None:
    """Queue a mail to `to_group`, `to_role` or `to_user` with `subject` and `body`."""
    targets = {k: ctx.params.get(k) or None for k in ("to_group", "to_role", "to_user")}
    if not any(targets.values()):
        raise ValueError("mail/notify needs one of to_group, to_role or to_user")
    subject = str(ctx.params.get("subject") or "sote-flow")
    body = str(ctx.params.get("body") or "")
    ctx.mails.append(OutgoingMail(subject=subject, body=body, **targets))
