"""A proposal's measured result stands once, beside the indicator it measures."""

from __future__ import annotations

from engage.extensions import db
from engage.proposals import services
from engage.proposals.models import ProposalStatus as S
from tests.proposals.test_proposals import _proposal, codesign  # noqa: F401 (the fixture)

INDICATOR = "Anteil Autos über 30 km/h"


def _article(client, proposal) -> str:
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    # (The history below names the recorded result as one of the steps: not part of this.)
    return html.split("<article", 1)[1].split('id="history-title"', 1)[0]


def _effect(article: str) -> str:
    return article.split('id="effect-title"', 1)[1].split("</section>", 1)[0]


def test_the_measured_result_is_shown_once_beside_its_indicator(client, auth, town, codesign):  # noqa: F811
    proposal = _proposal(town, codesign, S.IMPLEMENTED)
    services.add_support(proposal, town["neighbour"])
    services.record_result(proposal, town["staff"], "12 %", "Deutlich weniger Raser.")
    db.session.commit()
    for email in (None, "nachbar@example.org", "umwelt@example.org"):  # visitor, supporter, staff
        if email:
            auth.login(email)
        article = _article(client, proposal)
        for label in ("Indikator", "Ausgangswert", "Zielwert", "Gemessen"):
            assert article.count(f"<dt>{label}</dt>") == 1, (email, label)
        assert article.count(INDICATOR) == 1, email
        effect = _effect(article)
        # indicator · baseline · target · measured value, then the evaluation
        order = [effect.index(text) for text in (INDICATOR, "40 %", "10 %", "<strong>12 %</strong>",
                                                 "Deutlich weniger Raser.")]  # fmt: skip
        assert order == sorted(order), email
        if email == "nachbar@example.org":
            assert "Wirkung bewerten" in article and "Bewertung speichern" in article
        if email == "umwelt@example.org":
            assert (
                "Ergebnis erfassen (Fachbereich)" in article and "Wirkung bewerten" not in article
            )
        if email:
            auth.logout()


def test_before_a_result_is_recorded_none_shows_but_supporters_rate(client, auth, town, codesign):  # noqa: F811
    proposal = _proposal(town, codesign, S.IMPLEMENTED)
    services.add_support(proposal, town["neighbour"])
    db.session.commit()
    auth.login("nachbar@example.org")
    article = _article(client, proposal)
    assert "<dt>Gemessen</dt>" not in article and 'id="result-title"' not in article
    # Supporters rate how well the implemented proposal works (permissions.can_rate).
    assert "Wirkung bewerten" in article and "Bewertung speichern" in article
    auth.logout()
    auth.login("umwelt@example.org")
    article = _article(client, proposal)
    assert "Ergebnis erfassen (Fachbereich)" in article and "<dt>Gemessen</dt>" not in article
