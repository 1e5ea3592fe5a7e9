"""A small city for board tests: two departments, a process in its dialogue phase, people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.core.types import local_today
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes import services as processes
from engage.processes.models import PhaseKind


@pytest.fixture
def town(app, make_user):
    umwelt, verkehr = Department(name="Umwelt"), Department(name="Verkehr")
    nord = District(name="Nordviertel")
    db.session.add_all([umwelt, verkehr, nord])
    db.session.commit()
    admin = make_user("admin", email="admin@example.org")
    today = local_today()

    def process(title, phase):
        p = processes.create_process(
            admin,
            processes.ProcessData(
                title=title, summary="x", body="", department_id=umwelt.id, district_id=nord.id,
                support_threshold=5, answer_deadline_days=10,
                phases=[processes.PhaseDates(phase, today - timedelta(days=1),
                                             today + timedelta(days=9))],
            ),
        )  # fmt: skip
        processes.publish_process(p, admin)
        return p

    dialogue = process("Grün im Norden", PhaseKind.DIALOGUE)
    voting = process("Abstimmung Radwege", PhaseKind.VOTING)
    db.session.commit()
    return {
        "admin": admin,
        "dialogue": dialogue,
        "voting": voting,
        "nord": nord,
        "staff": make_user("staff", email="umwelt@example.org", department_id=umwelt.id,
                           display_name="Ulla Umwelt"),
        "other": make_user("staff", email="verkehr@example.org", department_id=verkehr.id),
        "citizen": make_user("citizen", email="buerger@example.org", display_name="Bernd"),
        "neighbour": make_user("citizen", email="nachbar@example.org", display_name="Nina"),
        "unverified": make_user("citizen", email="neu@example.org", verified=False),
    }  # fmt: skip
