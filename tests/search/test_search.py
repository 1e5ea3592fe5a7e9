"""Search finds public content of every kind, ranked and highlighted, and nothing else.

A word also finds longer words it starts ("Fahrrad": "Fahrradständer"), so that SQLite (FTS5,
no stemming, umlauts without dots) and PostgreSQL (German stemming) find the same things.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from engage.boards import dialogue_services as dialogue
from engage.boards.dialogue_models import Thread
from engage.core.moderation import ContentStatus
from engage.extensions import db


def test_every_kind_is_found_with_its_badge(client, content, find):
    titles = find("Fahrradständer")
    assert len(titles) == 5
    page = client.get("/search?q=Fahrradständer").get_data(as_text=True)
    for badge in ["Mitteilung", "Diskussion", "Antwort", "Vorschlag", "Mitmach-Angebot"]:
        assert f">{badge}</span>" in page
    assert "5 Ergebnisse für „Fahrradständer“" in page
    assert "Antwort auf „Parken am Bahnhof“" in titles


def test_a_title_match_ranks_before_a_body_match(town, find):
    dialogue.open_thread(town["citizen"], "Verkehr am Morgen", "Der Schulweg ist gefährlich.")
    dialogue.open_thread(town["citizen"], "Sicherer Schulweg", "Bitte Tempo dreißig.")
    db.session.commit()
    assert find("Schulweg") == ["Sicherer Schulweg", "Verkehr am Morgen"]


def test_matches_are_highlighted_in_the_snippet_and_the_title(client, content):
    page = client.get("/search?q=geblieben").get_data(as_text=True)
    assert "Wo sind die Fahrradständer <mark>geblieben</mark>?" in page
    page = client.get("/search?q=rathaus").get_data(as_text=True)
    assert "Neue Fahrradständer am <mark>Rathaus</mark></a>" in page


def test_a_word_finds_the_longer_words_it_starts_and_umlaut_plurals(town, content, find):
    dialogue.open_thread(town["citizen"], "Schatten im Park", "Es fehlen Bäume am Spielplatz.")
    db.session.commit()
    assert len(find("Fahrrad")) == 5  # (every item carries "Fahrradständer")
    assert find("Baum") == ["Schatten im Park"]
    assert find("Bäume") == ["Schatten im Park"]
    # Two letters are that word only: a prefix "im" would find "immer", "Impfung", …
    from engage.search.services import _prefix

    assert _prefix('"im"', "*") == '"im"' and _prefix('"Park"', "*") == '"Park"*'


def test_every_word_must_occur(content, find):
    assert find("Fahrradständer Rathaus") == ["Neue Fahrradständer am Rathaus"]
    assert find("Fahrradständer Zeppelin") == []


def test_stored_html_is_shown_as_text(town, client):
    dialogue.open_thread(
        town["citizen"], "<b>Gartenzwerg</b>", "<script>alert(1)</script> Gartenzwerg"
    )
    db.session.commit()
    page = client.get("/search?q=Gartenzwerg").get_data(as_text=True)
    assert "<script>" not in page and "<b>" not in page
    # PostgreSQL's headline drops tag-like words, FTS5 keeps them as text: both are escaped.
    assert "alert(1)" in page and "<mark>Gartenzwerg</mark>" in page
    assert "&lt;b&gt;Gartenzwerg&lt;/b&gt;</a>" in page or "&lt;b&gt;<mark>Gartenzwerg" in page


def test_the_query_is_escaped_on_the_page(client):
    page = client.get("/search?q=<img src=x onerror=alert(1)>").get_data(as_text=True)
    assert "<img src=x" not in page


@pytest.mark.parametrize("query", [
    '"', '"Fahrradständer', 'Fahrradständer"', "Fahrradständer*", "-Fahrradständer", "AND",
    "Fahrradständer AND", "OR NOT", "(Fahrradständer", "Fahrradständer)", "NEAR(a b)", "'",
    "';--", "%", "\\", "title:Fahrradständer", "^Fahrrad", "{x}", "a:b:c", "* * *", "\x00",
    "äöü ß", "🚲 Fahrradständer", "x" * 500, "Fahrradständer " * 30, "der die das",
])  # fmt: skip
def test_search_syntax_in_the_query_never_breaks_the_page(content, client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_operators_are_searched_as_plain_words(content, find):
    assert len(find('"Fahrradständer*')) == 5
    assert len(find("(Fahrradständer) -")) == 5


def test_empty_query_shows_the_form_and_no_results(client):
    page = client.get("/search").get_data(as_text=True)
    assert 'for="search-q">Suchbegriff</label>' in page
    assert "Geben Sie oben einen Suchbegriff ein." in page
    assert 'class="stack search-results"' not in page
    page = client.get("/search?q=***").get_data(as_text=True)
    assert "mindestens ein Wort" in page


def test_no_result_state(content, client):
    page = client.get("/search?q=Zeppelin").get_data(as_text=True)
    assert "0 Ergebnisse" in page and "Nichts gefunden" in page


def test_results_come_in_pages(town, find, client):
    for n in range(12):
        dialogue.open_thread(town["citizen"], f"Laterne {n}", "Sie ist dunkel.")
    db.session.commit()
    assert len(find("Laterne")) == 10
    assert len(find("Laterne", page=2)) == 2

    past = client.get("/search", query_string={"q": "Laterne", "page": 9})
    assert past.status_code == 302 and past.headers["Location"] == "/search?q=Laterne&page=2"


def test_edits_are_searchable_at_once(content, find):
    thread = content["thread"]
    dialogue.edit_post(thread, "Jetzt geht es um Parkbänke.", title="Parken am Bahnhof")
    db.session.commit()
    assert find("Parkbänke") == ["Parken am Bahnhof"]
    assert "Parken am Bahnhof" not in find("geblieben")


def test_the_search_box_is_in_every_page_header(client):
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page
    assert '<label for="site-search" class="visually-hidden">Suchbegriff</label>' in page


def test_reindex_command_rebuilds_the_index(content, runner, find):
    db.session.execute(text("DELETE FROM search_index"))
    db.session.commit()
    assert find("Fahrradständer") == []
    result = runner.invoke(args=["search-reindex"])
    assert result.exit_code == 0, result.output
    assert "7 items" in result.output  # (the five, and the town's two processes)
    assert len(find("Fahrradständer")) == 5


def test_bulk_hiding_without_the_orm_is_honoured_at_query_time(content, find):
    db.session.execute(update(Thread).values(moderation_status=ContentStatus.HIDDEN.value))
    db.session.commit()
    titles = find("Fahrradständer")
    assert "Parken am Bahnhof" not in titles
    assert "Antwort auf „Parken am Bahnhof“" not in titles  # a reply in a hidden thread
    assert len(titles) == 3


def test_a_page_of_results_takes_as_many_queries_for_two_hits_as_for_ten(town, client, content):
    from sqlalchemy import event

    def queries_for(path: str) -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            client.get(path)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    def add(n: int) -> None:
        for i in range(n):
            thread = dialogue.open_thread(town["citizen"], f"Kastanie {i}", "Kastanie")
            dialogue.reply(thread, town["neighbour"], "Kastanie")
        db.session.commit()

    add(1)
    few = queries_for("/search?q=Kastanie")
    add(4)
    assert queries_for("/search?q=Kastanie") == few


def test_a_comment_on_a_proposal_is_found_as_a_reply_linking_to_the_proposal(town, client, content):
    from engage.proposals import services as proposals

    comment = proposals.comment(content["proposal"], town["neighbour"], "Gern mit Dachbegrünung")
    db.session.commit()
    page = client.get("/search?q=Dachbegrünung").get_data(as_text=True)
    assert f'href="/dialogue/replies/{comment.id}"' in page
    found = client.get(f"/dialogue/replies/{comment.id}")
    assert found.headers["Location"] == f"/proposals/{content['proposal'].id}#c{comment.id}"
    assert "Antwort auf „Überdachte Fahrradständer“" in page


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999"])
def test_a_strange_page_number_shows_the_first_page(content, client, page):
    query = {"q": "Fahrradständer", "page": page}
    response = client.get("/search", query_string=query, follow_redirects=True)
    assert response.status_code == 200
    assert "5 Ergebnisse" in response.get_data(as_text=True)


def test_a_published_process_is_found_and_a_draft_is_not(client, town, find):
    from engage.core.types import local_today
    from engage.processes import services as processes
    from engage.processes.models import PhaseKind

    today = local_today()

    def process(title: str, publish: bool):
        made = processes.create_process(town["admin"], processes.ProcessData(
            title=title, summary="Lesen mit Kindern", body="Ehrenamtliche lesen **vor**.",
            department_id=town["staff"].department_id, district_id=None,
            support_threshold=10, answer_deadline_days=14,
            phases=[processes.PhaseDates(PhaseKind.DIALOGUE, today, today)]))  # fmt: skip
        if publish:
            processes.publish_process(made, town["admin"])
        return made

    live = process("Lesepatenschaften", publish=True)
    process("Lesepatenschaften im Entwurf", publish=False)
    db.session.commit()
    assert find("Lesepaten") == ["Lesepatenschaften"]
    page = client.get("/search?q=Kindern").get_data(as_text=True)
    assert ">Beteiligungsverfahren</span>" in page and f'href="/processes/{live.slug}"' in page
