"""Public pages of participation processes: the list with filters, and one process."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from engage.accounts.permissions import is_admin, is_staff
from engage.boards.dialogue_services import ThreadFilter, threads_query
from engage.boards.permissions import can_open_thread, can_publish_announcement
from engage.boards.services import latest_announcements
from engage.core import fragments, kept_rows
from engage.core.sanitize import render_user_text
from engage.core.types import local_today
from engage.extensions import db
from engage.main.layout import kept_listing, kept_whole
from engage.notifications.services import is_following
from engage.organisation.models import all_departments, all_districts
from engage.processes import permissions
from engage.processes.forms import ProcessFilterForm
from engage.processes.models import Process
from engage.processes.services import ProcessFilter, process_of_former_slug, processes_query
from engage.proposals.permissions import can_submit_proposal
from engage.proposals.services import top_proposals
from engage.volunteering.services import offers_of_process

bp = Blueprint("processes", __name__, url_prefix="/processes")
PER_PAGE = 12


def organisation_choices():
    return all_departments(), all_districts()


@bp.get("")
def index():
    """All published processes (and the drafts the user may edit), with filters.

    The list is rendered once per content version for everyone who sees the same drafts (all,
    a department's, none), and the page kept whole for everyone whose button and layout read
    the same."""
    user = current_user._get_current_object()
    drafts = (is_admin(user), user.department_id if is_staff(user) else None)
    can_create = permissions.can_create_process(user)
    return kept_listing("processes.index", "processes/index.html", lambda: _listing(*drafts),
                        page_key=(drafts, can_create), listing_key=(drafts,),
                        can_create=can_create)  # fmt: skip


def _listing(all_drafts: bool, drafts_of_department: int | None) -> str:
    form = ProcessFilterForm(request.args)
    form.set_choices(*organisation_choices())
    form.validate()
    filters = ProcessFilter(
        district_id=form.district.data if not form.district.errors else None,
        department_id=form.department.data if not form.department.errors else None,
        phase=form.phase.data or None,
        all_drafts=all_drafts,
        include_drafts_of_department=drafts_of_department,
    )
    page = db.paginate(processes_query(filters), per_page=PER_PAGE, error_out=False)
    return render_template("processes/_listing.html", form=form, page=page, today=local_today())


@bp.get("/<slug>")
def detail(slug: str):
    """One process: summary, description and the phase timeline with the current phase.

    Kept whole for everyone whose buttons, following and layout read the same: a logged-in
    citizen's process page made seven queries and cost 12 ms of CPU every time."""
    process = kept_rows.loaded(("process by slug", slug),
                               lambda: db.session.scalar(_BY_SLUG, {"slug": slug}),
                               {"phases": {}}, fragments.PROCESSES, attach=False)  # fmt: skip
    if process is None:
        # An address the process had before it was renamed: links to it keep working.
        moved = process_of_former_slug(slug)
        if moved is None or not permissions.can_view_process(current_user, moved):
            abort(404)
        return redirect(url_for("processes.detail", slug=moved.slug), 301)
    user = current_user._get_current_object()
    if not permissions.can_view_process(user, process):
        abort(404)  # drafts do not exist for the public
    switches = {
        "can_edit": permissions.can_edit_process(user, process),
        "can_announce": can_publish_announcement(user, process),
        "following": is_following(user, process=process),
        "can_open_thread": can_open_thread(user, process),
        "can_propose": can_submit_proposal(user, process),
    }

    def page() -> str:
        shown = kept_rows.attached(process)  # (detached until rendered: kept_rows.revive)
        return render_template(
            "processes/detail.html",
            process=shown,
            body_html=render_user_text(process.body),
            today=local_today(),
            announcements=latest_announcements(limit=5, process=shown),
            threads=db.session.scalars(
                threads_query(ThreadFilter(process_id=shown.id)).limit(5)
            ).all(),
            proposals=top_proposals(limit=5, process=shown),
            offers=offers_of_process(shown),
            **switches,
        )

    return kept_whole(("process", process.id, *switches.values()), page)


_BY_SLUG = (
    select(Process).where(Process.slug == bindparam("slug")).options(selectinload(Process.phases))
)
