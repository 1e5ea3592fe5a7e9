"""Loaded rows kept between requests as plain values, revived into each request's session.

A worker may keep what it loaded under a version (core/fragments.py), but never a live ORM
object: an object belongs to the session that loaded it. So a snapshot holds the columns of an
object and of the related objects a page needs, and each request revives fresh objects from it,
as if it had just loaded them: no pending change, lazy loads and later changes work as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable

from flask import g, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from engage.core import fragments
from engage.extensions import db

# A snapshot: (model, {column: value}, {relationship: snapshot | [snapshots] | None}).
Snapshot = tuple


def snapshot(obj, relations: dict[str, dict] | None = None) -> Snapshot:
    """obj's columns, and those of the relations named in the tree ({"process": {"phases": {}}})."""
    model = type(obj)
    values = {name: getattr(obj, name) for name in column_names(model)}
    related = {}
    for name, deeper in (relations or {}).items():
        target = getattr(obj, name)
        if target is None:
            related[name] = None
        elif isinstance(target, list):
            related[name] = [snapshot(item, deeper) for item in target]
        else:
            related[name] = snapshot(target, deeper)
    return model, values, related


def revive(kept: Snapshot, attach: bool = True):
    """The object of a snapshot in this request's session (the one already there, if loaded).

    attach=False leaves a new object detached: its columns and kept relations read as usual,
    but nothing else can load until attached() puts it in the session. A kept page that is
    served whole reads only those, and attaching was half of a logged-in proposal page's
    reviving (the session's cascade over every relationship of the tree)."""
    # (a request that has not used its session yet holds no row: none is made to look)
    session = db.session() if attach or db.session.registry.has() else None
    obj = _revived(kept, None if session is None else session.identity_map)
    if attach and inspect(obj).detached:
        # (each object of the tree was looked up in the session: none can clash, so the walk
        # of attached() is spared)
        session.add(obj)
    return obj


def _revived(kept: Snapshot, identity_map, shared: bool = False):
    """The objects of a snapshot, those the identity map holds already taken from it; shared:
    marked as a reading copy (loaded())."""
    model, values, related = kept
    if identity_map is not None:
        existing = identity_map.get(_identity(model, values))
        if existing is not None:
            return existing  # loaded earlier in this request: the same row, no older
    obj = model.__mapper__.class_manager.new_instance()
    instance_dict(obj).update(values)  # as the loader fills a row: no history
    for name, target in related.items():
        # (detached too: adding the root cascades to them)
        if isinstance(target, list):
            items = [_revived(item, identity_map, shared) for item in target]
            set_committed_value(obj, name, items)
        elif target is None:
            set_committed_value(obj, name, None)
        else:
            set_committed_value(obj, name, _revived(target, identity_map, shared))
    make_transient_to_detached(obj)
    if shared:
        obj.__dict__[_SHARED] = kept
    return obj


def attached(obj):
    """obj in this request's session, so that what was not kept loads on access: obj itself,
    or the object of the same row the session holds already; for the worker's shared reading
    copy (loaded() with attach=False), a fresh copy of it."""
    shared = obj.__dict__.get(_SHARED)
    if shared is not None:
        obj = revive(shared, attach=False)
    state = inspect(obj)
    if not state.detached:
        return obj
    session = db.session()
    _attach_waiting(session)  # (the reader, who may be in the tree: the author of a thread)
    existing = session.identity_map.get(state.key)
    if existing is not None:
        return existing
    _relate_to_loaded(session, obj)
    session.add(obj)  # (cascades to the kept relations still detached)
    return obj


def revive_on_use(kept: Snapshot):
    """The object of a snapshot, left detached until this request's session runs a statement,
    takes in another kept tree (attached()) or the object is changed; then put in the session
    as revive() would have. For the logged-in user, revived on every request: most pages kept
    whole never use the session, and putting the user in it was a tenth of a logged-in no-op.
    The snapshot must hold the relations that are read (nothing can load while detached)."""
    obj = revive(kept, attach=False)
    if inspect(obj).detached:
        setattr(g, _WAITING, obj)
    return obj


# In g: the object revive_on_use() left detached (g: no session is made to hold it).
_WAITING = "engage_waiting_to_attach"


def _attach_waiting(session) -> None:
    """Put the object waiting to be attached in the request's session, before the session
    loads a row (which would otherwise make a second object of the same row) or takes in a
    kept tree that may hold a copy of it."""
    if not has_app_context():
        return
    obj = g.get(_WAITING)
    if obj is None or not db.session.registry.has() or db.session() is not session:
        return  # (nothing waits, or another session than the request's)
    g.pop(_WAITING)
    if inspect(obj).detached:
        _relate_to_loaded(session, obj)
        session.add(obj)


@event.listens_for(Session, "do_orm_execute")
def _attach_before_statement(orm_execute_state) -> None:
    _attach_waiting(orm_execute_state.session)


def attach_when_changed(model) -> None:
    """Changing an attribute of the model's waiting object puts it in the session first, so
    that the change is saved."""
    for attribute in model.__mapper__.attrs:
        event.listen(getattr(model, attribute.key), "set", _attach_changed, propagate=True)


def _attach_changed(target, value, oldvalue, initiator) -> None:
    if has_app_context() and g.get(_WAITING) is target:
        _attach_waiting(db.session())


def _relate_to_loaded(session, obj) -> None:
    """Point obj's kept relations, down the tree, at the session's own objects of the same
    rows: the reader of a thread may be its author, whose user the session holds already (two
    objects of one row cannot both be in it)."""
    state = inspect(obj)
    for relation in state.mapper.relationships:
        value = state.dict.get(relation.key)
        if value is None:
            continue
        if isinstance(value, list):
            own = [_own(session, item) for item in value]
            if any(mine is not kept for mine, kept in zip(own, value, strict=True)):
                set_committed_value(obj, relation.key, own)
        elif (mine := _own(session, value)) is not value:
            set_committed_value(obj, relation.key, mine)


def _own(session, related):
    state = inspect(related)
    if not state.detached:
        return related
    existing = session.identity_map.get(state.key)
    if existing is not None:
        return existing
    _relate_to_loaded(session, related)
    return related


def loaded(
    key: tuple[Hashable, ...],
    load: Callable[[], object | None],
    relations: dict[str, dict] | None = None,
    area: str = fragments.CONTENT,
    attach: bool = True,
):
    """The object this worker kept under key for the area's version, revived; else load()'s
    (None for a missing row, which is not kept).

    attach=False gives, for a kept row, the worker's shared reading copy of it: detached
    objects made once per version and read by every request until then (reviving the tree was
    a tenth of a logged-in proposal page served whole). Only read it: attached() gives the
    request a copy of its own to render, load from or change."""
    kept = fragments.kept(("row", *key), area)
    if kept is not None:
        return revive(kept.snapshot) if attach else kept.reader()
    obj = load()
    if obj is not None:
        fragments.keep(("row", *key), _KeptRow(snapshot(obj, relations)), area)
    return obj


class _KeptRow:
    """A kept snapshot, and the shared reading copy made of it on first use."""

    __slots__ = ("snapshot", "_reader")

    def __init__(self, kept: Snapshot) -> None:
        self.snapshot, self._reader = kept, None

    def reader(self):
        if self._reader is None:
            # (never looked up in nor added to a session: no request's loads or changes
            # reach it)
            self._reader = _revived(self.snapshot, None, shared=True)
        return self._reader


# Marks each object of a shared reading copy with its snapshot: attached() revives from it.
_SHARED = "_kept_rows_shared"


@functools.cache
def column_names(model) -> tuple[str, ...]:
    return tuple(attribute.key for attribute in model.__mapper__.column_attrs)


@functools.cache
def _key_names(model) -> tuple[str, ...]:
    mapper = model.__mapper__
    return tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)


def _identity(model, values: dict):
    return model.__mapper__.identity_key_from_primary_key(
        [values[name] for name in _key_names(model)]
    )
