"""The front page and the lists (offers, discussions, announcements, processes) are kept for
logged-in users as /proposals is: their lists rendered once per content version, the page
kept whole for everyone whose buttons and layout read the same. Each reader still gets their
own greeting, buttons and drafts, and a change shows at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.boards import dialogue_services as dialogue
from engage.boards import services as boards
from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.processes import services as processes
from engage.processes.models import PhaseKind
from engage.volunteering import services as volunteering
from tests.conftest import needs_redis, with_empty_redis
from tests.core.test_kept_pages import OWNER_RE, TOKEN_RE, _browser, _get, rendered

pytestmark = needs_redis
BACK_TO_DRAFT = "Zurück zum Entwurf"
LISTS = ["/", "/volunteer", "/dialogue", "/info", "/processes"]


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


@pytest.fixture
def one_place(town):
    """An offer of the staff's department with one shift of one place: (offer, shift)."""
    from tests.volunteering.conftest import make_shift

    offer = volunteering.create_offer(town["staff"], volunteering.OfferData(
        title="Parkputz", description="Müll sammeln",
        department_id=town["staff"].department_id))  # fmt: skip
    db.session.commit()
    return offer, make_shift(offer, capacity=1)


@pytest.mark.parametrize("path", LISTS)
def test_a_second_citizen_gets_the_kept_list_with_their_own_id(app, town, make_user, path):
    second_user = make_user(email="zweite@example.org")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    _get(first, path)
    with rendered(app) as templates:
        page = _get(second, path)
    assert templates == []  # (served whole: no template rendered, no query made)
    assert OWNER_RE.findall(page) == [str(second_user.id)]


@pytest.mark.parametrize(("path", "title"), [("/", "Neue Frage zum Teich"),
                                             ("/dialogue", "Neue Frage zum Teich"),
                                             ("/info", "Teich wird gereinigt"),
                                             ("/volunteer", "Teichpaten gesucht")])  # fmt: skip
def test_a_new_item_shows_on_the_kept_list_at_once(app, town, path, title):
    reader = _browser(app, "buerger@example.org")
    assert title not in _get(reader, path)
    dialogue.open_thread(town["neighbour"], "Neue Frage zum Teich", "Text", town["dialogue"])
    boards.publish_announcement(town["staff"], boards.AnnouncementData(
        title="Teich wird gereinigt", body="Ab Montag."))  # fmt: skip
    volunteering.create_offer(town["staff"], volunteering.OfferData(
        title="Teichpaten gesucht", description="Wer hilft?",
        department_id=town["staff"].department_id))  # fmt: skip
    db.session.commit()
    assert title in _get(reader, path)


def test_the_front_page_greets_each_reader_by_their_own_name_escaped(app, town, make_user):
    make_user(email="zweite@example.org", display_name="<b>Ann & Bo</b>")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    assert "Willkommen, Bernd." in _get(first, "/")
    with rendered(app) as templates:
        page = _get(second, "/")
    assert templates == []
    assert "Willkommen, &lt;b&gt;Ann &amp; Bo&lt;/b&gt;." in page
    assert "Bernd" not in page and "<b>Ann" not in page
    assert "Willkommen, Bernd." in _get(first, "/")


def test_staff_keep_their_buttons_and_drafts_and_citizens_see_neither(app, town):
    today = local_today()
    processes.create_process(town["admin"], processes.ProcessData(
        title="Entwurf Spielplatz", summary="x", body="", department_id=town["staff"].department_id,
        district_id=town["nord"].id, support_threshold=5, answer_deadline_days=10,
        phases=[processes.PhaseDates(PhaseKind.DIALOGUE, today, today + timedelta(days=9))],
    ))  # fmt: skip
    boards.publish_announcement(town["staff"], boards.AnnouncementData(
        title="Später: Sperrung", body="x", publish_at=utcnow() + timedelta(days=2)))  # fmt: skip
    db.session.commit()
    citizen, staff = _browser(app, "buerger@example.org"), _browser(app, "umwelt@example.org")
    for _ in range(2):  # (the second time from what was kept)
        assert "Entwurf Spielplatz" in _get(staff, "/processes")
        assert "Entwurf Spielplatz" not in _get(citizen, "/processes")
        assert "Neues Mitmach-Angebot" in _get(staff, "/volunteer")
        assert "Neues Mitmach-Angebot" not in _get(citizen, "/volunteer")
        assert "Später: Sperrung" in _get(staff, "/info")
        assert "Später: Sperrung" not in _get(citizen, "/info")


def test_the_process_page_is_kept_whole_with_each_readers_following_and_buttons(
    app, town, make_user
):
    make_user(email="zweite@example.org")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    staff = _browser(app, "umwelt@example.org")
    path = f"/processes/{town['dialogue'].slug}"
    page = _get(first, path)
    with rendered(app) as templates:
        assert _get(second, path).count("Folgen<") == 1
    assert templates == []
    token = TOKEN_RE.search(page).group(1)
    answer = first.post(f"/follow/process/{town['dialogue'].id}",
                        data={"csrf_token": token})  # fmt: skip
    assert answer.status_code == 302
    _get(first, path)  # (the page with the message)
    assert "Sie folgen – beenden" in _get(first, path)
    assert "Sie folgen – beenden" not in _get(second, path)
    assert "Diskussion beginnen" in _get(second, path)
    assert BACK_TO_DRAFT in _get(staff, path) and BACK_TO_DRAFT not in _get(second, path)
    dialogue.open_thread(town["neighbour"], "Neue Frage zum Teich", "Text", town["dialogue"])
    db.session.commit()
    assert "Neue Frage zum Teich" in _get(second, path)
    assert "Neue Frage zum Teich" in _get(staff, path)


def test_the_offer_page_is_kept_whole_with_each_readers_sign_ups_and_waiting_place(
    app, town, make_user, one_place
):
    offer, shift = one_place
    make_user(email="zweite@example.org")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    staff = _browser(app, "umwelt@example.org")
    path = f"/volunteer/{offer.id}"
    first_token = TOKEN_RE.search(_get(first, path)).group(1)
    with rendered(app) as templates:
        page = _get(second, path)
    assert templates == []
    token = TOKEN_RE.search(page).group(1)
    assert first.post(f"/volunteer/shifts/{shift.id}/signup",
                      data={"csrf_token": first_token}).status_code == 302  # fmt: skip
    _get(first, path)  # (the page with the message)
    assert "Sie sind für diesen Einsatz eingetragen" in _get(first, path)
    waiting = _get(second, path)
    assert "Sie sind für diesen Einsatz eingetragen" not in waiting
    assert "Auf die Warteliste" in waiting
    assert second.post(f"/volunteer/shifts/{shift.id}/signup",
                       data={"csrf_token": token}).status_code == 302  # fmt: skip
    _get(second, path)
    assert "Warteliste: Nummer 1" in _get(second, path)
    assert "Warteliste: Nummer 1" not in _get(first, path)
    assert "Einsatz verwalten" in _get(staff, path)
    assert "Einsatz verwalten" not in _get(second, path)


def test_an_announcement_page_is_kept_whole_and_taken_off_at_once(app, town, make_user):
    announcement = boards.publish_announcement(town["staff"], boards.AnnouncementData(
        title="Teich wird gereinigt", body="Ab Montag."))  # fmt: skip
    db.session.commit()
    make_user(email="zweite@example.org")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    staff = _browser(app, "umwelt@example.org")
    path = f"/info/{announcement.id}"
    assert "Zurückziehen" in _get(staff, path)
    assert "Teich wird gereinigt" in _get(first, path)
    with rendered(app) as templates:
        page = _get(second, path)
    assert templates == [] and "Zurückziehen" not in page
    boards.set_published(announcement, town["staff"], False)
    db.session.commit()
    assert second.get(path).status_code == 404
    assert "Wieder veröffentlichen" in _get(staff, path)


def test_staff_who_did_not_write_an_announcement_read_its_kept_page(app, town, make_user):
    """(A kept announcement was revived without its process and author, which the editing
    right of other staff reads: their page failed once a citizen's view had kept it.)"""
    in_process = boards.publish_announcement(town["staff"], boards.AnnouncementData(
        title="Im Verfahren", body="Text", process_id=town["dialogue"].id))  # fmt: skip
    city_wide = boards.publish_announcement(town["staff"], boards.AnnouncementData(
        title="Stadtweit", body="Text"))  # fmt: skip
    db.session.commit()
    make_user("staff", email="kollegin@example.org", department_id=town["staff"].department_id)
    citizen, colleague = _browser(app, "buerger@example.org"), _browser(app, "kollegin@example.org")
    other_department = _browser(app, "verkehr@example.org")
    for announcement in (in_process, city_wide):
        path = f"/info/{announcement.id}"
        assert "Zurückziehen" not in _get(citizen, path)  # (now kept, without the session)
        assert "Zurückziehen" in _get(colleague, path)  # the same department may edit it
        assert "Zurückziehen" not in _get(other_department, path)


def test_each_waiting_volunteer_sees_their_own_place_on_the_waiting_list(
    app, town, make_user, one_place
):
    """(Two waiting users had the same key: the second saw the first's number.)"""
    offer, shift = one_place
    make_user(email="zweite@example.org")
    make_user(email="dritte@example.org")
    path = f"/volunteer/{offer.id}"
    readers = [_browser(app, email) for email in
               ("buerger@example.org", "zweite@example.org", "dritte@example.org")]  # fmt: skip
    for reader in readers:
        token = TOKEN_RE.search(_get(reader, path)).group(1)
        reader.post(f"/volunteer/shifts/{shift.id}/signup", data={"csrf_token": token})
        _get(reader, path)  # (the page with the message)
    for _ in range(2):
        assert "Sie sind für diesen Einsatz eingetragen" in _get(readers[0], path)
        assert "Warteliste: Nummer 1" in _get(readers[1], path)
        assert "Warteliste: Nummer 2" in _get(readers[2], path)


def test_the_departments_staff_share_a_kept_offer_page_with_the_shift_form(
    app, town, make_user, one_place
):
    offer, _shift = one_place
    for email in ("umwelt2@example.org", "umwelt3@example.org"):  # (neither wrote the offer)
        make_user("staff", email=email, department_id=town["staff"].department_id)
    first, second = _browser(app, "umwelt2@example.org"), _browser(app, "umwelt3@example.org")
    path = f"/volunteer/{offer.id}"
    page_one = _get(first, path)
    with rendered(app) as templates:
        page_two = _get(second, path)
    assert templates == []
    assert "Einsatz verwalten" in page_two
    tokens = TOKEN_RE.findall(page_one), TOKEN_RE.findall(page_two)
    assert tokens[0] and set(tokens[0]).isdisjoint(tokens[1])
    # The second's shift form is theirs: its token adds the shifts.
    form = {
        "csrf_token": tokens[1][0],
        "starts_at": "2031-05-03T10:00",
        "ends_at": "2031-05-03T12:00",
        "capacity": "4",
        "weeks": "1",
        "place": "Park",
    }
    answer = second.post(f"/volunteer/{offer.id}/shifts", data=form)
    assert answer.status_code == 302
    assert "03.05.2031" in _get(first, path) or "3. Mai 2031" in _get(first, path)
