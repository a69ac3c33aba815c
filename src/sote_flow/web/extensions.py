"""Flask extensions, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from sote_flow.persistence.models import Base

# Models live in persistence/ (no Flask there); Flask-SQLAlchemy manages engine and sessions.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
