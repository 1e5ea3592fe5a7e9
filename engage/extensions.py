"""Flask extensions, created unbound and bound to the app in create_app()."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from engage.core.pagination import requested_page, require_existing_page

# Stable constraint names, so that Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, **kwargs):
        """As Flask-SQLAlchemy's; without a page given, the request's ?page= (core/pagination.py),
        and a page past the last one redirects to the last one."""
        if kwargs.get("page") is not None or not request:
            return super().paginate(select, **kwargs)
        kwargs["page"] = requested_page()
        page = super().paginate(select, **kwargs)
        require_existing_page(page.page, page.pages)
        return page


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Default limits apply to writes only; reads are cheap and cached.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits_exempt_when=lambda: request.method in {"GET", "HEAD", "OPTIONS"},
)
