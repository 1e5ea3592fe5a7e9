"""The dialogue board: /dialogue, opening threads, replies, official answers, closing."""

from __future__ import annotations

from functools import cached_property

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from engage.accounts.forms import PlainActionForm
from engage.accounts.permissions import write_refusal
from engage.boards import dialogue_services as services
from engage.boards import permissions, reply_page
from engage.boards.dialogue_forms import (
    CloseForm,
    EditPostForm,
    EditThreadForm,
    ReplyForm,
    ThreadFilterForm,
    ThreadForm,
)
from engage.boards.dialogue_models import Comment, Thread
from engage.core import kept_rows
from engage.core.policy import require
from engage.core.sanitize import render_user_text
from engage.core.types import local_today
from engage.extensions import db, limiter
from engage.main.layout import kept_listing, kept_whole
from engage.moderation import permissions as mod_permissions
from engage.moderation.services import pending_message
from engage.notifications import services as notifications
from engage.processes.models import Process
from engage.processes.services import published_processes

bp = Blueprint("dialogue", __name__, url_prefix="/dialogue")
PER_PAGE = 20


# One thread: its author and the process's phases in the same query (two fewer).
_ONE = (joinedload(Thread.author), joinedload(Thread.process).joinedload(Process.phases))


def _thread_or_404(thread_id: int, kept: bool = False) -> Thread:
    if kept:  # (the thread page: what this worker kept of the thread, if current; detached
        # until the page is rendered, kept_rows.revive)
        thread = kept_rows.loaded(
            ("thread", thread_id), lambda: db.session.get(Thread, thread_id, options=_ONE),
            {"author": {}, "process": {"phases": {}}}, attach=False,
        )  # fmt: skip
    else:
        thread = db.session.get(Thread, thread_id, options=_ONE)
    if thread is None or not permissions.can_view_thread(current_user, thread):
        abort(404)
    return thread


@bp.get("")
def index():
    """All discussions, filterable. The list is the same for everyone: rendered once per
    content version, and the page kept whole for everyone whose button and layout read the
    same."""
    can_open = permissions.can_open_thread(current_user)
    return kept_listing("dialogue.index", "boards/dialogue_index.html", _listing,
                        page_key=(can_open,), can_open=can_open)  # fmt: skip


def _listing() -> str:
    form = ThreadFilterForm(request.args)
    form.set_choices(published_processes())
    form.validate()
    filters = services.ThreadFilter(
        process_id=None if form.process_id.errors else form.process_id.data,
        state=form.state.data or None,
    )
    page = db.paginate(services.threads_query(filters), per_page=PER_PAGE, error_out=False)
    return render_template("boards/_dialogue_listing.html", form=form, page=page)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Open a discussion, city-wide or in a process that is in its dialogue phase."""
    require(permissions.can_open_thread(current_user), write_refusal(current_user))
    today = local_today()
    open_processes = [
        p for p in published_processes() if permissions.can_open_thread(current_user, p, today)
    ]
    form = ThreadForm()
    form.set_choices(open_processes)
    if not form.is_submitted() and request.args.get("process", "").isdigit():
        form.process_id.data = int(request.args["process"])
    if form.validate_on_submit():
        process = db.session.get(Process, form.process_id.data) if form.process_id.data else None
        thread = services.open_thread(current_user, form.title.data, form.body.data, process)
        db.session.commit()
        if not thread.is_visible:
            flash(pending_message(), "success")
        else:
            flash(_("Your discussion is open. You follow it and will be told about replies; "
                    "you can stop following on its page."), "success")  # fmt: skip
        return redirect(url_for("dialogue.detail", thread_id=thread.id))
    return render_template("boards/thread_form.html", form=form), 422 if form.errors else 200


@bp.get("/<int:thread_id>")
def detail(thread_id: int):
    """A thread with its replies: top-level replies paginated, their sub-trees in one query."""
    return _render_thread(_thread_or_404(thread_id, kept=True))


class _ThreadForms:
    """The thread page's forms, made only when the page is rendered, not when its kept
    fragment is served. A form that comes back with errors is handed in."""

    def __init__(self, signed_in: bool, reply=None, close=None):
        # Visitors get no forms: a token would open a session and bypass the page cache.
        self._signed_in, self._reply, self._close = signed_in, reply, close

    @cached_property
    def reply(self):
        return self._reply or (ReplyForm(formdata=None) if self._signed_in else None)

    @cached_property
    def close(self):
        return self._close or (CloseForm(formdata=None) if self._signed_in else None)


def _render_thread(thread: Thread, reply_form: ReplyForm | None = None, status: int = 200,
                   close_form: CloseForm | None = None):  # fmt: skip
    # A plain view (no form coming back with errors) is kept as one fragment for everyone whose
    # switches below read the same (core/fragments.py): a hit renders and loads nothing more.
    plain = status == 200 and reply_form is None and close_form is None
    user = current_user._get_current_object()  # (read often below: the proxy costs each time)
    signed_in = user.is_authenticated
    viewer = services.thread_viewer(user, thread)
    # Loaded only if the rendered replies are not kept already (services.ReplyPage).
    replies = services.ReplyPage(services.REPLIES_PER_PAGE, user, thread=thread,
                                 touched=viewer.touched_replies)  # fmt: skip
    shared = replies.shared_key if plain else None
    page_key = None if shared is None else (
        "thread", thread.id, shared, signed_in, viewer.following, viewer.reported,
        signed_in and user.is_verified, signed_in and user.is_blocked,
        mod_permissions.can_flag(user, thread), permissions.can_edit_post(user, thread),
        permissions.can_delete_post(user, thread), permissions.can_close_thread(user, thread),
        permissions.can_reply(user, thread), permissions.can_answer_officially(user, thread),
    )  # fmt: skip

    def page() -> str:
        return render_template(
            "boards/thread_detail.html",
            thread=kept_rows.attached(thread),
            page_key=page_key,
            replies=replies,
            official_of=services.official_answer,
            forms=_ThreadForms(signed_in, reply_form, close_form),
            following=viewer.following,
            board_perm=permissions,
            render=render_user_text,
        )

    # Kept whole for everyone with the same switches and layout (as proposals._detail).
    html = kept_whole(page_key, page)
    if notifications.read_news_on_page(user, g.get("unread_notifications", 1), thread=thread):
        # Reading the thread is seeing its news. Committed after rendering: a commit expires
        # the loaded replies, which would then reload one by one. Only when there is news: a
        # write raises the content version, which renews every cached page and fragment.
        db.session.commit()
    return html, status


@bp.route("/<int:thread_id>/reply", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def reply(thread_id: int):
    """Reply to a thread; GET ?to=<id> is the form for answering one post (its "Reply" link
    without script: the thread page carries no form per reply)."""
    thread = _thread_or_404(thread_id)
    if thread.is_closed:
        abort(409, description=_("This discussion is closed: %(reason)s",
                                 reason=thread.closed_reason))  # fmt: skip
    require(permissions.can_reply(current_user, thread))
    form = ReplyForm()
    parent_id = form.parent_id.data if form.is_submitted() else request.args.get("to", type=int)
    if not form.validate_on_submit():
        if parent_id or not form.is_submitted():  # answering one post: its page of its own
            return reply_page.render(
                form,
                parent_id,
                url_for("dialogue.detail", thread_id=thread.id),
                permissions.can_answer_officially(current_user, thread),
                thread_id=thread.id,
            )
        # Show the errors at the reply form, keeping what was typed.
        return _render_thread(thread, reply_form=form, status=422)
    try:
        parent = services.parent_for_reply(form.parent_id.data, thread_id=thread.id)
    except LookupError:
        abort(404)
    official = bool(form.official.data)
    if official:
        require(permissions.can_answer_officially(current_user, thread))
    earlier = services.sent_before(current_user, form.body.data, parent, thread_id=thread.id)
    if earlier is not None:
        flash(_("You had sent this reply already; it is there once."), "info")
        return redirect(services.reply_url(earlier, current_user))
    try:
        comment = services.reply(thread, current_user, form.body.data, parent, official)
    except services.ThreadClosed as error:
        abort(409, description=str(error))
    except services.ReplyTargetGone as error:
        abort(409, description=str(error))
    db.session.commit()
    if not comment.is_visible:
        flash(pending_message(), "success")
    else:
        flash(_("Your official answer is published.") if official
              else _("Your reply is published."), "success")  # fmt: skip
    return redirect(services.reply_url(comment, current_user))


@bp.route("/<int:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit_thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    return _edit(thread, url_for("dialogue.detail", thread_id=thread_id), with_title=True)


@bp.get("/replies/<int:comment_id>")
def reply_at(comment_id: int):
    """A reply's lasting address (mails, notifications, search, the audit log): its thread's
    or proposal's page where it is shown, which page of it that is now."""
    comment = db.get_or_404(Comment, comment_id)
    return redirect(services.reply_url(comment, current_user))


@bp.route("/replies/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_reply(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    # (back to the reply on its page, as after saving: a long thread has several)
    return _edit(comment, services.reply_url(comment, current_user), with_title=False)


def _edit(post, back: str, with_title: bool):
    if not permissions.can_edit_post(current_user, post):
        if post.author_id == current_user.id and not post.is_deleted:
            abort(409, description=_("Posts can only be changed within 15 minutes."))
        abort(403)
    form = (EditThreadForm if with_title else EditPostForm)(obj=post)
    if form.validate_on_submit():
        services.edit_post(post, form.body.data, form.title.data if with_title else None)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(back if with_title else services.reply_url(post, current_user))
    return render_template("boards/post_edit.html", form=form, with_title=with_title,
                           back=back), 422 if form.errors else 200  # fmt: skip


@bp.post("/<int:thread_id>/delete")
@login_required
def delete_thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    require(permissions.can_delete_post(current_user, thread))
    if PlainActionForm().validate_on_submit():
        services.delete_post(thread)
        db.session.commit()
        flash(_("Your post is deleted."), "success")
    return redirect(url_for("dialogue.detail", thread_id=thread.id))


@bp.post("/replies/<int:comment_id>/delete")
@login_required
def delete_reply(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    require(permissions.can_delete_post(current_user, comment))
    back = services.reply_url(comment, current_user)  # (its page, worked out while it is there)
    if PlainActionForm().validate_on_submit():
        services.delete_post(comment)
        db.session.commit()
        flash(_("Your post is deleted."), "success")
    return redirect(back)


@bp.post("/<int:thread_id>/close")
@login_required
def close(thread_id: int):
    thread = _thread_or_404(thread_id)
    require(permissions.can_close_thread(current_user, thread))
    if thread.is_closed:
        if PlainActionForm().validate_on_submit():
            services.reopen_thread(thread, current_user)
            db.session.commit()
            flash(_("The discussion is open again."), "success")
        return redirect(url_for("dialogue.detail", thread_id=thread.id))
    form = CloseForm()
    if not form.validate_on_submit():
        # Shown at the reason field and in the error summary, keeping what was typed.
        return _render_thread(thread, close_form=form, status=422)
    services.close_thread(thread, current_user, form.reason.data)
    db.session.commit()
    flash(_("The discussion is closed."), "success")
    return redirect(url_for("dialogue.detail", thread_id=thread.id))


@bp.post("/replies/<int:comment_id>/helpful")
@login_required
def helpful(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    require(permissions.can_mark_helpful(current_user, comment))
    if PlainActionForm().validate_on_submit():
        services.toggle_helpful(comment, current_user)
        db.session.commit()
    return redirect(services.reply_url(comment, current_user))
