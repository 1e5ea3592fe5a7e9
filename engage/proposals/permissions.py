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


class ProposalAccess:
    """What one user may do with one proposal, each shared fact asked once.

    The predicates below are this class's answers, one at a time; a proposal's page asks a
    dozen of them, which asked the same few facts again (may the user write, wrote they the
    proposal, do they work in its department, does its phase run): a tenth of the page."""

    __slots__ = ("user", "proposal", "writer", "author", "status", "_today", "_staff", "_phase")

    def __init__(self, user, proposal, today=None) -> None:
        self.user, self.proposal, self._today = user, proposal, today
        self.writer = can_write(user)
        self.author = user is not None and _is_author(user, proposal)
        self.status = _STORED[proposal.status]
        self._staff = self._phase = None

    @property
    def department_staff(self) -> bool:
        """A writer working in the department responsible for the proposal's process."""
        if self._staff is None:
            self._staff = self.writer and works_in(self.user,
                                                   self.proposal.process.department_id)  # fmt: skip
        return self._staff

    @property
    def phase_open(self) -> bool:
        if self._phase is None:
            self._phase = in_proposal_phase(self.proposal.process, self._today)
        return self._phase

    def can_edit(self) -> bool:
        """Authors, until the department starts its review."""
        return self.writer and self.author and self.status in (S.DRAFT, S.SUBMITTED)

    def can_move(self, to_status: str) -> bool:
        """Whether this user may move the proposal to that state now."""
        target = S(to_status)
        if target == S.SUBMITTED:
            return self.writer and self.author and self.status == S.DRAFT
        if target == S.WITHDRAWN:
            return self.author and self.status in WITHDRAWABLE
        return self.department_staff and target in self._next_states()

    def _next_states(self) -> set[S]:
        """Where the department can move the proposal: evaluated only with a measured result."""
        states = STAFF_TRANSITIONS.get(self.status, set())
        if self.proposal.result_recorded_at is None:
            states = states - {S.EVALUATED}
        return states

    def staff_moves(self) -> list[S]:
        """The next states the department's staff can choose."""
        if not self.department_staff:
            return []
        return sorted(self._next_states(), key=list(S).index)

    def can_support(self) -> bool:
        """Verified users other than the author, while the proposal is open and the phase runs."""
        return (self.writer and not self.author and self.proposal.is_visible
                and self.status in (S.SUBMITTED, S.UNDER_REVIEW) and self.phase_open)  # fmt: skip

    def support_closed(self) -> bool:
        """Whether a user who could support proposals may not support this one only because
        it, or its process's phase, is no longer open (a page opened before a department's
        step)."""
        return self.writer and not self.author and not self.can_support()

    def can_record_result(self) -> bool:
        """Staff of the department record the measured value once the proposal is implemented."""
        return self.department_staff and self.status in RESULT_STATES

    def can_rate(self, supported: bool) -> bool:
        """Supporters rate how well an implemented proposal worked."""
        return self.writer and supported and self.status in RESULT_STATES

    def can_comment(self) -> bool:
        """Verified users discuss submitted proposals until they are withdrawn."""
        return (self.writer and self.proposal.is_visible
                and self.status not in (S.DRAFT, S.WITHDRAWN))  # fmt: skip

    def can_answer_officially(self) -> bool:
        return self.department_staff


RESULT_STATES = (S.IMPLEMENTED, S.EVALUATED)


def can_edit_proposal(user, proposal) -> bool:
    return ProposalAccess(user, proposal).can_edit()


def can_view_proposal(user, proposal) -> bool:
    if proposal.status == S.DRAFT:
        return _is_author(user, proposal)
    return proposal.is_visible or _is_author(user, proposal)


def can_move(user, proposal, to_status: str) -> bool:
    return ProposalAccess(user, proposal).can_move(to_status)


def staff_moves(user, proposal) -> list[S]:
    return ProposalAccess(user, proposal).staff_moves()


def can_support(user, proposal, today=None) -> bool:
    return ProposalAccess(user, proposal, today).can_support()


def support_closed(user, proposal, today=None) -> bool:
    return ProposalAccess(user, proposal, today).support_closed()


def can_record_result(user, proposal) -> bool:
    return ProposalAccess(user, proposal).can_record_result()


def can_rate(user, proposal, supported: bool) -> bool:
    return ProposalAccess(user, proposal).can_rate(supported)


def can_comment(user, proposal) -> bool:
    return ProposalAccess(user, proposal).can_comment()


def can_answer_officially(user, proposal) -> bool:
    return ProposalAccess(user, proposal).can_answer_officially()
