"""What a hit shows: its kind, a title that links to the item, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup, escape
from sqlalchemy import select

from engage.boards.dialogue_models import Comment, Thread
from engage.extensions import db
from engage.proposals.models import Proposal
from engage.search.index import KINDS, clean
from engage.search.services import Hit


def kind_label(kind: str) -> str:
    return {
        "announcement": pgettext("search result", "Announcement"),
        "thread": pgettext("search result", "Discussion"),
        "reply": pgettext("search result", "Reply"),
        "proposal": pgettext("search result", "Proposal"),
        "offer": pgettext("search result", "Volunteer offer"),
        "process": pgettext("search result", "Participation process"),
    }[kind]


@dataclass
class Result:
    kind: str
    label: str
    title: Markup | str
    url: str
    snippet: Markup
    when: datetime | None


def _load(model, ids: list[int]) -> dict[int, object]:
    if not ids:
        return {}
    return {item.id: item for item in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _title(hit: Hit, item) -> Markup | str:
    """The marked title, unless the database's highlighter changed its text (then as stored)."""
    shown = str(hit.title).replace("<mark>", "").replace("</mark>", "")
    return hit.title if shown == str(escape(clean(item.title))) else item.title


def _reply(comment: Comment, threads: dict, proposals: dict) -> tuple[str, str]:
    if comment.thread_id is not None:
        parent = threads[comment.thread_id]
    else:
        parent = proposals[comment.proposal_id]
    # (its lasting address: which page of a long thread it is on is looked up when followed)
    return (_("Reply to “%(title)s”", title=parent.title),
            url_for("dialogue.reply_at", comment_id=comment.id))  # fmt: skip


def describe(hits: list[Hit]) -> list[Result]:
    """The hits of one page as results, with one query per kind (and two for replies)."""
    found = {kind: _load(KINDS[kind][0], [h.item_id for h in hits if h.kind == kind])
             for kind in KINDS}  # fmt: skip
    replies = found["reply"].values()
    threads = _load(Thread, [c.thread_id for c in replies if c.thread_id])
    proposals = _load(Proposal, [c.proposal_id for c in replies if c.proposal_id])
    results = []
    for hit in hits:
        item = found[hit.kind].get(hit.item_id)
        if item is None:  # gone since the search ran
            continue
        when = getattr(item, "created_at", None)
        title = _title(hit, item) if hit.kind != "reply" else ""
        if hit.kind == "reply":
            title, url = _reply(item, threads, proposals)
        elif hit.kind == "announcement":
            url, when = url_for("info.detail", announcement_id=item.id), item.publish_at
        elif hit.kind == "thread":
            url = url_for("dialogue.detail", thread_id=item.id)
        elif hit.kind == "proposal":
            url, when = url_for("proposals.detail", proposal_id=item.id), item.submitted_at
        elif hit.kind == "process":
            url, when = url_for("processes.detail", slug=item.slug), item.published_at
        else:
            url = url_for("volunteer.detail", offer_id=item.id)
        results.append(Result(hit.kind, kind_label(hit.kind), title, url, hit.snippet, when))
    return results
