"""A kept row read by many requests: one shared, detached reading copy per worker and version
(kept_rows.loaded with attach=False); each request renders, loads and changes its own copy."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

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
