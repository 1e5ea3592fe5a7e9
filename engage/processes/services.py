"""Creating, editing and listing participation processes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, or_, select

from engage.core import audit
from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.processes.models import FormerSlug, Phase, PhaseKind, Process, ProcessStatus


class ProcessError(Exception):
    """A process rule was broken; the message is shown to the user."""


class SlugTaken(ProcessError):
    pass


class PhasesInvalid(ProcessError):
    def __init__(self, message: str, kind: PhaseKind | None = None):
        super().__init__(message)
        self.kind = kind  # the phase whose dates are wrong, for the form to mark


# Addresses the app itself uses below /processes/.
RESERVED_SLUGS = frozenset({"new", "neu", "feed"})


_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def slugify(text: str) -> str:
    """A readable address part: 'Grünes Nordviertel' → 'gruenes-nordviertel'."""
    text = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "verfahren"


@dataclass
class PhaseDates:
    kind: PhaseKind
    starts_on: date
    ends_on: date


@dataclass
class ProcessData:
    title: str
    summary: str
    body: str
    department_id: int
    district_id: int | None
    support_threshold: int
    answer_deadline_days: int
    slug: str = ""
    phases: list[PhaseDates] = field(default_factory=list)
    premoderated: bool = False


def check_phases(phases: list[PhaseDates]) -> None:
    """Phases run in their fixed order, each ending on or after its start, without overlap."""
    ordered = sorted(phases, key=lambda p: p.kind.position)
    for phase in ordered:
        if phase.ends_on < phase.starts_on:
            raise PhasesInvalid(
                _("The phase “%(phase)s” ends before it starts.", phase=phase.kind.label),
                phase.kind,
            )
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.starts_on <= before.ends_on:
            raise PhasesInvalid(
                _("The phase “%(later)s” must start after “%(earlier)s” has ended.",
                  later=after.kind.label, earlier=before.kind.label),
                after.kind,
            )  # fmt: skip


def _slug_taken(slug: str, process: Process | None) -> bool:
    """Reserved, another process's address, or one another process had (it leads there)."""
    if slug in RESERVED_SLUGS:
        return True
    condition = Process.slug == slug
    former = FormerSlug.slug == slug
    if process is not None and process.id is not None:
        condition = condition & (Process.id != process.id)
        former = former & (FormerSlug.process_id != process.id)
    return bool(db.session.scalar(select(exists().where(condition) | exists().where(former))))


def _unique_slug(data: ProcessData, process: Process | None) -> str:
    """The chosen address, or one made from the title (numbered when the title repeats)."""
    if data.slug:
        if _slug_taken(slugify(data.slug), process):
            raise SlugTaken(_("This web address is already used by another process."))
        return slugify(data.slug)
    if process is not None and process.slug:
        return process.slug  # addresses stay stable; people have shared them
    base = slugify(data.title)
    candidate, number = base, 2
    while _slug_taken(candidate, process):
        candidate, number = f"{base[:75]}-{number}", number + 1
    return candidate


def _change_slug(process: Process, slug: str) -> None:
    """Give the process its new address; the old one keeps leading to it."""
    if process.id is not None and process.slug and process.slug != slug:
        if db.session.get(FormerSlug, process.slug) is None:
            db.session.add(FormerSlug(slug=process.slug, process_id=process.id))
        taken_back = db.session.get(FormerSlug, slug)  # (its own earlier address again)
        if taken_back is not None:
            db.session.delete(taken_back)
    process.slug = slug


def process_of_former_slug(slug: str) -> Process | None:
    """The process that had this address before it was changed, if any."""
    former = db.session.get(FormerSlug, slug)
    return None if former is None else db.session.get(Process, former.process_id)


def _apply(process: Process, data: ProcessData) -> None:
    check_phases(data.phases)
    if process.is_published and not data.phases:
        raise PhasesInvalid(_("A published process keeps at least one phase."))
    _change_slug(process, _unique_slug(data, process))
    process.title = data.title.strip()
    process.summary = data.summary.strip()
    process.body = data.body
    process.department_id = data.department_id
    process.district_id = data.district_id
    process.support_threshold = data.support_threshold
    process.answer_deadline_days = data.answer_deadline_days
    process.premoderated = data.premoderated
    existing = {phase.kind: phase for phase in process.phases}
    wanted = {phase.kind.value: phase for phase in data.phases}
    for kind, phase in existing.items():
        if kind not in wanted:
            process.phases.remove(phase)
    for kind, dates in wanted.items():
        phase = existing.get(kind) or Phase(kind=kind)
        phase.position = dates.kind.position
        phase.starts_on, phase.ends_on = dates.starts_on, dates.ends_on
        if kind not in existing:
            process.phases.append(phase)
    process.phases.sort(key=lambda p: p.position)


def create_process(author, data: ProcessData) -> Process:
    """Create a draft process; the author's department must be responsible (checked by views)."""
    process = Process(created_by_id=author.id, status=ProcessStatus.DRAFT.value)
    _apply(process, data)
    db.session.add(process)
    db.session.flush()
    audit.record("process.create", actor=author, target=process, title=process.title)
    return process


def update_process(process: Process, actor, data: ProcessData) -> None:
    _apply(process, data)
    db.session.flush()
    audit.record("process.update", actor=actor, target=process, title=process.title)


def publish_process(process: Process, actor, publish: bool = True) -> None:
    """Publish (or take back to draft) a process."""
    if publish and not process.phases:
        raise PhasesInvalid(_("A process needs at least one phase before it is published."))
    process.status = (ProcessStatus.PUBLISHED if publish else ProcessStatus.DRAFT).value
    if publish and process.published_at is None:
        process.published_at = utcnow()
    audit.record("process.publish" if publish else "process.unpublish", actor=actor,
                 target=process)  # fmt: skip


def delete_draft(process: Process, actor) -> None:
    """Delete a process that was never published (published ones go back to draft first)."""
    if process.is_published or process.published_at is not None:
        raise ProcessError(_("Only processes that were never published can be deleted."))
    audit.record("process.delete", actor=actor, target=process, title=process.title)
    db.session.delete(process)


@dataclass
class ProcessFilter:
    district_id: int | None = None
    department_id: int | None = None
    phase: str | None = None  # a PhaseKind value, "upcoming" or "finished"
    include_drafts_of_department: int | None = None
    all_drafts: bool = False


def processes_query(filters: ProcessFilter, today: date | None = None) -> Select:
    """Processes matching the filters, current ones first, newest first."""
    today = today or local_today()
    visible = Process.status == ProcessStatus.PUBLISHED.value
    if filters.all_drafts:
        visible = visible | (Process.status == ProcessStatus.DRAFT.value)
    elif filters.include_drafts_of_department is not None:
        visible = visible | (Process.department_id == filters.include_drafts_of_department)
    query = select(Process).where(visible)
    if filters.district_id:
        # City-wide processes concern every district too.
        query = query.where(
            (Process.district_id == filters.district_id) | Process.district_id.is_(None)
        )
    if filters.department_id:
        query = query.where(Process.department_id == filters.department_id)
    if filters.phase in {kind.value for kind in PhaseKind}:
        query = query.where(
            exists().where(
                Phase.process_id == Process.id,
                Phase.kind == filters.phase,
                Phase.starts_on <= today,
                Phase.ends_on >= today,
            )  # fmt: skip
        )
    elif filters.phase == "finished":
        last_end = select(func.max(Phase.ends_on)).where(Phase.process_id == Process.id)
        query = query.where(last_end.scalar_subquery() < today)
    elif filters.phase == "upcoming":
        first_start = select(func.min(Phase.starts_on)).where(Phase.process_id == Process.id)
        query = query.where(first_start.scalar_subquery() > today)
    running = exists().where(
        Phase.process_id == Process.id, Phase.starts_on <= today, Phase.ends_on >= today
    )
    return query.order_by(running.desc(), Process.created_at.desc(), Process.id.desc())


def current_processes(limit: int = 6, today: date | None = None) -> list[Process]:
    """Published processes running today or starting soon, for the home page."""
    today = today or local_today()
    last_end = select(func.max(Phase.ends_on)).where(Phase.process_id == Process.id)
    query = (
        processes_query(ProcessFilter(), today)
        .where(
            or_(
                last_end.scalar_subquery() >= today,
                ~exists().where(Phase.process_id == Process.id),
            )
        )
        .limit(limit)
    )
    return list(db.session.scalars(query))


def published_processes() -> list[Process]:
    """Every published process by title, for choice lists and filters."""
    return list(db.session.scalars(
        select(Process).where(Process.status == ProcessStatus.PUBLISHED.value)
        .order_by(Process.title)
    ))  # fmt: skip
