"""The demo city "Musterstadt": districts, departments, a user of every role, processes.

Its story is dated along the processes' phases, which lie around today: a process exists
before its first phase, a post before its replies, a proposal's steps follow its submission,
a sign-up comes before the shift it is for. (The services stamp what they write with the
present; the demo dates it afterwards, as `_dated` does. The audit log keeps the moments it
was written at: its entries are chained by hashes and never rewritten.)
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from engage.accounts import services
from engage.accounts.models import Role, User
from engage.core.settings import settings_for_update
from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes import services as processes
from engage.processes.models import PhaseKind

DEMO_PASSWORD = "musterstadt-demo"  # noqa: S105 (printed on purpose: demo accounts only)
ACCOUNTS_SINCE = -400  # (days from today) the demo's own accounts: before everything else


def _day(offset: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment on the day `offset` days from today, local time, in UTC."""
    from engage.core.types import LOCAL_TIMEZONE

    moment = datetime.combine(local_today() + timedelta(days=offset), time(hour, minute),
                              tzinfo=LOCAL_TIMEZONE)  # fmt: skip
    return moment.astimezone(UTC)


def _dated(item, moment: datetime, *columns: str) -> None:
    """Give the item's moments (created_at, or the columns named) the demo story's time."""
    for column in columns or ("created_at",):
        setattr(item, column, moment)


DISTRICTS = ["Altstadt", "Nordviertel", "Südstadt", "Weststadt", "Am Hafen", "Ostheim"]
DEPARTMENTS = [
    ("Fachbereich Umwelt und Grün", "Umwelt"),
    ("Fachbereich Mobilität und Verkehr", "Mobilität"),
    ("Fachbereich Bildung und Kultur", "Bildung"),
    ("Fachbereich Soziales und Ehrenamt", "Soziales"),
    ("Fachbereich Stadtentwicklung", "Stadtentwicklung"),
]
USERS = [
    ("admin@musterstadt.example", "Alex Admin", Role.ADMIN, None),
    ("moderation@musterstadt.example", "Mona Moderation", Role.MODERATOR, "Soziales"),
    ("umwelt@musterstadt.example", "Ulrike Umweltamt", Role.STAFF, "Umwelt"),
    ("mobilitaet@musterstadt.example", "Max Mobilität", Role.STAFF, "Mobilität"),
    ("rat@musterstadt.example", "Rita Ratsmitglied", Role.COUNCIL, None),
    ("buerger@musterstadt.example", "Bernd Bürger", Role.CITIZEN, None),
    ("buergerin@musterstadt.example", "Berta Bürgerin", Role.CITIZEN, None),
]


PROCESSES = [
    {
        "title": "Grünes Nordviertel: Ideen für mehr Stadtgrün",
        "summary": "Wo fehlen Bäume, Beete und schattige Plätze? Sammeln Sie mit uns Ideen für "
        "ein grüneres Nordviertel.",
        "body": "Der **Fachbereich Umwelt und Grün** plant für 2027 ein Budget für neue "
        "Grünflächen im Nordviertel.\n\nIn der Dialogphase sammeln wir Hinweise, in der "
        "Mitgestaltungsphase entwickeln wir daraus Vorschläge.",
        "department": "Umwelt",
        "district": "Nordviertel",
        # (phase, start offset in days, length in days) relative to today
        "phases": [("information", -40, 14), ("dialogue", -25, 40), ("codesign", 16, 30)],
    },
    {
        "title": "Sicher zur Schule in der Südstadt",
        "summary": "Gemeinsam mit Eltern, Kindern und Schulen machen wir die Schulwege in der "
        "Südstadt sicherer.",
        "body": "Über Ihre Vorschläge wird jetzt abgestimmt. Vorschläge mit genügend "
        "Unterstützung beantwortet der Fachbereich innerhalb von 30 Tagen.",
        "department": "Mobilität",
        "district": "Südstadt",
        "phases": [
            ("dialogue", -90, 30),
            ("codesign", -59, 40),
            ("voting", -18, 35),
            ("implementation", 18, 180),
        ],
    },
    {
        "title": "Lesepatenschaften in der ganzen Stadt",
        "summary": "Ehrenamtliche Lesepatinnen und Lesepaten unterstützen Grundschulkinder. "
        "Die Umsetzung läuft – helfen Sie mit!",
        "body": "Das Angebot entstand aus einem Vorschlag von Bürgerinnen und Bürgern und wird "
        "nun gemeinsam umgesetzt.",
        "department": "Bildung",
        "district": None,
        "phases": [
            ("codesign", -200, 40),
            ("voting", -159, 30),
            ("implementation", -128, 200),
            ("evaluation", 73, 60),
        ],
    },
]


def _seed_settings() -> None:
    settings = settings_for_update()
    settings.municipality_name = "Musterstadt"
    settings.contact_email = "beteiligung@musterstadt.example"
    settings.contact_phone = "0123 456-0"
    settings.address = "Stadt Musterstadt, Rathausplatz 1, 12345 Musterstadt"
    settings.imprint_responsible = "Die Oberbürgermeisterin der Stadt Musterstadt"
    settings.accessibility_email = "barrierefreiheit@musterstadt.example"
    settings.privacy_officer = "Datenschutzbeauftragte der Stadt, datenschutz@musterstadt.example"


# (title, body, process, pinned, published: days from today — the dialogue's and the vote's
# first days for theirs)
ANNOUNCEMENTS = [
    ("Willkommen auf der Beteiligungsplattform",
     "Hier informiert die Stadt Musterstadt über laufende Vorhaben. Sie können mitdiskutieren, "
     "Vorschläge machen und bei Mitmach-Angeboten helfen.\n\nFragen? Schreiben Sie uns über die "
     "[Hilfeseite](/hilfe).", None, True, -214),
    ("Dialog zum Stadtgrün im Nordviertel hat begonnen",
     "Bis Anfang Dezember sammeln wir Hinweise: Wo fehlen Bäume, wo wünschen Sie sich Beete?\n\n"
     "- Hinweise im Dialog sammeln\n- Vorschläge in der Mitgestaltung entwickeln",
     "Grünes Nordviertel: Ideen für mehr Stadtgrün", False, -25),
    ("Abstimmung über sichere Schulwege läuft",
     "Unterstützen Sie die Vorschläge, die Ihnen wichtig sind. Der Fachbereich Mobilität und "
     "Verkehr antwortet auf alle Vorschläge, die die Schwelle erreichen.",
     "Sicher zur Schule in der Südstadt", False, -18),
]  # fmt: skip


def _seed_announcements(users) -> None:
    from engage.boards import services as boards
    from engage.processes.models import Process

    admin = next(u for u in users if u.role == "admin")
    for title, body, process_title, pinned, published in ANNOUNCEMENTS:
        process = None
        if process_title:
            process = db.session.scalar(db.select(Process).where(Process.title == process_title))
        author = next(
            (u for u in users if process and u.role == "staff"
             and u.department_id == process.department_id),
            admin,
        )  # fmt: skip
        announcement = boards.publish_announcement(
            author,
            boards.AnnouncementData(title=title, body=body, pinned=pinned,
                                    process_id=process.id if process else None),
        )  # fmt: skip
        _dated(announcement, _day(published, 8), "created_at", "publish_at")


def _seed_dialogue(users) -> None:
    from engage.boards import dialogue_services as dialogue
    from engage.processes.models import Process

    by_email = {u.email.split("@")[0]: u for u in users}
    green = db.session.scalar(db.select(Process).where(Process.title.like("Grünes Nordviertel%")))
    # In the dialogue phase (from 25 days ago): the question, two replies, the official answer.
    thread = dialogue.open_thread(
        by_email["buerger"], "Mehr Schatten auf dem Spielplatz Lindenweg",
        "Im Sommer ist der Spielplatz am **Lindenweg** kaum nutzbar. Könnten dort Bäume oder "
        "ein Sonnensegel hin?", green,
    )  # fmt: skip
    _dated(thread, _day(-24, 18), "created_at", "last_activity_at")
    first = dialogue.reply(thread, by_email["buergerin"],
                           "Ja, unbedingt! Auch eine Bank im Schatten wäre gut.")  # fmt: skip
    _dated(first, _day(-23, 8))
    answer = dialogue.reply(thread, by_email["buerger"], "Gute Idee, das ergänze ich.",
                            parent=first)  # fmt: skip
    _dated(answer, _day(-23, 12))
    official = dialogue.reply(
        thread, by_email["umwelt"],
        "Danke für den Hinweis. Wir prüfen zwei Baumstandorte und melden uns bis Ende "
        "Januar mit einem Vorschlag.", official=True,
    )  # fmt: skip
    _dated(official, _day(-21, 10))
    _dated(thread, official.created_at, "answered_at", "last_activity_at")
    thread.answer_seconds = int((official.created_at - thread.created_at).total_seconds())
    question = dialogue.open_thread(
        by_email["buergerin"], "Wie werden Hinweise aus dem Dialog ausgewertet?",
        "Was passiert mit unseren Hinweisen, wenn die Dialogphase endet?", None,
    )  # fmt: skip
    _dated(question, _day(-12, 20), "created_at", "last_activity_at")


def _seed_proposals(users) -> None:
    from engage.processes.models import Process
    from engage.proposals import services as proposals
    from engage.proposals.models import Rating

    by_email = {u.email.split("@")[0]: u for u in users}
    school = db.session.scalar(db.select(Process).where(Process.title.like("Sicher zur Schule%")))
    crossing = proposals.save_proposal(
        by_email["buergerin"], school,
        proposals.ProposalData(
            title="Zebrastreifen vor der Grundschule Südstadt",
            problem="Vor der Grundschule gibt es keinen sicheren Übergang; Kinder laufen "
                    "zwischen parkenden Autos auf die Straße.",
            idea="Ein Zebrastreifen mit Beleuchtung und ein Halteverbot fünf Meter davor.",
            intended_outcome="Kinder überqueren die Straße sicher und werden gesehen.",
            indicator="Beinaheunfälle pro Monat (Beobachtung der Schülerlotsen)",
            baseline="6", target="1", category="mobility", district_id=school.district_id,
        ),
        submit=True,
    )  # fmt: skip
    # In the co-design phase (from 59 days ago), then the vote (from 18 days ago).
    _submitted(crossing, _day(-52, 19))
    _support(crossing, by_email["buerger"], _day(-51, 7))
    _support(crossing, by_email["rat"], _day(-50, 21))
    _step(crossing, by_email["mobilitaet"], "under_review",
          "Wir prüfen den Standort mit der Straßenverkehrsbehörde.", _day(-44, 11))  # fmt: skip
    question = proposals.comment(
        crossing, by_email["buerger"], "Wäre eine Ampel nicht sicherer als ein Zebrastreifen?"
    )
    _dated(question, _day(-43, 18))
    reply = proposals.comment(crossing, by_email["mobilitaet"],
                              "Bei dieser Verkehrsmenge reicht ein beleuchteter Zebrastreifen; "
                              "eine Ampel prüfen wir mit.", parent=question,
                              official=True)  # fmt: skip
    _dated(reply, _day(-41, 10))
    _dated(crossing, reply.created_at, "answered_at")  # (answered by that official comment)
    bikes = proposals.save_proposal(
        by_email["buerger"], school,
        proposals.ProposalData(
            title="Fahrradbügel am Schulhof",
            problem="Kinder lassen ihre Räder ungesichert am Zaun stehen.",
            idea="Zwanzig Fahrradbügel auf dem Schulhof.",
            intended_outcome="Mehr Kinder fahren mit dem Rad zur Schule.",
            indicator="Fahrräder am Schulhof an einem normalen Schultag",
            baseline="15", target="40", category="mobility", district_id=school.district_id,
        ),
        submit=True,
    )  # fmt: skip
    _submitted(bikes, _day(-58, 20))
    _support(bikes, by_email["buergerin"], _day(-57, 9))
    staff = by_email["mobilitaet"]
    for step, note, day in (
        ("under_review", "Wir prüfen den Platz mit der Schule.", -54),
        ("accepted", "Die Schule stellt die Fläche bereit.", -49),
        ("in_implementation", "Die Bügel sind bestellt.", -45),
        ("implemented", "Zwanzig Bügel stehen seit den Herbstferien.", -30),
    ):
        _step(bikes, staff, step, note, _day(day, 10))  # fmt: skip
    proposals.record_result(bikes, staff, "34",
                            "Deutlich mehr Räder; im Winter zählen wir noch einmal.")  # fmt: skip
    _dated(bikes, _day(-9, 14), "result_recorded_at")
    proposals.rate(bikes, by_email["buergerin"], 4)
    _dated(db.session.scalar(db.select(Rating).where(Rating.proposal_id == bikes.id)),
           _day(-6, 19))  # fmt: skip


def _submitted(proposal, moment: datetime) -> None:
    """A proposal written and submitted at this moment (its submission in its history too)."""
    from engage.proposals.models import ProposalEvent

    _dated(proposal, moment, "created_at", "submitted_at")
    for event in db.session.scalars(db.select(ProposalEvent).where(
            ProposalEvent.proposal_id == proposal.id)):  # fmt: skip
        _dated(event, moment)


def _support(proposal, user, moment: datetime) -> None:
    from engage.proposals import services as proposals
    from engage.proposals.models import Support

    proposals.add_support(proposal, user)
    db.session.execute(db.update(Support).where(Support.proposal_id == proposal.id,
                                                Support.user_id == user.id)
                       .values(created_at=moment))  # fmt: skip


def _step(proposal, staff, step: str, note: str, moment: datetime) -> None:
    """The department moves the proposal on at this moment (an answer then, too)."""
    from engage.proposals import services as proposals

    _dated(proposals.move(proposal, staff, step, note), moment)
    if step in ("accepted", "rejected"):
        _dated(proposal, moment, "answered_at")


def _seed_volunteering(users) -> None:
    from engage.core.types import LOCAL_TIMEZONE
    from engage.volunteering import services as volunteering

    by_email = {u.email.split("@")[0]: u for u in users}
    by_district = {d.name: d for d in db.session.scalars(db.select(District))}
    staff = by_email["umwelt"]
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Parkputz im Stadtpark Nordviertel",
        description="Gemeinsam sammeln wir Müll, pflegen Beete und reparieren Bänke. "
                    "Handschuhe und Greifzangen stellt die Stadt.",
        department_id=staff.department_id, place="Stadtpark, Eingang Lindenweg",
        contact="umwelt@musterstadt.example", requirements="Festes Schuhwerk",
        district_id=by_district["Nordviertel"].id,
    ))  # fmt: skip
    _dated(offer, _day(-40, 10))  # (before its first shift, four Saturdays ago)
    saturday = local_today() + timedelta(days=(5 - local_today().weekday()) % 7 or 7)
    start = datetime.combine(saturday, time(10, 0), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    shifts = volunteering.add_shifts(offer, start, start + timedelta(hours=3), capacity=8,
                                     weeks=4)  # fmt: skip
    for name, days in (("buerger", 3), ("buergerin", 2)):
        signup = volunteering.sign_up(shifts[0], by_email[name])
        _dated(signup, min(utcnow(), start - timedelta(days=days)), "created_at", "queued_at")
    _seed_attendance(offer, start, staff, by_email)
    _seed_offer_from_proposal(by_email)


def _seed_attendance(offer, next_start, staff, by_email) -> None:
    """Four past Saturdays: who came and their hours, so that hours and costs saved show."""
    from engage.volunteering import attendance
    from engage.volunteering import services as volunteering
    from engage.volunteering.models import Signup

    start = next_start - timedelta(weeks=4)
    if start + timedelta(weeks=3, hours=3) > utcnow():  # (a Saturday morning: today's is not over)
        start -= timedelta(weeks=1)
    past = volunteering.add_shifts(offer, start, start + timedelta(hours=3), capacity=8, weeks=4)
    came = {"buergerin": [True] * 4, "buerger": [True, False, True, None]}
    for name, weeks in came.items():
        for shift, attended in zip(past, weeks, strict=True):
            if attended is None:
                continue
            # Signed up two days before the shift; its attendance noted on the evening after.
            signup = Signup(shift_id=shift.id, user_id=by_email[name].id, status="confirmed",
                            created_at=shift.starts_at - timedelta(days=2),
                            queued_at=shift.starts_at - timedelta(days=2))  # fmt: skip
            db.session.add(signup)
            db.session.flush()
            attendance.mark(signup, staff, attended)
            _dated(signup, min(shift.ends_at + timedelta(hours=6), utcnow()),
                   "attendance_marked_at")  # fmt: skip
    by_email["buergerin"].milestones_public = True  # 12 hours: the first milestone, shown


def _seed_offer_from_proposal(by_email) -> None:
    """Co-design leading to co-production: an accepted proposal that volunteers carry out."""
    from engage.core.types import LOCAL_TIMEZONE
    from engage.processes.models import Process
    from engage.proposals import services as proposals
    from engage.volunteering import services as volunteering

    school = db.session.scalar(db.select(Process).where(Process.title.like("Sicher zur Schule%")))
    staff = by_email["mobilitaet"]
    guides = proposals.save_proposal(
        by_email["buerger"], school,
        proposals.ProposalData(
            title="Eltern-Lotsen am Schulweg",
            problem="Morgens ist die Kreuzung am Schulweg für Erstklässler unübersichtlich.",
            idea="Eltern und Nachbarn lotsen die Kinder morgens über die Kreuzung.",
            intended_outcome="Erstklässler gehen den Schulweg sicher und bald allein.",
            indicator="Kinder, die ohne Begleitung eines Elternteils kommen",
            baseline="20", target="60", category="mobility", district_id=school.district_id,
        ),
        submit=True,
    )  # fmt: skip
    _submitted(guides, _day(-55, 21))
    _step(guides, staff, "under_review", "Wir sprechen mit der Schule.", _day(-48, 9))
    _step(guides, staff, "accepted", "Gute Idee: Wir organisieren die Einsätze und stellen "
          "Warnwesten.", _day(-40, 15))  # fmt: skip
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Schulweg-Lotsen an der Grundschule Südstadt",
        description="Von 7:30 bis 8:00 Uhr helfen Sie Kindern sicher über die Kreuzung. "
                    "Warnweste und Kelle stellt die Stadt; eine kurze Einweisung gibt es vorab.",
        department_id=staff.department_id, district_id=school.district_id,
        place="Kreuzung Schulstraße / Lindenweg", contact="mobilitaet@musterstadt.example",
        min_age=16, proposal_id=guides.id, process_id=school.id,
    ))  # fmt: skip
    _dated(offer, _day(-38, 11))  # (once the proposal was accepted)
    monday = local_today() + timedelta(days=(0 - local_today().weekday()) % 7 or 7)
    start = datetime.combine(monday, time(7, 30), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    volunteering.add_shifts(offer, start, start + timedelta(minutes=30), capacity=2, weeks=3)


NEIGHBOURS = ["Aylin Demir", "Jonas Becker", "Marie Schulz", "Lukas Wagner", "Sofia Hoffmann",
              "Paul Richter", "Emma Koch", "Finn Klein", "Lea Wolf", "Noah Schröder",
              "Mia Neumann", "Elias Braun", "Hanna Zimmermann", "Ben Krüger", "Lina Hartmann",
              "Tom Lange", "Ida Schmitt", "Karl Werner", "Nele Krause", "Emil Meier"]  # fmt: skip


def _seed_neighbours(users, districts) -> None:
    """Twenty residents whose supports and replies over half a year fill the council report."""
    from engage.boards.dialogue_models import Thread
    from engage.boards.dialogue_services import reply
    from engage.proposals import services as proposals
    from engage.proposals.models import Proposal, Support

    password_hash = users[0].password_hash  # one hash for all: seeding stays fast
    now = utcnow()
    open_proposals = db.session.scalars(
        db.select(Proposal).where(Proposal.status.in_(["submitted", "under_review"]))
    ).all()
    threads = db.session.scalars(db.select(Thread).order_by(Thread.id)).all()
    for index, name in enumerate(NEIGHBOURS):
        since = now - timedelta(days=180 - index * 8)
        slug = name.lower().replace(" ", ".").replace("ö", "oe").replace("ü", "ue")
        person = User(email=f"{slug}@musterstadt.example", display_name=name, role="citizen",
                      password_hash=password_hash, email_verified_at=since, created_at=since,
                      district_id=districts[index % len(districts)].id)  # fmt: skip
        db.session.add(person)
        db.session.flush()
        # Some days after joining, but never before what they support or answer: the
        # proposal's submission, the thread's opening.
        for proposal in open_proposals[: 1 + index % 2]:
            proposals.add_support(proposal, person)
            db.session.execute(db.update(Support).where(
                Support.user_id == person.id, Support.proposal_id == proposal.id).values(
                created_at=_after(since, proposal.submitted_at, index)))  # fmt: skip
        if threads and index % 3 == 0:
            thread = threads[index % len(threads)]
            comment = reply(thread, person,
                            "Das sehe ich genauso – gerade morgens ist es schwierig.")  # fmt: skip
            _dated(comment, _after(since, thread.created_at, index))
            thread.last_activity_at = max(thread.last_activity_at, comment.created_at)


def _after(since: datetime, opened: datetime, index: int) -> datetime:
    """A neighbour's moment: some days after the item was opened (in the daytime), and three
    days after joining at the earliest."""
    from engage.core.types import LOCAL_TIMEZONE

    day = opened.astimezone(LOCAL_TIMEZONE).date() + timedelta(days=1 + index // 3)
    moment = datetime.combine(day, time(8 + index % 12), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    return min(max(since + timedelta(days=3), moment), utcnow())


def _seed_moderation(users) -> None:
    """A spam account: one reply hidden by three reports, one hidden by Mona and appealed."""
    import secrets

    from engage.boards import dialogue_services as dialogue
    from engage.boards.dialogue_models import Thread
    from engage.moderation import services as moderation

    by_email = {u.email.split("@")[0]: u for u in users}
    spammer = services.create_user("angebote@schnaeppchen.example", secrets.token_urlsafe(24),
                                   Role.CITIZEN, display_name="Schnäppchen24")  # fmt: skip
    thread = db.session.scalar(db.select(Thread).where(Thread.title.like("Mehr Schatten%")))
    advert = dialogue.reply(thread, spammer, "Sonnensegel zum Sonderpreis! Nur heute 70 % "
                            "Rabatt – schreiben Sie uns.")  # fmt: skip
    for reporter in ("buerger", "buergerin", "rat"):
        moderation.flag(by_email[reporter], advert, "spam")
    second = dialogue.reply(thread, spammer, "Noch mehr Angebote für Ihren Garten bei uns!")
    decision = moderation.decide(by_email["moderation"], second, "hide", "spam",
                                 "Werbung ist hier nicht erlaubt.")  # fmt: skip
    moderation.appeal(spammer, decision, "Das ist ein nützlicher Hinweis, keine Werbung.")
    from engage.admin import services as admin

    admin.block_user(by_email["moderation"], spammer, "Wiederholt Werbung im Dialog.")
    other = db.session.scalar(db.select(Thread).where(Thread.title.like("Wie werden%")))
    moderation.flag(by_email["buerger"], other, "off_topic")


def _seed_processes(users, departments, districts) -> None:
    today = local_today()
    by_name = {d.name: d for d in districts}
    staff = {u.department.short_name: u for u in users if u.department and u.role == "staff"}
    admin = next(u for u in users if u.role == "admin")
    for spec in PROCESSES:
        department = departments[spec["department"]]
        author = staff.get(spec["department"], admin)
        phases = [
            processes.PhaseDates(PhaseKind(kind), today + timedelta(days=start),
                                 today + timedelta(days=start + length - 1))
            for kind, start, length in spec["phases"]
        ]  # fmt: skip
        process = processes.create_process(
            author,
            processes.ProcessData(
                title=spec["title"], summary=spec["summary"], body=spec["body"],
                department_id=department.id,
                district_id=by_name[spec["district"]].id if spec["district"] else None,
                support_threshold=25, answer_deadline_days=30, phases=phases,
            ),
        )  # fmt: skip
        processes.publish_process(process, author)
        first = _day(min(start for _kind, start, _length in spec["phases"]) - 14)
        _dated(process, first, "created_at", "updated_at", "published_at")


def seed_demo() -> list[User]:
    """Add the demo city; returns the demo users (whose password is DEMO_PASSWORD)."""
    districts = [District(name=name) for name in DISTRICTS]
    departments = {short: Department(name=name, short_name=short) for name, short in DEPARTMENTS}
    db.session.add_all(districts + list(departments.values()))
    db.session.flush()
    users = []
    for index, (email, name, role, department) in enumerate(USERS):
        user = services.create_user(email, DEMO_PASSWORD, role, display_name=name)
        _dated(user, _day(ACCOUNTS_SINCE, 9, index), "created_at", "email_verified_at")
        user.department = departments.get(department) if department else None
        user.district = districts[index % len(districts)]
        users.append(user)
    db.session.flush()
    _seed_settings()
    _seed_processes(users, departments, districts)
    db.session.flush()
    _seed_announcements(users)
    _seed_dialogue(users)
    _seed_proposals(users)
    _seed_volunteering(users)
    _seed_neighbours(users, districts)
    _seed_moderation(users)
    db.session.flush()
    return users
