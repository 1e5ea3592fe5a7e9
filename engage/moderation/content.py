"""The kinds of moderated content behind one interface: load, author, title, link."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import url_for
from sqlalchemy import select

from engage.boards.dialogue_models import Comment, Thread
from engage.core.sanitize import excerpt
from engage.extensions import db
from engage.moderation.models import ContentKind
from engage.proposals.models import Proposal
from engage.volunteering.models import ServiceOffer

MODELS = {
    ContentKind.THREAD: Thread,
    ContentKind.COMMENT: Comment,
    ContentKind.PROPOSAL: Proposal,
    ContentKind.OFFER: ServiceOffer,
}
Key = tuple[str, int]


def kind_of(item) -> ContentKind:
    for kind, model in MODELS.items():
        if isinstance(item, model):
            return kind
    raise TypeError(f"{type(item).__name__} is not moderated content")


def key_of(item) -> Key:
    return kind_of(item).value, item.id


def author_id_of(item) -> int | None:
    if isinstance(item, ServiceOffer):
        return item.created_by_id
    return item.author_id


def load(kind: str, item_id: int):
    """The item of this kind and id, or None (also for an unknown kind)."""
    try:
        model = MODELS[ContentKind(kind)]
    except ValueError:
        return None
    return db.session.get(model, item_id)


def load_many(keys: Iterable[Key]) -> dict[Key, object]:
    """Items for many keys: one query per kind, whatever the number of items."""
    ids: dict[str, set[int]] = defaultdict(set)
    for kind, item_id in keys:
        ids[kind].add(item_id)
    found: dict[Key, object] = {}
    for kind, wanted in ids.items():
        model = MODELS[ContentKind(kind)]
        for item in db.session.scalars(select(model).where(model.id.in_(wanted))).unique():
            found[(kind, item.id)] = item
    return found


def title_of(item) -> str:
    """A short plain-text name for the item (title, or the start of a reply)."""
    if isinstance(item, Comment):
        return excerpt(item.body, 80)
    return item.title


def text_of(item) -> str:
    """The item's user text, for excerpts and link counting."""
    if isinstance(item, Thread | Comment):
        return item.body
    if isinstance(item, Proposal):
        return "\n\n".join([item.problem, item.idea, item.intended_outcome])
    return item.description


def url_of(item, external: bool = False) -> str:
    if isinstance(item, Thread):
        return url_for("dialogue.detail", thread_id=item.id, _external=external)
    if isinstance(item, Proposal):
        return url_for("proposals.detail", proposal_id=item.id, _external=external)
    if isinstance(item, ServiceOffer):
        return url_for("volunteer.detail", offer_id=item.id, _external=external)
    return url_for("dialogue.reply_at", comment_id=item.id, _external=external)
