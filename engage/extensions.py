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


# Beyond this, a ?page= number is an offset the database cannot hold (a server error).
MAX_PAGE = 100_000


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, **kwargs):
        """As Flask-SQLAlchemy's, with the request's ?page= kept between 1 and MAX_PAGE."""
        if kwargs.get("page") is None and request:
            page = request.args.get("page", 1, type=int) or 1
            kwargs["page"] = min(max(page, 1), MAX_PAGE)
        return super().paginate(select, **kwargs)


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
