"""Operator `case/assign_number`: a human-readable case number for the instance."""

from __future__ import annotations

from sote_flow.handlers.context import HandlerContext


def assign_case_number(ctx: HandlerContext) -> str:
    """Return a number like `PT-2026-000042` (prefix from the `prefix` parameter, default SF)."""
    prefix = str(ctx.params.get("prefix") or "SF").upper()
    return f"{prefix}-{ctx.now.year}-{ctx.instance_id:06d}"
