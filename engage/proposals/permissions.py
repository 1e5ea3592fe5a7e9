"""Who may write, support and move proposals."""

from __future__ import annotations

from engage.accounts.permissions import can_write, works_in
from engage.core.types import local_today
from engage.processes.models import PhaseKind
from engage.proposals.models import ProposalStatus as S

# The department moves a proposal along these steps; the author submits and withdraws.
STAFF_TRANSITIONS = {
    S.SUBMITTED: {S.UNDER_REVIEW},
    S.UNDER_REVIEW: {S.ACCEPTED, S.REJECTED},
    S.ACCEPTED: {S.IN_IMPLEMENTATION},
    S.IN_IMPLEMENTATION: {S.IMPLEMENTED},
    S.IMPLEMENTED: {S.EVALUATED},
}
WITHDRAWABLE = {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW}
# A stored status to its member, without the Enum call (several per page).
_STORED = {status.value: status for status in S}
SUPPORT_PHASES = (PhaseKind.CODESIGN, PhaseKind.VOTING)


def _is_author(user, proposal) -> bool:
    return user.is_authenticated and proposal.author_id == user.id


def in_proposal_phase(process, today=None) -> bool:
    if not process.is_published:
        return False
    phase = process.current_phase(today or local_today())
    return phase is not None and phase.kind in SUPPORT_PHASES


def can_submit_proposal(user, process, today=None) -> bool:
    """Verified users, in a process that is in its co-design or voting phase."""
    return can_write(user) and in_proposal_phase(process, today)


def can_edit_proposal(user, proposal) -> bool:
    """Authors, until the department starts its review."""
    return (can_write(user) and _is_author(user, proposal)
            and proposal.status in (S.DRAFT, S.SUBMITTED))  # fmt: skip


def can_view_proposal(user, proposal) -> bool:
    if proposal.status == S.DRAFT:
        return _is_author(user, proposal)
    return proposal.is_visible or _is_author(user, proposal)


def can_move(user, proposal, to_status: str) -> bool:
    """Whether this user may move the proposal to that state now."""
    current, target = _STORED[proposal.status], S(to_status)
    if target == S.SUBMITTED:
        return can_write(user) and _is_author(user, proposal) and current == S.DRAFT
    if target == S.WITHDRAWN:
        return _is_author(user, proposal) and current in WITHDRAWABLE
    return (can_write(user) and works_in(user, proposal.process.department_id)
            and target in _next_states(proposal))  # fmt: skip


def _next_states(proposal) -> set[S]:
    """Where the department can move the proposal: evaluated only with a measured result."""
    states = STAFF_TRANSITIONS.get(_STORED[proposal.status], set())
    if proposal.result_recorded_at is None:
        states = states - {S.EVALUATED}
    return states


def staff_moves(user, proposal) -> list[S]:
    """The next states the department's staff can choose."""
    if not (can_write(user) and works_in(user, proposal.process.department_id)):
        return []
    return sorted(_next_states(proposal), key=list(S).index)


def can_support(user, proposal, today=None) -> bool:
    """Verified users other than the author, while the proposal is open and the phase runs."""
    return (
        can_write(user)
        and not _is_author(user, proposal)
        and proposal.is_visible
        and proposal.status in (S.SUBMITTED, S.UNDER_REVIEW)
        and in_proposal_phase(proposal.process, today)
    )


def support_closed(user, proposal, today=None) -> bool:
    """Whether a user who could support proposals may not support this one only because it,
    or its process's phase, is no longer open (a page opened before a department's step)."""
    return (can_write(user) and not _is_author(user, proposal)
            and not can_support(user, proposal, today))  # fmt: skip


RESULT_STATES = (S.IMPLEMENTED, S.EVALUATED)


def can_record_result(user, proposal) -> bool:
    """Staff of the department record the measured value once the proposal is implemented."""
    return (can_write(user) and works_in(user, proposal.process.department_id)
            and proposal.status in RESULT_STATES)  # fmt: skip


def can_rate(user, proposal, supported: bool) -> bool:
    """Supporters rate how well an implemented proposal worked."""
    return can_write(user) and supported and proposal.status in RESULT_STATES


def can_comment(user, proposal) -> bool:
    """Verified users discuss submitted proposals until they are withdrawn."""
    return (can_write(user) and proposal.is_visible
            and proposal.status not in (S.DRAFT, S.WITHDRAWN))  # fmt: skip


def can_answer_officially(user, proposal) -> bool:
    return can_write(user) and works_in(user, proposal.process.department_id)
