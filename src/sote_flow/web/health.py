"""Probes for a load balancer: `/healthz` (the process answers) and `/readyz` (it can work)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sote_flow.persistence.migrate import schema_status
from sote_flow.web.extensions import db

health_blueprint = Blueprint("health", __name__)


@health_blueprint.get("/healthz")
def healthz() -> Response:
    """Answer 200 while the process runs (no database needed)."""
    return jsonify({"status": "ok"})


@health_blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Answer 200 when the database answers and its schema is at the code's head, else 503."""
    status = schema_status(db.engine)
    body = {
        "status": "ready" if status.ready else "not ready",
        "database": "reachable" if status.reachable else "unreachable",
        "schema": status.revision,
        "expected_schema": status.head,
    }
    return jsonify(body), 200 if status.ready else 503
