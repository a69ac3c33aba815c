"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from flask import Flask, current_app, session

from sote_flow.config import Settings, load_settings
from sote_flow.domain.clock import system_clock
from sote_flow.persistence.database import configure_engine, engine_options
from sote_flow.services.platform import Platform
from sote_flow.web.args import BoundedIntConverter
from sote_flow.web.extensions import babel, csrf, db, login_manager
from sote_flow.web.json_input import StrictJSONProvider
from sote_flow.web.packages import load_web_parts

SUPPORTED_LOCALES = ("fi", "sv", "en")
_SETTING_NAMES = {f.name for f in fields(Settings)}


def create_app(config_override: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: load config, initialise extensions, register blueprints and errors."""
    override = dict(config_override or {})
    clock = override.pop("clock", system_clock)
    settings = load_settings(override={k: v for k, v in override.items() if k in _SETTING_NAMES})
    app = Flask(__name__)
    app.json = StrictJSONProvider(app)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=settings.max_diagram_bytes * 4,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update({k: v for k, v in override.items() if k.isupper()})
    app.extensions["sote_flow.platform"] = Platform(settings)
    app.extensions["sote_flow.clock"] = clock

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    _register_blueprints(app)
    from sote_flow.web.errors import register_error_handlers
    from sote_flow.web.security_headers import register_security_headers
    from sote_flow.web.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    from sote_flow.web.oidc import init_sso

    init_sso(app, settings)
    return app


def _register_blueprints(app: Flask) -> None:
    from sote_flow.web import session_user  # noqa: F401  (registers the user loader)
    from sote_flow.web.account import account_blueprint
    from sote_flow.web.admin import admin_blueprint
    from sote_flow.web.api import api_with_package_routes
    from sote_flow.web.audit import audit_blueprint
    from sote_flow.web.auth import auth_blueprint
    from sote_flow.web.calendar_admin import calendar_admin_blueprint
    from sote_flow.web.calendar_booking import booking_blueprint
    from sote_flow.web.calendar_feed import calendar_feed_blueprint, ical_blueprint
    from sote_flow.web.calendars import calendar_blueprint
    from sote_flow.web.cases import cases_blueprint
    from sote_flow.web.downloads import downloads_blueprint
    from sote_flow.web.health import health_blueprint
    from sote_flow.web.history import history_blueprint
    from sote_flow.web.inbox import inbox_blueprint
    from sote_flow.web.instances import instances_blueprint
    from sote_flow.web.process_admin import process_admin_blueprint
    from sote_flow.web.processes import processes_blueprint
    from sote_flow.web.user_admin import user_admin_blueprint

    for blueprint in (
        health_blueprint,
        auth_blueprint,
        inbox_blueprint,
        processes_blueprint,
        instances_blueprint,
        history_blueprint,
        cases_blueprint,
        calendar_blueprint,
        booking_blueprint,
        calendar_feed_blueprint,
        ical_blueprint,
        calendar_admin_blueprint,
        admin_blueprint,
        audit_blueprint,
        process_admin_blueprint,
        account_blueprint,
        downloads_blueprint,
        user_admin_blueprint,
    ):
        app.register_blueprint(blueprint)
    for part in load_web_parts():
        for package_blueprint in part.blueprints:
            app.register_blueprint(package_blueprint)
    api_blueprint = api_with_package_routes()
    app.register_blueprint(api_blueprint, url_prefix="/api/v1")
    csrf.exempt(api_blueprint)


def _select_locale() -> str:
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
