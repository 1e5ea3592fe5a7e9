"""Home page, /healthz and the static legal and help pages."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text

from engage.extensions import db

bp = Blueprint("main", __name__)

LEGAL_PAGES = {
    "impressum": "main/impressum.html",
    "datenschutz": "main/datenschutz.html",
    "barrierefreiheit": "main/barrierefreiheit.html",
    "leichte-sprache": "main/leichte_sprache.html",
    "hilfe": "main/hilfe.html",
}


@bp.app_context_processor
def site_context() -> dict:
    return {"site_name": current_app.config["SITE_NAME"]}


@bp.get("/")
def home():
    """The municipality's front page."""
    return render_template("main/home.html")


@bp.get("/healthz")
def healthz():
    """Report whether the app can reach its database (for load balancers and monitoring)."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # any driver error means "unhealthy", never a 500 page
        db.session.rollback()
        return jsonify(status="error", database="unavailable", detail=type(error).__name__), 503
    return jsonify(status="ok", database=database, dialect=db.engine.dialect.name)


def _legal_view(template: str):
    def view():
        return render_template(template)

    return view


for _slug, _template in LEGAL_PAGES.items():
    bp.add_url_rule(f"/{_slug}", endpoint=_slug.replace("-", "_"), view_func=_legal_view(_template))
