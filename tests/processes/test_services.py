"""Process rules without HTTP: slugs, phases, current phase, filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engage.core.audit import AuditEntry
from engage.core.types import local_today
from engage.extensions import db
from engage.processes import services
from engage.processes.models import PhaseKind
from engage.processes.services import PhaseDates, ProcessFilter, processes_query


def test_slug_is_made_from_the_title_with_umlauts_spelled_out():
    assert (
        services.slugify("Grünes Nordviertel: Straßenbäume!")
        == "gruenes-nordviertel-strassenbaeume"
    )
    assert services.slugify("???") == "verfahren"


def test_repeated_title_gets_a_numbered_address(make_process):
    assert make_process(title="Parkanlagen").slug == "parkanlagen"
    assert make_process(title="Parkanlagen").slug == "parkanlagen-2"


def test_chosen_address_that_is_taken_or_reserved_is_refused(make_process, org, make_user):
    make_process(title="Parkanlagen")
    for slug in ["parkanlagen", "new"]:
        data = services.ProcessData(
            title="Andere", summary="x", body="", department_id=org["umwelt"].id,
            district_id=None, support_threshold=1, answer_deadline_days=1, slug=slug,
        )  # fmt: skip
        with pytest.raises(services.SlugTaken):
            services.create_process(make_user("admin"), data)


def test_published_process_keeps_at_least_one_phase(make_process, make_user):
    process = make_process()
    data = services.ProcessData(
        title=process.title, summary="x", body="", department_id=process.department_id,
        district_id=None, support_threshold=1, answer_deadline_days=1, slug=process.slug,
    )  # fmt: skip
    with pytest.raises(services.PhasesInvalid):
        services.update_process(process, make_user("admin"), data)


def test_phases_must_follow_each_other(make_process):
    with pytest.raises(services.PhasesInvalid):
        make_process(phases={"dialogue": (0, 10), "codesign": (5, 20)})
    with pytest.raises(services.PhasesInvalid):
        services.check_phases([PhaseDates(PhaseKind.VOTING, date(2026, 5, 2), date(2026, 5, 1))])


def test_current_phase_follows_the_calendar(make_process):
    process = make_process(phases={"information": (-20, -11), "dialogue": (-10, 5),
                                   "voting": (10, 20)})  # fmt: skip
    today = local_today()
    assert process.current_phase(today).kind == "dialogue"
    assert process.current_phase(today + timedelta(days=7)) is None
    assert process.next_phase(today + timedelta(days=7)).kind == "voting"
    assert process.is_in_phase(PhaseKind.VOTING, today + timedelta(days=10))
    assert process.is_finished(today + timedelta(days=21))
    assert [p.kind for p in process.phases] == ["information", "dialogue", "voting"]


def test_editing_replaces_removed_phases(make_process, make_user):
    process = make_process(phases={"information": (-20, -11), "dialogue": (-10, 5)})
    today = local_today()
    data = services.ProcessData(
        title=process.title, summary="Neu", body="", department_id=process.department_id,
        district_id=None, support_threshold=5, answer_deadline_days=10, slug=process.slug,
        phases=[PhaseDates(PhaseKind.VOTING, today, today + timedelta(days=3))],
    )  # fmt: skip
    services.update_process(process, make_user("admin"), data)
    db.session.commit()
    assert [p.kind for p in process.phases] == ["voting"]
    assert process.summary == "Neu" and process.district_id is None


def test_publishing_needs_a_phase_and_is_audited(make_process, make_user):
    process = make_process(phases={}, published=False)
    with pytest.raises(services.PhasesInvalid):
        services.publish_process(process, make_user("admin"))
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "process.create" in actions


def test_filters_by_district_department_and_phase(make_process, org):
    make_process(title="Grün im Norden", department="umwelt", district="nord")
    make_process(title="Radwege im Süden", department="verkehr", district="sued",
                 phases={"voting": (-1, 3)})  # fmt: skip
    make_process(title="Entwurf im Norden", published=False)
    make_process(title="Vorbei", phases={"evaluation": (-30, -10)})

    def titles(**kw):
        return {p.title for p in db.session.scalars(processes_query(ProcessFilter(**kw)))}

    assert titles() == {"Grün im Norden", "Radwege im Süden", "Vorbei"}
    assert titles(district_id=org["sued"].id) == {"Radwege im Süden"}
    assert titles(department_id=org["umwelt"].id) == {"Grün im Norden", "Vorbei"}
    assert titles(phase="voting") == {"Radwege im Süden"}
    assert titles(phase="finished") == {"Vorbei"}
    assert "Entwurf im Norden" in titles(include_drafts_of_department=org["umwelt"].id)
    assert "Entwurf im Norden" not in titles(include_drafts_of_department=org["verkehr"].id)
    make_process(title="Ganze Stadt", district=None)
    assert titles(district_id=org["sued"].id) == {"Radwege im Süden", "Ganze Stadt"}


def test_home_page_shows_running_and_coming_processes_only(make_process):
    make_process(title="Läuft")
    make_process(title="Kommt", phases={"information": (5, 10)})
    make_process(title="Vorbei", phases={"evaluation": (-30, -10)})
    assert {p.title for p in services.current_processes()} == {"Läuft", "Kommt"}
