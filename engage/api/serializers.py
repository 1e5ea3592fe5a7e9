"""Turn public rows into plain JSON: no author, no user id, no e-mail, ever."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import url_for

from engage.boards.dialogue_models import Thread
from engage.boards.models import Announcement
from engage.processes.models import Process
from engage.proposals.models import Proposal
from engage.volunteering.models import ServiceOffer, Shift


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; moments in UTC with a trailing Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _named(item) -> dict | None:
    return {"id": item.id, "name": item.name} if item is not None else None


def _process_ref(process: Process | None) -> dict | None:
    if process is None or not process.is_published:
        return None
    return {"id": process.id, "slug": process.slug, "title": process.title}


def _page(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def process(item: Process) -> dict:
    return {
        "id": item.id,
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "department": _named(item.department),
        "district": _named(item.district),
        "support_threshold": item.support_threshold,
        "answer_deadline_days": item.answer_deadline_days,
        "published_at": iso(item.published_at),
        "phases": [
            {"kind": p.kind, "starts_on": iso(p.starts_on), "ends_on": iso(p.ends_on)}
            for p in item.phases
        ],
        "url": _page("processes.detail", slug=item.slug),
    }


def announcement(item: Announcement) -> dict:
    department = item.department
    return {
        "id": item.id,
        "title": item.title,
        "body": item.body,
        "pinned": item.pinned,
        "published_at": iso(item.publish_at),
        "edited_at": iso(item.edited_at),
        "department": _named(department),
        "district": _named(item.district),
        "process": _process_ref(item.process),
        "url": _page("info.detail", announcement_id=item.id),
    }


def thread(item: Thread) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "body": item.body,
        "created_at": iso(item.created_at),
        "last_activity_at": iso(item.last_activity_at),
        "reply_count": item.reply_count,
        "closed": item.is_closed,
        "answered_at": iso(item.answered_at),
        "answered_by_department": _named(item.answered_by_department),
        "process": _process_ref(item.process),
        "url": _page("dialogue.detail", thread_id=item.id),
    }


def proposal(item: Proposal) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "status": item.status,
        "category": item.category,
        "problem": item.problem,
        "idea": item.idea,
        "intended_outcome": item.intended_outcome,
        "indicator": item.indicator,
        "baseline": item.baseline,
        "target": item.target,
        "support_count": item.support_count,
        "comment_count": item.comment_count,
        "submitted_at": iso(item.submitted_at),
        "answered_at": iso(item.answered_at),
        "official_response": item.official_response,
        "measured_value": item.measured_value,
        "evaluation": item.evaluation,
        "district": _named(item.district),
        "department": _named(item.process.department),
        "process": _process_ref(item.process),
        "url": _page("proposals.detail", proposal_id=item.id),
    }


def shift(item: Shift, taken: int) -> dict:
    return {
        "id": item.id,
        "offer_id": item.offer_id,
        "starts_at": iso(item.starts_at),
        "ends_at": iso(item.ends_at),
        "place": item.place,
        "capacity": item.capacity,
        "places_taken": taken,
        "cancelled": item.cancelled_at is not None,
    }


def offer(item: ServiceOffer, taken: dict[int, int], public_proposals: set[int]) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "requirements": item.requirements,
        "min_age": item.min_age,
        "place": item.place,
        "hour_value_eur": str(item.hour_value),
        "department": _named(item.department),
        "district": _named(item.district),
        "process": _process_ref(item.process),
        "proposal_id": item.proposal_id if item.proposal_id in public_proposals else None,
        "shifts": [shift(s, taken.get(s.id, 0)) for s in item.shifts],
        "url": _page("volunteer.detail", offer_id=item.id),
    }
