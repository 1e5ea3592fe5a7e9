"""The information board: /info, one announcement, publishing, and the Atom feed."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.accounts.forms import PlainActionForm
from engage.accounts.permissions import is_staff
from engage.boards import permissions, services
from engage.boards.forms import AnnouncementFilterForm, AnnouncementForm
from engage.boards.models import Announcement
from engage.core import kept_rows
from engage.core.policy import require
from engage.core.sanitize import render_user_text
from engage.core.types import utcnow
from engage.extensions import db
from engage.main.layout import kept_listing, kept_whole
from engage.organisation.models import all_districts
from engage.processes.models import Process
from engage.processes.services import published_processes

bp = Blueprint("info", __name__, url_prefix="/info")
PER_PAGE = 10


@bp.get("")
def index():
    """All visible announcements, pinned first, filterable by process and district.

    The list is the same for everyone: rendered once per content version, and the page kept
    whole for everyone whose buttons and layout read the same. Staff's pages also list their
    own scheduled and withdrawn announcements, and are rendered each time."""
    user = current_user._get_current_object()
    can_publish = permissions.can_publish_announcement(user)
    staff = is_staff(user)
    own_hidden = services.scheduled_and_withdrawn(user) if staff else []
    return kept_listing("info.index", "boards/info_index.html", _listing,
                        page_key=None if staff else (can_publish,),
                        can_publish=can_publish, own_hidden=own_hidden)  # fmt: skip


def _listing() -> str:
    form = AnnouncementFilterForm(request.args)
    form.set_choices(published_processes(), all_districts())
    form.validate()
    filters = services.AnnouncementFilter(
        process_id=None if form.process_id.errors else form.process_id.data,
        district_id=None if form.district.errors else form.district.data,
    )
    page = db.paginate(services.announcements_query(filters), per_page=PER_PAGE, error_out=False)
    return render_template("boards/_info_listing.html", form=form, page=page)


@bp.get("/<int:announcement_id>")
def detail(announcement_id: int):
    """One announcement, kept whole for everyone whose buttons and layout read the same."""
    announcement = kept_rows.loaded(
        ("announcement", announcement_id),
        lambda: db.session.get(Announcement, announcement_id),
        {"process": {}, "author": {}},  # (what can_edit_announcement reads)
        attach=False,
    )  # (detached until rendered: kept_rows.revive)
    user = current_user._get_current_object()
    if announcement is None or not permissions.can_view_announcement(user, announcement):
        abort(404)
    can_edit = permissions.can_edit_announcement(user, announcement)

    def page() -> str:
        return render_template("boards/info_detail.html",
                               announcement=kept_rows.attached(announcement),
                               body_html=render_user_text(announcement.body),
                               can_edit=can_edit)  # fmt: skip

    return kept_whole(("announcement", announcement.id, can_edit), page)


def _form(announcement: Announcement | None = None) -> AnnouncementForm:
    form = AnnouncementForm(obj=announcement)
    processes = [
        p for p in published_processes() if permissions.can_publish_announcement(current_user, p)
    ]
    form.set_choices(processes, all_districts())
    return form


def _data(form: AnnouncementForm) -> services.AnnouncementData:
    return services.AnnouncementData(
        title=form.title.data,
        body=form.body.data,
        process_id=form.process_id.data,
        district_id=form.district_id.data,
        pinned=form.pinned.data,
        publish_at=form.publish_at_utc(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Publish an announcement, city-wide or within a process of the user's department."""
    require(permissions.can_publish_announcement(current_user))
    form = _form()
    if not form.is_submitted() and request.args.get("process", "").isdigit():
        form.process_id.data = int(request.args["process"])
        # Written from a process's page: for that process's district, unless changed here.
        process = db.session.get(Process, form.process_id.data)
        if process is not None and process.district_id is not None:
            form.district_id.data = process.district_id
    if form.validate_on_submit():
        announcement = services.publish_announcement(current_user, _data(form))
        db.session.commit()
        if announcement.is_scheduled:
            flash(_("The announcement is scheduled."), "success")
        else:
            flash(_("The announcement is published."), "success")
        return redirect(url_for("info.detail", announcement_id=announcement.id))
    return render_template("boards/info_form.html", form=form, announcement=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:announcement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(announcement_id: int):
    announcement = db.get_or_404(Announcement, announcement_id)
    require(permissions.can_edit_announcement(current_user, announcement))
    form = _form(announcement)
    if not form.is_submitted():
        form.show_publish_at(announcement.publish_at)
    if form.validate_on_submit():
        services.update_announcement(announcement, current_user, _data(form))
        db.session.commit()
        flash(_("The announcement is saved."), "success")
        return redirect(url_for("info.detail", announcement_id=announcement.id))
    return render_template("boards/info_form.html", form=form, announcement=announcement), (
        422 if form.errors else 200
    )


@bp.post("/<int:announcement_id>/publish")
@login_required
def toggle_published(announcement_id: int):
    """Take an announcement off the board, or put it back."""
    announcement = db.get_or_404(Announcement, announcement_id)
    require(permissions.can_edit_announcement(current_user, announcement))
    if PlainActionForm().validate_on_submit():
        publish = announcement.unpublished_at is not None
        services.set_published(announcement, current_user, publish)
        db.session.commit()
        flash(_("The announcement is published again.") if publish
              else _("The announcement is taken off the board."), "success")  # fmt: skip
    return redirect(url_for("info.detail", announcement_id=announcement.id))


def _html_text(source: str) -> str:
    """Sanitised HTML as plain text, so that the XML template escapes it into the feed."""
    return str(render_user_text(source))


@bp.get("/feed.atom")
def feed():
    """The newest announcements as an Atom feed."""
    entries = db.session.scalars(
        services.announcements_query(services.AnnouncementFilter()).limit(30)
    ).all()
    updated = max((a.edited_at or a.publish_at for a in entries), default=utcnow())
    body = render_template("boards/feed.xml", entries=entries, updated=updated, render=_html_text)
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
