"""The demo city "Musterstadt": districts, departments, a user of every role, processes."""

from __future__ import annotations

from datetime import timedelta

from engage.accounts import services
from engage.accounts.models import Role, User
from engage.core.settings import settings_for_update
from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes import services as processes
from engage.processes.models import PhaseKind

DEMO_PASSWORD = "musterstadt-demo"  # noqa: S105 (printed on purpose: demo accounts only)

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


ANNOUNCEMENTS = [
    ("Willkommen auf der Beteiligungsplattform",
     "Hier informiert die Stadt Musterstadt über laufende Vorhaben. Sie können mitdiskutieren, "
     "Vorschläge machen und bei Mitmach-Angeboten helfen.\n\nFragen? Schreiben Sie uns über die "
     "[Hilfeseite](/hilfe).", None, True),
    ("Dialog zum Stadtgrün im Nordviertel hat begonnen",
     "Bis Anfang Dezember sammeln wir Hinweise: Wo fehlen Bäume, wo wünschen Sie sich Beete?\n\n"
     "- Hinweise im Dialog sammeln\n- Vorschläge in der Mitgestaltung entwickeln",
     "Grünes Nordviertel: Ideen für mehr Stadtgrün", False),
    ("Abstimmung über sichere Schulwege läuft",
     "Unterstützen Sie die Vorschläge, die Ihnen wichtig sind. Der Fachbereich Mobilität und "
     "Verkehr antwortet auf alle Vorschläge, die die Schwelle erreichen.",
     "Sicher zur Schule in der Südstadt", False),
]  # fmt: skip


def _seed_announcements(users) -> None:
    from engage.boards import services as boards
    from engage.processes.models import Process

    admin = next(u for u in users if u.role == "admin")
    for title, body, process_title, pinned in ANNOUNCEMENTS:
        process = None
        if process_title:
            process = db.session.scalar(db.select(Process).where(Process.title == process_title))
        author = next(
            (u for u in users if process and u.role == "staff"
             and u.department_id == process.department_id),
            admin,
        )  # fmt: skip
        boards.publish_announcement(
            author,
            boards.AnnouncementData(title=title, body=body, pinned=pinned,
                                    process_id=process.id if process else None),
        )  # fmt: skip


def _seed_dialogue(users) -> None:
    from engage.boards import dialogue_services as dialogue
    from engage.processes.models import Process

    by_email = {u.email.split("@")[0]: u for u in users}
    green = db.session.scalar(db.select(Process).where(Process.title.like("Grünes Nordviertel%")))
    thread = dialogue.open_thread(
        by_email["buerger"], "Mehr Schatten auf dem Spielplatz Lindenweg",
        "Im Sommer ist der Spielplatz am **Lindenweg** kaum nutzbar. Könnten dort Bäume oder "
        "ein Sonnensegel hin?", green,
    )  # fmt: skip
    first = dialogue.reply(thread, by_email["buergerin"],
                           "Ja, unbedingt! Auch eine Bank im Schatten wäre gut.")  # fmt: skip
    dialogue.reply(thread, by_email["buerger"], "Gute Idee, das ergänze ich.", parent=first)
    dialogue.reply(
        thread, by_email["umwelt"],
        "Danke für den Hinweis. Wir prüfen zwei Baumstandorte und melden uns bis Ende "
        "Januar mit einem Vorschlag.", official=True,
    )  # fmt: skip
    dialogue.open_thread(
        by_email["buergerin"], "Wie werden Hinweise aus dem Dialog ausgewertet?",
        "Was passiert mit unseren Hinweisen, wenn die Dialogphase endet?", None,
    )  # fmt: skip


def _seed_proposals(users) -> None:
    from engage.processes.models import Process
    from engage.proposals import services as proposals

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
    proposals.add_support(crossing, by_email["buerger"])
    proposals.add_support(crossing, by_email["rat"])
    proposals.move(crossing, by_email["mobilitaet"], "under_review",
                   "Wir prüfen den Standort mit der Straßenverkehrsbehörde.")  # fmt: skip
    question = proposals.comment(
        crossing, by_email["buerger"], "Wäre eine Ampel nicht sicherer als ein Zebrastreifen?"
    )
    proposals.comment(crossing, by_email["mobilitaet"],
                      "Bei dieser Verkehrsmenge reicht ein beleuchteter Zebrastreifen; eine "
                      "Ampel prüfen wir mit.", parent=question, official=True)  # fmt: skip
    bikes = proposals.save_proposal(
        by_email["buerger"], school,
        proposals.ProposalData(
            title="Fahrradbügel am Schulhof",
            problem="Kinder lassen ihre Räder ungesichert am Zaun stehen.",
            idea="Zwanzig Fahrradbügel auf dem Schulhof.",
            intended_outcome="Mehr Kinder fahren mit dem Rad zur Schule.",
            indicator="Fahrräder am Schulhof an einem normalen Schultag",
            baseline="15", target="40", category="mobility",
        ),
        submit=True,
    )  # fmt: skip
    proposals.add_support(bikes, by_email["buergerin"])
    staff = by_email["mobilitaet"]
    for step, note in (
        ("under_review", "Wir prüfen den Platz mit der Schule."),
        ("accepted", "Die Schule stellt die Fläche bereit."),
        ("in_implementation", "Die Bügel sind bestellt."),
        ("implemented", "Zwanzig Bügel stehen seit den Herbstferien."),
    ):
        proposals.move(bikes, staff, step, note)  # fmt: skip
    proposals.record_result(bikes, staff, "34",
                            "Deutlich mehr Räder; im Winter zählen wir noch einmal.")  # fmt: skip
    proposals.rate(bikes, by_email["buergerin"], 4)


def _seed_volunteering(users) -> None:
    from datetime import UTC, datetime, time

    from engage.core.types import LOCAL_TIMEZONE
    from engage.volunteering import services as volunteering

    by_email = {u.email.split("@")[0]: u for u in users}
    staff = by_email["umwelt"]
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Parkputz im Stadtpark Nordviertel",
        description="Gemeinsam sammeln wir Müll, pflegen Beete und reparieren Bänke. "
                    "Handschuhe und Greifzangen stellt die Stadt.",
        department_id=staff.department_id, place="Stadtpark, Eingang Lindenweg",
        contact="umwelt@musterstadt.example", requirements="Festes Schuhwerk",
    ))  # fmt: skip
    saturday = local_today() + timedelta(days=(5 - local_today().weekday()) % 7 or 7)
    start = datetime.combine(saturday, time(10, 0), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    shifts = volunteering.add_shifts(offer, start, start + timedelta(hours=3), capacity=8,
                                     weeks=4)  # fmt: skip
    volunteering.sign_up(shifts[0], by_email["buerger"])
    volunteering.sign_up(shifts[0], by_email["buergerin"])
    _seed_attendance(offer, start, staff, by_email)
    _seed_offer_from_proposal(by_email)


def _seed_attendance(offer, next_start, staff, by_email) -> None:
    """Four past Saturdays: who came and their hours, so that hours and costs saved show."""
    from engage.volunteering import attendance
    from engage.volunteering import services as volunteering
    from engage.volunteering.models import Signup

    start = next_start - timedelta(weeks=4)
    past = volunteering.add_shifts(offer, start, start + timedelta(hours=3), capacity=8, weeks=4)
    came = {"buergerin": [True] * 4, "buerger": [True, False, True, None]}
    for name, weeks in came.items():
        for shift, attended in zip(past, weeks, strict=True):
            if attended is None:
                continue
            signup = Signup(shift_id=shift.id, user_id=by_email[name].id, status="confirmed")
            db.session.add(signup)
            db.session.flush()
            attendance.mark(signup, staff, attended)
    by_email["buergerin"].milestones_public = True  # 12 hours: the first milestone, shown


def _seed_offer_from_proposal(by_email) -> None:
    """Co-design leading to co-production: an accepted proposal that volunteers carry out."""
    from datetime import UTC, datetime, time

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
    proposals.move(guides, staff, "under_review", "Wir sprechen mit der Schule.")
    proposals.move(guides, staff, "accepted",
                   "Gute Idee: Wir organisieren die Einsätze und stellen Warnwesten.")  # fmt: skip
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Schulweg-Lotsen an der Grundschule Südstadt",
        description="Von 7:30 bis 8:00 Uhr helfen Sie Kindern sicher über die Kreuzung. "
                    "Warnweste und Kelle stellt die Stadt; eine kurze Einweisung gibt es vorab.",
        department_id=staff.department_id, district_id=school.district_id,
        place="Kreuzung Schulstraße / Lindenweg", contact="mobilitaet@musterstadt.example",
        min_age=16, proposal_id=guides.id, process_id=school.id,
    ))  # fmt: skip
    monday = local_today() + timedelta(days=(0 - local_today().weekday()) % 7 or 7)
    start = datetime.combine(monday, time(7, 30), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    volunteering.add_shifts(offer, start, start + timedelta(minutes=30), capacity=2, weeks=3)


NEIGHBOURS = ["Aylin Demir", "Jonas Becker", "Marie Schulz", "Lukas Wagner", "Sofia Hoffmann",
              "Paul Richter", "Emma Koch", "Finn Klein", "Lea Wolf", "Noah Schröder",
              "Mia Neumann", "Elias Braun", "Hanna Zimmermann", "Ben Krüger", "Lina Hartmann",
              "Tom Lange", "Ida Schmitt", "Karl Werner", "Nele Krause", "Emil Meier"]  # fmt: skip


def _seed_neighbours(users, districts) -> None:
    """Twenty residents whose supports and replies over half a year fill the council report."""
    from engage.boards.dialogue_models import Comment, Thread
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
        for proposal in open_proposals[: 1 + index % 2]:
            proposals.add_support(proposal, person)
        if threads and index % 3 == 0:
            reply(threads[index % len(threads)], person,
                  "Das sehe ich genauso – gerade morgens ist es schwierig.")  # fmt: skip
        moment = since + timedelta(days=3)
        db.session.execute(db.update(Support).where(Support.user_id == person.id)
                           .values(created_at=moment))  # fmt: skip
        db.session.execute(db.update(Comment).where(Comment.author_id == person.id)
                           .values(created_at=moment))  # fmt: skip


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


def seed_demo() -> list[User]:
    """Add the demo city; returns the demo users (whose password is DEMO_PASSWORD)."""
    districts = [District(name=name) for name in DISTRICTS]
    departments = {short: Department(name=name, short_name=short) for name, short in DEPARTMENTS}
    db.session.add_all(districts + list(departments.values()))
    db.session.flush()
    users = []
    for index, (email, name, role, department) in enumerate(USERS):
        user = services.create_user(email, DEMO_PASSWORD, role, display_name=name)
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
