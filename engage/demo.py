"""The demo city "Musterstadt": districts, departments and a user of every role."""

from __future__ import annotations

from engage.accounts import services
from engage.accounts.models import Role, User
from engage.extensions import db
from engage.organisation.models import Department, District

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
    return users
