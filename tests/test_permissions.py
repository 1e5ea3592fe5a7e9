"""The role matrix: every permission predicate × every kind of user."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from engage.accounts import permissions as accounts
from engage.boards.dialogue_models import Comment
from engage.core.types import utcnow
from engage.moderation import permissions as moderation
from engage.moderation.models import ModerationDecision
from engage.organisation.models import Department
from engage.processes import permissions as processes
from engage.processes.models import Process

USERS = ["visitor", "unverified", "citizen", "blocked", "other_staff", "staff", "moderator",
         "council", "admin"]  # fmt: skip


@pytest.fixture
def people(app, make_user):
    from engage.extensions import db

    own, other = Department(name="Umwelt"), Department(name="Verkehr")
    db.session.add_all([own, other])
    db.session.commit()
    return {
        "visitor": AnonymousUserMixin(),
        "unverified": make_user("citizen", verified=False),
        "citizen": make_user("citizen"),
        "blocked": make_user("citizen", blocked_at=utcnow(), blocked_reason="Spam"),
        "other_staff": make_user("staff", department_id=other.id),
        "staff": make_user("staff", department_id=own.id),
        "moderator": make_user("moderator", department_id=other.id),
        "council": make_user("council"),
        "admin": make_user("admin"),
        "_department": own,
    }


def _process(people, published: bool) -> Process:
    return Process(department_id=people["_department"].id,
                   status="published" if published else "draft")  # fmt: skip


MATRIX = {
    # predicate: the users for whom it holds
    "can_write": {"citizen", "other_staff", "staff", "moderator", "council", "admin"},
    "is_staff": {"other_staff", "staff", "moderator", "admin"},
    "is_moderator": {"moderator", "admin"},
    "is_council": {"council", "admin"},
    "can_administer": {"admin"},
    "can_read_audit_log": {"moderator", "admin"},
    "can_create_process": {"other_staff", "staff", "moderator", "admin"},
    "can_edit_process": {"staff", "admin"},
    "can_view_draft_process": {"staff", "admin"},
    "can_view_published_process": set(USERS),
    "can_choose_any_department": {"admin"},
    "can_moderate": {"moderator", "admin"},
    "can_decide_appeals": {"moderator", "admin"},
    "can_flag_a_visible_reply": {
        "citizen",
        "other_staff",
        "staff",
        "moderator",
        "council",
        "admin",
    },
    "can_flag_a_hidden_reply": set(),
    "can_appeal_own_hidden_reply": {"citizen"},
    "skips_premoderation": {"other_staff", "staff", "moderator", "admin"},
}


def _reply(people, status: str) -> Comment:
    """A reply by someone outside the matrix (users do not report their own posts)."""
    return Comment(author_id=-1, body="x", moderation_status=status)


def _check(name: str, user, people) -> bool:
    checks = {
        "can_write": lambda u: accounts.can_write(u),
        "is_staff": accounts.is_staff,
        "is_moderator": accounts.is_moderator,
        "is_council": accounts.is_council,
        "can_administer": accounts.can_administer,
        "can_read_audit_log": accounts.can_read_audit_log,
        "can_create_process": processes.can_create_process,
        "can_edit_process": lambda u: processes.can_edit_process(u, _process(people, True)),
        "can_view_draft_process": lambda u: processes.can_view_process(u, _process(people, False)),
        "can_view_published_process": lambda u: processes.can_view_process(
            u, _process(people, True)
        ),
        "can_choose_any_department": processes.can_choose_any_department,
        "can_moderate": moderation.can_moderate,
        "can_decide_appeals": moderation.can_decide_appeals,
        "can_flag_a_visible_reply": lambda u: moderation.can_flag(u, _reply(people, "visible")),
        "can_flag_a_hidden_reply": lambda u: moderation.can_flag(u, _reply(people, "hidden")),
        "can_appeal_own_hidden_reply": lambda u: moderation.can_appeal(
            u, ModerationDecision(action="hide", author_id=people["citizen"].id), False
        ),
        "skips_premoderation": moderation.skips_premoderation,
    }
    return checks[name](user)


@pytest.mark.parametrize("predicate", sorted(MATRIX))
def test_role_matrix(people, predicate):
    allowed = {name for name in USERS if _check(predicate, people[name], people)}
    assert allowed == MATRIX[predicate]


def test_blocked_staff_can_no_longer_manage_processes(people):
    staff = people["staff"]
    staff.blocked_at = utcnow()
    assert not processes.can_create_process(staff)
    assert not processes.can_edit_process(staff, _process(people, True))
    # Drafts are visible only to those who may edit them.
    assert not processes.can_view_process(staff, _process(people, False))


def test_deleted_staff_loses_every_right(people):
    from engage.accounts.services import delete_account

    staff = people["staff"]
    department_id = staff.department_id
    delete_account(staff)
    assert not staff.is_authenticated  # (every predicate relies on it: is_signed_in)
    assert not accounts.is_staff(staff) and not accounts.can_write(staff)
    assert not accounts.works_in(staff, department_id)
    assert not processes.can_edit_process(staff, _process(people, True))
