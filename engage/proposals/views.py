"""Proposal pages: list, submit (with preview and drafts), detail, support, lifecycle steps."""

from __future__ import annotations

from functools import cached_property

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import defaultload, joinedload, lazyload

from engage.accounts.forms import PlainActionForm
from engage.accounts.permissions import is_admin, is_staff, write_refusal
from engage.boards import dialogue_services as dialogue
from engage.boards import permissions as board_permissions
from engage.boards import reply_page
from engage.boards.dialogue_forms import ReplyForm
from engage.core import kept_rows
from engage.core.pagination import requested_page, require_existing_page
from engage.core.policy import require
from engage.core.sanitize import render_user_text
from engage.errors import wants_json
from engage.extensions import db, limiter
from engage.main.layout import kept_listing, kept_whole
from engage.moderation import permissions as mod_permissions
from engage.moderation.services import pending_message
from engage.notifications import services as notifications
from engage.organisation.models import all_districts
from engage.processes.models import Process
from engage.processes.services import published_processes
from engage.proposals import permissions, services
from engage.proposals.forms import (
    MoveForm,
    ProposalFilterForm,
    ProposalForm,
    RatingForm,
    ResultForm,
)
from engage.proposals.models import Proposal
from engage.volunteering.services import offers_from_proposal

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
PER_PAGE = 20


# One proposal: its author and the process's phases in the same query (two fewer).
# The process with its phases (the permission checks read them) in the same query; the author,
# the district and the departments only when the page is rendered, not when it is kept.
_ONE = (
    lazyload(Proposal.author), lazyload(Proposal.district),
    joinedload(Proposal.process).options(
        joinedload(Process.phases), lazyload(Process.department), lazyload(Process.district)),
)  # fmt: skip


def _visible_or_404(proposal_id: int, kept: bool = False) -> Proposal:
    if kept:  # (the detail page: what this worker kept of the proposal, if current; detached
        # until the page is rendered, kept_rows.revive)
        proposal = kept_rows.loaded(("proposal", proposal_id),
                                    lambda: db.session.get(Proposal, proposal_id, options=_ONE),
                                    {"process": {"phases": {}}}, attach=False)  # fmt: skip
    else:
        proposal = db.session.get(Proposal, proposal_id, options=_ONE)
    if proposal is None or not permissions.can_view_proposal(current_user, proposal):
        abort(404)
    return proposal


@bp.get("")
def index():
    # The list is the same for everyone: rendered once per content version (core/fragments.py),
    # and kept whole with the layout for everyone whose layout reads the same.
    return kept_listing("proposals.index", "proposals/index.html", _listing)


def _listing() -> str:
    form = ProposalFilterForm(request.args)
    processes = published_processes()
    form.set_choices(processes, all_districts())
    form.validate()
    filters = services.ProposalFilter(
        process_id=None if form.process_id.errors else form.process_id.data,
        district_id=None if form.district.errors else form.district.data,
        status=form.status.data or None,
        category=form.category.data or None,
        sort=form.sort.data or "supports",
    )
    # The list shows neither authors nor phases: loading them would cost two queries.
    query = services.proposals_query(filters).options(
        lazyload(Proposal.author), defaultload(Proposal.process).lazyload(Process.phases)
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    open_processes = [p for p in processes if permissions.in_proposal_phase(p)]
    return render_template("proposals/_listing.html", form=form, page=page,
                           open_processes=open_processes)  # fmt: skip


def _valid(form: ProposalForm) -> bool:
    """A sent form that is valid for what was pressed: a draft may be unfinished."""
    if not form.is_submitted():
        return False
    return form.validate_for("draft" if "draft" in request.form else "submit")


@bp.get("/mine")
@login_required
def mine():
    """The user's own proposals, drafts included, to find a draft again."""
    return render_template("proposals/mine.html", proposals=services.my_proposals(current_user))


def _data(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data, problem=form.problem.data, idea=form.idea.data,
        intended_outcome=form.intended_outcome.data, indicator=form.indicator.data,
        baseline=form.baseline.data or "", target=form.target.data or "",
        district_id=form.district_id.data, category=form.category.data or "other",
        cost_estimate=form.cost_estimate.data,
    )  # fmt: skip


def _form_page(form, process, proposal=None, status=200):
    preview = None
    if "preview" in request.form and not form.errors:
        preview = {name: render_user_text(form[name].data)
                   for name in ("problem", "idea", "intended_outcome")}  # fmt: skip
    return render_template("proposals/form.html", form=form, process=process,
                           proposal=proposal, preview=preview), status  # fmt: skip


@bp.get("/manage")
@login_required
def manage():
    """The department's inbox: new, qualified and unanswered, and overdue proposals."""
    require(is_staff(current_user))
    department_id = None if is_admin(current_user) else current_user.department_id
    pages = {name: requested_page(f"{name}_page") for name in ("overdue", "waiting", "new")}
    inbox = services.department_inbox(department_id, pages=pages)
    for name, listed in zip(pages, (inbox.overdue, inbox.qualified_unanswered, inbox.new),
                            strict=True):  # fmt: skip
        require_existing_page(pages[name], listed.pages, f"{name}_page")
    return render_template("proposals/manage.html", inbox=inbox)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def create():
    """Write a proposal for a process in its co-design or voting phase."""
    process_id = request.values.get("process", "")
    if not process_id.isdigit():
        return render_template("proposals/choose_process.html",
                               processes=[p for p in published_processes()
                                          if permissions.in_proposal_phase(p)])  # fmt: skip
    process = db.get_or_404(Process, int(process_id))
    require(permissions.can_submit_proposal(current_user, process), write_refusal(current_user)
            or _("This process takes no proposals at the moment: only in its co-design and "
                 "voting phases."))  # fmt: skip
    form = ProposalForm()
    form.set_choices(all_districts())
    if not form.is_submitted() and process.district_id:
        form.district_id.data = process.district_id
    if not _valid(form) or "preview" in request.form:
        return _form_page(form, process, status=422 if form.errors else 200)
    submit = "submit" in request.form
    earlier = services.sent_before(current_user, process, _data(form))
    if earlier is not None:
        flash(_("You had sent this proposal already; it is there once."), "info")
        return redirect(url_for("proposals.detail", proposal_id=earlier.id))
    proposal = services.save_proposal(current_user, process, _data(form), submit=submit)
    db.session.commit()
    if submit and not proposal.is_visible:
        flash(pending_message(), "success")
    else:
        flash(_("Your proposal is submitted.") if submit else _("Your draft is saved; only you "
              "can see it. You find it again under “My proposals”."), "success")  # fmt: skip
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = _visible_or_404(proposal_id)
    require(permissions.can_edit_proposal(current_user, proposal))
    form = ProposalForm(obj=proposal)
    form.set_choices(all_districts())
    if not _valid(form) or "preview" in request.form:
        return _form_page(form, proposal.process, proposal, status=422 if form.errors else 200)
    services.update_proposal(proposal, current_user, _data(form), submit="submit" in request.form)
    db.session.commit()
    flash(_("Your proposal is saved."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.get("/<int:proposal_id>")
def detail(proposal_id: int):
    return _detail(_visible_or_404(proposal_id, kept=True))


class _PageForms:
    """The detail page's forms, made only when the page is rendered, not when its kept
    fragment is served. A form that comes back with errors is handed in."""

    def __init__(self, proposal, viewer, moves, *, can_record: bool, can_rate: bool,
                 signed_in: bool, result=None, move=None, comment=None):  # fmt: skip
        self._proposal, self._viewer, self._moves = proposal, viewer, moves
        self._can_record, self._can_rate, self._signed_in = can_record, can_rate, signed_in
        self._given = {"result": result, "move": move, "comment": comment}

    @cached_property
    def result(self):
        if not self._can_record:
            return None
        return self._given["result"] or ResultForm(obj=self._proposal, formdata=None)

    @cached_property
    def rating(self):
        stars = str(self._viewer.rating)
        return RatingForm(formdata=None, stars=stars) if self._can_rate else None

    @cached_property
    def move(self):
        if not self._moves:
            return None
        form = self._given["move"] or MoveForm(formdata=None)
        form.set_choices(self._moves)
        return form

    @cached_property
    def comment(self):
        # Visitors get no forms: a form's CSRF token would open a session and keep the page
        # out of the shared page cache.
        return _comment_form(self._given["comment"]) if self._signed_in else None


def _detail(proposal: Proposal, result_form=None, status: int = 200, comment_form=None,
            move_form=None):  # fmt: skip
    # A plain view (no form coming back with errors) is kept as one fragment for everyone whose
    # switches below read the same (core/fragments.py): a hit renders and loads nothing more.
    plain = status == 200 and result_form is comment_form is move_form is None
    user = current_user._get_current_object()  # (read often below: the proxy costs each time)
    signed_in = user.is_authenticated
    access = permissions.ProposalAccess(user, proposal)
    moves = access.staff_moves()
    viewer = services.viewer_of(user, proposal)
    # Loaded only if the rendered comments are not kept already (dialogue.ReplyPage).
    replies = dialogue.ReplyPage(dialogue.REPLIES_PER_PAGE, user, proposal=proposal,
                                 touched=viewer.touched_comments)  # fmt: skip
    switches = {
        "supported": viewer.supported,
        "following": viewer.following,
        "can_support": access.can_support(),
        "can_edit": access.can_edit(),
        "can_withdraw": access.can_move("withdrawn"),
        "can_submit": access.can_move("submitted"),
        "can_comment": access.can_comment(),
        "can_answer_officially": access.can_answer_officially(),
    }
    can_record = access.can_record_result()
    can_rate = access.can_rate(viewer.supported)
    shared = replies.shared_key if plain else None
    page_key = None if shared is None else (
        "proposal", proposal.id, shared, signed_in, tuple(switches.values()), tuple(moves),
        can_record, viewer.rating if can_rate else None, viewer.reported,
        mod_permissions.can_flag(user, proposal),
    )  # fmt: skip
    forms = _PageForms(proposal, viewer, moves, can_record=can_record, can_rate=can_rate,
                       signed_in=signed_in, result=result_form, move=move_form,
                       comment=comment_form)  # fmt: skip

    def page() -> str:
        return render_template(
            "proposals/detail.html",
            proposal=kept_rows.attached(proposal),
            page_key=page_key,
            render=render_user_text,
            forms=forms,
            replies=replies,
            board_perm=board_permissions,
            offers_of=offers_from_proposal,
            **switches,
        )

    # The whole page, layout included, is kept for everyone with the same switches and the
    # same layout (header, no message): a hit renders no template.
    html = kept_whole(page_key, page)
    if notifications.read_news_on_page(user, g.get("unread_notifications", 1), proposal=proposal):
        # Reading the proposal is seeing its news (steps and comments), as on a thread's page;
        # committed after rendering, which a commit would make load its comments again.
        db.session.commit()
    return html, status


@bp.post("/<int:proposal_id>/support")
@login_required
@limiter.limit("60 per minute")
def support(proposal_id: int):
    """Support a proposal, or withdraw one's support.

    The page's script sends the form asking for JSON and updates the button and the count in
    place (no reload, the reader stays where they were); without script the answer is a
    redirect back to the page with the message shown there."""
    # Only what the permission check needs: the proposal with its process and phases in one
    # query (no author, district or department), then one INSERT or DELETE and the counter.
    proposal = services.proposal_for_support(proposal_id)
    if proposal is None or not permissions.can_view_proposal(current_user, proposal):
        abort(404)
    script = wants_json()
    if permissions.support_closed(current_user, proposal):
        # A button on a page opened before the proposal moved on: the page as it is now, with
        # why (the page's script sends the form the usual way after the 409).
        if script:
            abort(409)
        flash(_("This proposal is no longer open for support: supports can no longer be "
                "given or withdrawn."), "error")  # fmt: skip
        return redirect(url_for("proposals.detail", proposal_id=proposal_id))
    require(permissions.can_support(current_user, proposal))
    if not PlainActionForm().validate_on_submit():
        if script:
            abort(400)  # (answered as JSON by errors.render_error; the script then sends the form)
        return redirect(url_for("proposals.detail", proposal_id=proposal_id))
    # The button says what it does: pressing "Support" on a page opened before (another
    # tab) keeps the support instead of withdrawing it. Without an intent it toggles.
    intent = request.form.get("intent")
    if intent == "withdraw":
        services.withdraw_support(proposal, current_user)
        supported = False
    elif intent == "support":
        services.add_support(proposal, current_user)
        supported = True
    else:
        supported = services.toggle_support(proposal, current_user)
    message = _("Thank you for your support.") if supported else _("Your support is withdrawn.")
    if script:
        # Read before the commit, which would expire the row and reload it.
        answer = {
            "supported": supported,
            "support_count": proposal.support_count,
            "message": message,
            "intent": "withdraw" if supported else "support",
            "label": _("Withdraw support") if supported else _("Support"),
        }
        db.session.commit()
        return answer
    flash(message, "success")
    db.session.commit()
    # The route's id, not proposal.id: after the commit that would reload the whole proposal.
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


@bp.post("/<int:proposal_id>/move")
@login_required
def move(proposal_id: int):
    """Take a lifecycle step (staff) or submit/withdraw (author); invalid steps answer 409."""
    proposal = _visible_or_404(proposal_id)
    target = request.form.get("to_status", "")
    note = request.form.get("note", "")
    if not PlainActionForm().validate_on_submit():
        abort(400)
    try:
        services.move(proposal, current_user, target, note)
    except ValueError:
        abort(400, description=_("Unknown state."))
    except services.NoteNotValid as error:
        # Shown at the note field and in the error summary, with the chosen step kept.
        form = MoveForm()
        form.note.errors = [str(error)]
        return _detail(proposal, status=422, move_form=form)
    except services.InvalidTransition as error:
        if target == "submitted" and permissions.can_edit_proposal(current_user, proposal):
            flash(str(error), "warning")  # (an unfinished draft: where it can be finished)
            return redirect(url_for("proposals.edit", proposal_id=proposal.id))
        abort(409, description=str(error))
    db.session.commit()
    flash(_("The proposal is now “%(state)s”.", state=proposal.status_label), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.post("/<int:proposal_id>/result")
@login_required
def record_result(proposal_id: int):
    """Staff record the measured indicator value and a short evaluation."""
    proposal = _visible_or_404(proposal_id)
    require(permissions.can_record_result(current_user, proposal))
    form = ResultForm()
    if not form.validate_on_submit():
        return _detail(proposal, result_form=form, status=422)
    services.record_result(proposal, current_user, form.measured_value.data, form.evaluation.data)
    db.session.commit()
    flash(_("The measured result is saved."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#result-title")


@bp.post("/<int:proposal_id>/rate")
@login_required
def rate(proposal_id: int):
    """Supporters rate how well an implemented proposal worked."""
    proposal = _visible_or_404(proposal_id)
    require(permissions.can_rate(current_user, proposal,
                                 services.has_supported(current_user, proposal)))  # fmt: skip
    form = RatingForm()
    if form.validate_on_submit():
        services.rate(proposal, current_user, int(form.stars.data))
        db.session.commit()
        flash(_("Thank you for your rating."), "success")
    else:
        flash(_("Please choose a rating."), "error")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#result-title")


def _comment_form(form: ReplyForm | None = None) -> ReplyForm:
    form = form or ReplyForm(formdata=None)
    form.body.label.text = _("Your comment")
    return form


@bp.route("/<int:proposal_id>/comments", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def add_comment(proposal_id: int):
    """Comment on a proposal (staff of the department may answer officially); GET ?to=<id> is
    the form for answering one comment (its "Reply" link without script)."""
    proposal = _visible_or_404(proposal_id)
    require(permissions.can_comment(current_user, proposal))
    form = ReplyForm()
    parent_id = form.parent_id.data if form.is_submitted() else request.args.get("to", type=int)
    if not form.validate_on_submit():
        if parent_id or not form.is_submitted():  # answering one comment: its page of its own
            return reply_page.render(
                form,
                parent_id,
                url_for("proposals.detail", proposal_id=proposal.id),
                permissions.can_answer_officially(current_user, proposal),
                proposal_id=proposal.id,
            )
        return _detail(proposal, comment_form=form, status=422)
    try:
        parent = dialogue.parent_for_reply(form.parent_id.data, proposal_id=proposal.id)
    except LookupError:
        abort(404)
    official = bool(form.official.data)
    if official:
        require(permissions.can_answer_officially(current_user, proposal))
    earlier = dialogue.sent_before(current_user, form.body.data, parent, proposal_id=proposal.id)
    if earlier is not None:
        flash(_("You had sent this comment already; it is there once."), "info")
        return redirect(dialogue.reply_url(earlier, current_user))
    try:
        new = services.comment(proposal, current_user, form.body.data, parent, official)
    except dialogue.ReplyTargetGone as error:
        abort(409, description=str(error))
    db.session.commit()
    if not new.is_visible:
        flash(pending_message(), "success")
    else:
        flash(_("Your comment is published."), "success")
    return redirect(dialogue.reply_url(new, current_user))
