"""An offer of the Umwelt department and a helper for its shifts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.core.types import utcnow
from engage.extensions import db
from engage.volunteering import services
from engage.volunteering.models import Shift


@pytest.fixture
def offer(town):
    offer = services.create_offer(town["staff"], services.OfferData(
        title="Parkputz Nordviertel", description="Müll sammeln im Park",
        department_id=town["staff"].department_id, place="Stadtpark"))  # fmt: skip
    db.session.commit()
    return offer


def make_shift(offer, capacity=1, hours_from_now=48, length=2) -> Shift:
    """One committed shift of the offer, starting hours_from_now hours from now."""
    # Whole minutes, as the shift form gives them.
    start = (utcnow() + timedelta(hours=hours_from_now)).replace(second=0, microsecond=0)
    [shift] = services.add_shifts(offer, start, start + timedelta(hours=length), capacity)
    db.session.commit()
    return shift
