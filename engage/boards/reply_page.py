"""The page for answering one post: a reply's "Reply" link without script leads there, and a
refused answer comes back to it with what was typed. Threads and proposals share it."""

from __future__ import annotations

from flask import abort, redirect, render_template, request

from engage.boards.dialogue_forms import ReplyForm
from engage.boards.dialogue_services import parent_to_answer
from engage.core.sanitize import excerpt


def render(form: ReplyForm, parent_id: int | None, back: str, can_answer_officially: bool,
           **where):  # fmt: skip
    """The page for the post parent_id under where (thread_id= or proposal_id=), 404 if there
    is none to answer; 422 when the form comes back with errors. back: the thread or proposal."""
    if parent_id is None and not form.is_submitted():
        return redirect(back)  # (the form's own address, as after logging in: its page)
    try:
        parent = parent_to_answer(parent_id, **where)
    except LookupError:
        abort(404)
    form.parent_id.data = parent.id
    return render_template(
        "boards/reply.html", form=form, parent=parent, action=request.path, excerpt=excerpt,
        back=back, can_answer_officially=can_answer_officially,
    ), 422 if form.errors else 200  # fmt: skip
