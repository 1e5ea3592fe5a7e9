"""Open-data endpoints below /api/v1 (read-only JSON) and the page that explains them."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select

from engage.api import openapi, services
from engage.api import serializers as out
from engage.boards.dialogue_models import Thread
from engage.boards.models import Announcement
from engage.extensions import csrf, db, limiter
from engage.processes.models import Process
from engage.proposals.models import Proposal
from engage.volunteering.models import ServiceOffer, Shift

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", "300 per minute"))(bp)

_DIGITS = re.compile(r"[0-9]{1,9}")


@bp.get("")
def index():
    """A page for people: what the open data holds and where its description is."""
    return render_template("api/index.html", resources=openapi.RESOURCES)


@bp.get("/v1/", strict_slashes=False)
def v1_index():
    """For programs: the lists this version offers, and where its description is."""
    return jsonify(
        description=url_for("api.openapi_document", _external=True),
        documentation=url_for("api.index", _external=True),
        resources={path: {"url": url_for(f"api.{path}", _external=True), "about": str(text)}
                   for path, _name, text in openapi.RESOURCES},
    )  # fmt: skip


@bp.get("/v1/openapi.json")
def openapi_document():
    """The OpenAPI description of this API."""
    return jsonify(openapi.document(url_for("api.index", _external=True)))


def _number(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        abort(400, _("The parameter “%(name)s” must be a whole number from %(low)d to %(high)d.",
                     name=name, low=low, high=high))  # fmt: skip
    return int(raw)


def _listing(query: Select, model, serialize):
    """One page of a public selection, in the envelope every list shares."""
    page = _number("page", 1, 1, openapi.MAX_PAGE)
    per_page = _number("per_page", 20, 1, openapi.MAX_PER_PAGE)
    result = db.paginate(services.by_id(query, model), page=page, per_page=per_page,
                         error_out=False)  # fmt: skip
    items = list(result.items)

    def link(number: int) -> str:
        return url_for(request.endpoint, page=number, per_page=per_page, _external=True)

    return jsonify(
        items=serialize(items), page=page, per_page=per_page, total=result.total,
        next=link(page + 1) if result.has_next else None,
        previous=link(page - 1) if page > 1 else None,
    )  # fmt: skip


def _one(query: Select, model, item_id: int):
    # (An id beyond the database's integers matches no route: engage._DatabaseInteger.)
    return db.first_or_404(query.where(model.id == item_id))


def _offers(offers: list[ServiceOffer]) -> list[dict]:
    taken = services.places_taken([s.id for o in offers for s in o.shifts])
    wanted = [o.proposal_id for o in offers if o.proposal_id]
    public = set(db.session.scalars(services.public_proposal_ids().where(Proposal.id.in_(wanted))))
    return [out.offer(o, taken, public) for o in offers]


def _shifts(shifts: list[Shift]) -> list[dict]:
    taken = services.places_taken([s.id for s in shifts])
    return [out.shift(s, taken.get(s.id, 0)) for s in shifts]


@bp.get("/v1/processes")
def processes():
    return _listing(services.processes(), Process, lambda rows: [out.process(p) for p in rows])


@bp.get("/v1/processes/<ident>")
def process(ident: str):
    """One published process, by its number or its address (slug)."""
    if _DIGITS.fullmatch(ident):
        found = db.session.scalar(services.processes().where(Process.id == int(ident)))
        if found is not None:
            return jsonify(out.process(found))
    if not re.fullmatch(r"[a-z0-9-]{1,80}", ident):
        abort(404)
    return jsonify(out.process(db.first_or_404(services.processes().where(Process.slug == ident))))


@bp.get("/v1/announcements")
def announcements():
    rows = services.announcements()
    return _listing(rows, Announcement, lambda items: [out.announcement(a) for a in items])


@bp.get("/v1/announcements/<int:item_id>")
def announcement(item_id: int):
    return jsonify(out.announcement(_one(services.announcements(), Announcement, item_id)))


@bp.get("/v1/threads")
def threads():
    return _listing(services.threads(), Thread, lambda items: [out.thread(t) for t in items])


@bp.get("/v1/threads/<int:item_id>")
def thread(item_id: int):
    return jsonify(out.thread(_one(services.threads(), Thread, item_id)))


@bp.get("/v1/proposals")
def proposals():
    return _listing(services.proposals(), Proposal, lambda items: [out.proposal(p) for p in items])


@bp.get("/v1/proposals/<int:item_id>")
def proposal(item_id: int):
    return jsonify(out.proposal(_one(services.proposals(), Proposal, item_id)))


@bp.get("/v1/offers")
def offers():
    return _listing(services.offers(), ServiceOffer, _offers)


@bp.get("/v1/offers/<int:item_id>")
def offer(item_id: int):
    return jsonify(_offers([_one(services.offers(), ServiceOffer, item_id)])[0])


@bp.get("/v1/shifts")
def shifts():
    return _listing(services.shifts(), Shift, _shifts)


@bp.get("/v1/shifts/<int:item_id>")
def shift(item_id: int):
    return jsonify(_shifts([_one(services.shifts(), Shift, item_id)])[0])
