"""Home page, /healthz and the static legal and help pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from sqlalchemy import text

from engage.accounts.models import User
from engage.boards.dialogue_services import ThreadFilter, threads_query
from engage.boards.services import latest_announcements
from engage.core.settings import get_settings
from engage.core.types import local_today
from engage.extensions import db
from engage.main import layout
from engage.processes.services import current_processes
from engage.proposals.services import top_proposals
from engage.volunteering.attendance import hours_of, milestones
from engage.volunteering.services import upcoming_shifts

bp = Blueprint("main", __name__)
bp.add_app_template_global(layout.static_url)
bp.add_app_template_global(layout.header_key)

LEGAL_PAGES = {
    "impressum": "main/impressum.html",
    "datenschutz": "main/datenschutz.html",
    "barrierefreiheit": "main/barrierefreiheit.html",
    "leichte-sprache": "main/leichte_sprache.html",
    "hilfe": "main/hilfe.html",
}


@bp.app_context_processor
def site_context() -> dict:
    from engage.accounts import permissions

    settings = get_settings()
    return {"site_name": settings.municipality_name, "settings": settings, "perm": permissions}


@bp.get("/")
def home():
    """The municipality's front page: current processes and the latest of every feature.

    Its lists are the same for everyone: rendered once per content version, the page around
    them kept whole for everyone whose layout reads the same (a logged-in citizen's front page
    made eleven queries every time, visitors' came from the page cache)."""

    return layout.kept_listing("home", "main/home.html", _home_sections)


def _home_sections() -> str:
    return render_template(
        "main/_home_sections.html",
        processes=current_processes(limit=6),
        announcements=latest_announcements(limit=3),
        threads=db.session.scalars(threads_query(ThreadFilter()).limit(4)).all(),
        proposals=top_proposals(limit=4),
        shifts=upcoming_shifts(limit=4),
        today=local_today(),
    )


@bp.get("/users/<int:user_id>")
def profile(user_id: int):
    """A person's public profile: name, district, and volunteering milestones if they agree."""
    user = db.get_or_404(User, user_id)
    if user.deleted_at is not None:
        abort(404)
    reached = []
    if user.milestones_public:
        reached, _next = milestones(hours_of(user))
    return render_template("main/profile.html", person=user, reached=reached)


@bp.get("/healthz")
def healthz():
    """Report the database (required) and Redis (optional) for load balancers and monitoring.

    Without Redis the app keeps serving: rate limits fall back to each worker's memory and the
    page cache is skipped, so the answer is "degraded" with status 200, not an error.
    """
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "unhealthy", never a 500 page
        db.session.rollback()
        return jsonify(status="error", database="unavailable", detail=type(error).__name__), 503
    redis_state = _redis_state()
    status = "degraded" if redis_state == "unavailable" else "ok"
    return jsonify(status=status, database="ok", dialect=db.engine.dialect.name,
                   redis=redis_state)  # fmt: skip


def _redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25).ping()
    except redis.RedisError:
        return "unavailable"
    return "ok"


@bp.get("/healthz/live")
def alive():
    """The process answers; touches nothing (liveness probe, and the benchmark's baseline)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it where a page names no icon (a JSON or feed opened directly)."""
    return redirect(url_for("static", filename="img/logo.svg"), 301)


def _legal_view(template: str):
    def view():
        return render_template(template)

    return view


for _slug, _template in LEGAL_PAGES.items():
    bp.add_url_rule(f"/{_slug}", endpoint=_slug.replace("-", "_"), view_func=_legal_view(_template))
