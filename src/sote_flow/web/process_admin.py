"""Process owners' pages: versions, the modeler, form preview, version diff and migration."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from sote_flow.domain.errors import Conflict, DeployRefused, DomainError, InvalidInput
from sote_flow.services import migration as migration_service
from sote_flow.services import process_versions as version_service
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work
from sote_flow.web.errors import error_body, status_of
from sote_flow.web.jsonschema_form import form_fields
from sote_flow.web.messages import translate_message

process_admin_blueprint = protected_blueprint(
    "process_admin", __name__, url_prefix="/process-admin"
)

# What the SpiffWorkflow spec attributes a version diff names mean to a process owner.
ATTRIBUTE_LABELS = {
    "bpmn_name": _l("nimi"),
    "lane": _l("kaista (ryhmä)"),
    "extensions": _l("lomake, ominaisuudet tai ohjeet"),
    "operation_name": _l("operaattori"),
    "operation_params": _l("parametrit"),
    "result_variable": _l("tulosmuuttuja"),
    "cond_task_specs": _l("ehdot"),
    "default_task_spec": _l("oletuspolku"),
    "event_definition": _l("tapahtuma (ajastin tai sanoma)"),
    "prescript": _l("esiskripti"),
    "postscript": _l("jälkiskripti"),
    "script": _l("skripti"),
    "documentation": _l("kuvaus"),
    "typename": _l("elementin tyyppi"),
}
FILE_STATUS_LABELS = {"added": _l("lisätty"), "removed": _l("poistettu"), "changed": _l("muutettu")}


@process_admin_blueprint.get("/")
def index() -> str:
    """List every process with its versions and the instances running on each."""
    with unit_of_work() as uow:
        processes = version_service.process_overview(actor(), uow)
    return render_template("process_admin.html", processes=processes)


@process_admin_blueprint.get("/<key>/modeler")
def modeler(key: str) -> str:
    """Open a version's diagram (the newest by default) in the bpmn-js modeler."""
    with unit_of_work() as uow:
        bundle = version_service.editor_bundle(
            platform(), actor(), uow, key, request.args.get("version", type=int)
        )
    return render_template("modeler.html", bundle=bundle, key=key)


@process_admin_blueprint.post("/<key>/deploy")
def deploy(key: str) -> tuple[Response, int]:
    """Deploy the modeler's diagram (and edited forms) as a new version; JSON in and out."""
    body: dict[str, Any] = request.get_json(silent=True) or {}
    forms = body.get("forms") if isinstance(body.get("forms"), dict) else {}
    try:
        with unit_of_work() as uow:
            result = version_service.deploy_from_editor(
                platform(),
                actor(),
                uow,
                clock(),
                key,
                str(body.get("diagram") or ""),
                {str(k): str(v) for k, v in (forms or {}).items()},
            )
    except DomainError as error:
        payload = error_body(error)
        if not isinstance(error, DeployRefused):
            payload["errors"] = []
        return jsonify(payload), status_of(error)
    version = result.version
    message = (
        _("Versio %(version)s otettiin käyttöön.", version=version.version)
        if result.created
        else _("Kaavio ei muuttunut; versio %(version)s on jo käytössä.", version=version.version)
    )
    if result.created:
        flash(message, "success")
    warnings = [
        {"file": w.file, "element_id": w.element_id, "message": w.message} for w in result.warnings
    ]
    for warning in result.warnings:  # shown on the process list the modeler returns to
        where = f"{warning.element_id}: " if warning.element_id else ""
        flash(_("Huomautus: %(where)s%(message)s", where=where, message=warning.message), "warning")
    return jsonify(
        {
            "version": version.version,
            "created": result.created,
            "message": message,
            "warnings": warnings,
            "url": url_for("process_admin.index"),
        }
    ), (201 if result.created else 200)


@process_admin_blueprint.post("/<key>/forms/preview")
def form_preview(key: str) -> tuple[str, int]:
    """Render a form being edited exactly as staff will see it (an htmx fragment)."""
    try:
        preview = version_service.preview_form(
            actor(), request.form.get("schema", ""), request.form.get("ui_schema", "")
        )
    except InvalidInput as error:
        problems = [e.message for e in error.errors]
        return render_template("_form_preview.html", problems=problems, fields=[]), 200
    fields = form_fields(preview.schema, preview.ui_schema)
    return render_template("_form_preview.html", problems=[], fields=fields), 200


@process_admin_blueprint.get("/<key>/diff")
def diff(key: str) -> str:
    """Compare two versions of a process (by default the two newest)."""
    with unit_of_work() as uow:
        newest = version_service.process_version(actor(), uow, key)
        versions = version_service.versions_of(uow, key)
        new = request.args.get("new", newest.version, type=int)
        old = request.args.get("old", max(new - 1, 1), type=int)
        result = version_service.diff_versions(platform(), actor(), uow, key, old, new)
    return render_template(
        "process_diff.html",
        key=key,
        diff=result,
        versions=versions,
        attribute_labels=ATTRIBUTE_LABELS,
        file_labels=FILE_STATUS_LABELS,
    )


@process_admin_blueprint.get("/<key>/instances")
def instances(key: str) -> str:
    """List running instances on older versions that could move to the newest."""
    with unit_of_work() as uow:
        latest = version_service.process_version(actor(), uow, key)
        found = migration_service.migration_candidates(actor(), uow, key)
    return render_template("process_instances.html", key=key, latest=latest, instances=found)


@process_admin_blueprint.route("/instances/<int:instance_id>/migrate", methods=["GET", "POST"])
def migrate(instance_id: int) -> str | Response:
    """Show whether an instance can move to a newer version; on POST move it."""
    target = request.values.get("version", type=int)
    if request.method == "POST":
        try:
            with unit_of_work() as uow:
                done = migration_service.migrate_instance(
                    platform(), actor(), uow, clock(), instance_id, target
                )
        except Conflict as error:
            flash(translate_message(error.message), "error")
            return redirect(url_for(".migrate", instance_id=instance_id, version=target))
        flash(
            _(
                "Asia siirrettiin versioon %(version)s.",
                version=done.target.version,
            ),
            "success",
        )
        return redirect(url_for("instances.show", instance_id=instance_id))
    with unit_of_work() as uow:
        check = migration_service.check_migration(
            platform(), actor(), uow, clock(), instance_id, target
        )
    return render_template("process_migrate.html", check=check)
