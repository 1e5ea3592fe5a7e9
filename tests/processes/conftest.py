"""Factories for processes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.core.types import local_today
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes import services
from engage.processes.models import PhaseKind


@pytest.fixture
def org(app):
    """Two departments and two districts."""
    items = {
        "umwelt": Department(name="Fachbereich Umwelt", short_name="Umwelt"),
        "verkehr": Department(name="Fachbereich Verkehr", short_name="Verkehr"),
        "nord": District(name="Nordviertel"),
        "sued": District(name="Südstadt"),
    }
    db.session.add_all(items.values())
    db.session.commit()
    return items


@pytest.fixture
def make_process(app, org, make_user):
    """Factory: make_process(title, phases={"dialogue": (-5, 10)}, published=True, ...)."""

    def factory(title="Mehr Grün im Nordviertel", department="umwelt", district="nord",
                phases=None, published=True, author=None):  # fmt: skip
        today = local_today()
        phases = phases if phases is not None else {"dialogue": (-5, 10)}
        author = author or make_user("admin")
        process = services.create_process(
            author,
            services.ProcessData(
                title=title, summary="Kurz gesagt.", body="**Mehr** dazu.",
                department_id=org[department].id,
                district_id=org[district].id if district else None,
                support_threshold=20, answer_deadline_days=30,
                phases=[services.PhaseDates(PhaseKind(k), today + timedelta(days=a),
                                            today + timedelta(days=b))
                        for k, (a, b) in phases.items()],
            ),
        )  # fmt: skip
        if published:
            services.publish_process(process, author)
        db.session.commit()
        return process

    return factory
