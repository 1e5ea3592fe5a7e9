"""A kept row read by many requests: one shared, detached reading copy per worker and version
(kept_rows.loaded with attach=False); each request renders, loads and changes its own copy."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from engage.core import kept_rows
from engage.extensions import db
from engage.proposals import services as proposals
from engage.proposals.models import Proposal
from tests.conftest import needs_redis, with_empty_redis

pytestmark = needs_redis


def _load_proposal(proposal_id: int):
    return kept_rows.loaded(("proposal", proposal_id),
                            lambda: db.session.get(Proposal, proposal_id),
                            {"process": {"phases": {}}}, attach=False)  # fmt: skip


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


class TestSharedReadingCopy:
    """loaded(attach=False) hands every request of the worker the same detached objects of a
    kept row; attached() gives each request a copy of its own."""

    @pytest.fixture
    def proposal_id(self, town):
        proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
            title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
            intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)  # fmt: skip
        db.session.commit()
        return proposal.id

    def _in_requests(self, app, count: int, read):
        found = []
        for _ in range(count):
            with app.test_request_context("/"):
                app.preprocess_request()  # (reads the versions, as a request does)
                found.append(read())
                db.session.remove()
        return found

    def test_later_requests_read_one_shared_detached_copy(self, app, proposal_id):
        def read():
            proposal = _load_proposal(proposal_id)
            return proposal, inspect(proposal).persistent

        (first, loaded), (second, _), (third, in_session) = self._in_requests(app, 3, read)
        assert loaded  # the first request loads it: its own
        assert second is third and second is not first
        assert not in_session and inspect(second).detached
        assert second.title == "Bank am Teich" and second.process.phases  # kept relations

    def test_attached_gives_each_request_its_own_copy_and_leaves_the_shared_one_alone(
        self, app, town, proposal_id
    ):
        def read_and_change():
            shared = _load_proposal(proposal_id)
            mine = kept_rows.attached(shared)
            assert inspect(mine).persistent
            assert mine.author.display_name == town["citizen"].display_name  # loads
            mine.title = "Zwei Bänke"  # (a change that is not committed)
            return shared, mine

        _, (shared, mine), (again, other) = self._in_requests(app, 3, read_and_change)
        assert again is shared and mine is not shared and other is not mine
        assert shared.title == "Bank am Teich"
        assert "author" not in shared.__dict__  # the copy's load stayed in the copy

    def test_attached_copy_is_the_sessions_own_when_the_row_is_loaded(self, app, proposal_id):
        def read_after_loading():
            shared = _load_proposal(proposal_id)
            loaded = db.session.get(Proposal, proposal_id)
            return kept_rows.attached(shared) is loaded

        assert self._in_requests(app, 3, read_after_loading)[1:] == [True, True]


class TestUserWaitingToBeAttached:
    """kept_rows.revive_on_use (the logged-in user): detached until the request's session is
    used, then the session's own object of that row, so that nothing loads it twice and every
    change is saved."""

    @pytest.fixture
    def kept_user(self, town):
        """The citizen as the worker keeps the logged-in user, and a thread of theirs."""
        from engage.boards import dialogue_services as dialogue

        user = town["citizen"]
        thread = dialogue.open_thread(user, "Frage", "Text", town["dialogue"])
        db.session.commit()
        self.kept_thread = kept_rows.snapshot(thread, {"author": {}, "process": {"phases": {}}})
        kept = kept_rows.snapshot(user, {"department": {}, "district": {}})
        db.session.remove()
        return kept

    def test_it_makes_no_session_until_one_is_used(self, app, kept_user):
        with app.test_request_context("/"):
            user = kept_rows.revive_on_use(kept_user)
            assert inspect(user).detached and not db.session.registry.has()
            assert user.display_name  # its columns read as usual

    def test_a_statement_puts_it_in_the_session_first(self, app, kept_user):
        from engage.accounts.models import User

        with app.test_request_context("/"):
            user = kept_rows.revive_on_use(kept_user)
            found = db.session.scalars(select(User).where(User.id == user.id)).one()
            assert found is user and inspect(user).persistent

    def test_a_change_puts_it_in_the_session_and_is_saved(self, app, kept_user):
        from engage.accounts.models import User

        with app.test_request_context("/"):
            user = kept_rows.revive_on_use(kept_user)
            user.display_name = "Neuer Name"
            assert inspect(user).persistent
            db.session.commit()
            user_id = user.id
        db.session.remove()
        assert db.session.get(User, user_id).display_name == "Neuer Name"

    def test_a_kept_tree_holding_a_copy_of_it_is_related_to_it(self, app, kept_user):
        with app.test_request_context("/"):
            reader = kept_rows.revive_on_use(kept_user)  # (the thread's author)
            shown = kept_rows.attached(kept_rows.revive(self.kept_thread, attach=False))
            assert shown.author is reader and inspect(reader).persistent
