"""Fixtures of moderation tests: a discussion with a reply, citizens to report it, a moderator."""

from __future__ import annotations

import pytest

from engage.extensions import db


@pytest.fixture
def board(town, make_user):
    """A thread by the citizen with a reply by the neighbour; three reporters; a moderator."""
    from engage.boards import dialogue_services

    thread = dialogue_services.open_thread(town["citizen"], "Parkbank", "Eine Bank fehlt.")
    reply = dialogue_services.reply(thread, town["neighbour"], "Kauft alle bei example!")
    db.session.commit()
    return {
        **town,
        "thread": thread,
        "reply": reply,
        "reporters": [make_user("citizen", display_name=f"Melder {n}") for n in range(3)],
        "moderator": make_user("moderator", email="mod@example.org", display_name="Mona"),
    }
