"""Searching the index: a safe query from the user's words, public items only, ranked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import Select, and_, column, exists, func, literal_column, or_, select, table, text
from sqlalchemy.orm import aliased

from engage.api import services as public
from engage.boards.dialogue_models import Comment, Thread
from engage.boards.models import Announcement
from engage.core.moderation import ContentStatus
from engage.extensions import db
from engage.search.index import START, STOP, fold
from engage.volunteering.models import ServiceOffer

PER_PAGE = 10
MAX_WORDS = 8
_WORD = re.compile(r"\w+")

INDEX = table("search_index", column("kind"), column("item_id"), column("title"),
              column("body"))  # fmt: skip


def words(query: str | None) -> list[str]:
    """The words of what the user typed; every operator and quote of FTS syntax is dropped."""
    return [word[:40] for word in _WORD.findall((query or "")[:200])][:MAX_WORDS]


def visible_ids() -> dict[str, Select]:
    """Per kind, the ids the public may see now: checked at query time, whatever the index."""
    threads = public.threads().with_only_columns(Thread.id).order_by(None)
    proposals = public.public_proposal_ids()
    # A reply shows only below visible replies: a hidden or pending one hides its sub-tree.
    ancestor = aliased(Comment)
    held_back_above = exists().where(
        ancestor.id.in_([Comment.parent_id, Comment.root_id]),
        ancestor.moderation_status != ContentStatus.VISIBLE.value,
    )
    replies = select(Comment.id).where(
        Comment.moderation_status == ContentStatus.VISIBLE.value,
        Comment.deleted_at.is_(None),
        ~held_back_above,
        or_(Comment.thread_id.in_(threads), Comment.proposal_id.in_(proposals)),
    )
    return {
        "announcement": public.announcements().with_only_columns(Announcement.id).order_by(None),
        "thread": threads,
        "reply": replies,
        "proposal": proposals,
        "offer": public.offers().with_only_columns(ServiceOffer.id),
        "process": public.published_process_ids(),
    }


def _visible():
    return or_(*(and_(INDEX.c.kind == kind, INDEX.c.item_id.in_(ids))
                 for kind, ids in visible_ids().items()))  # fmt: skip


@dataclass
class Hit:
    kind: str
    item_id: int
    title: Markup
    snippet: Markup


PREFIX_FROM = 3  # a shorter word matches only itself (a one-letter prefix finds everything)
SNIPPET_WORDS = 24
_MARKED = re.compile(f"({START}.*?{STOP})", re.DOTALL)


def _marked(value: str | None, terms: list[str]) -> Markup:
    """Escape the text, then turn the index's own match markers into <mark>."""
    escaped = str(escape(_mark_folded(value or "", terms)))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def _finder(terms: list[str]) -> Callable[[str], bool]:
    """Whether a word of the text matches a search term, both folded ("Bäume" for "baeume")."""
    wanted = [(fold(term).casefold(), len(term) >= PREFIX_FROM) for term in terms]

    def found(word: str) -> bool:
        word = fold(word).casefold()
        return any(word.startswith(t) if prefix else word == t for t, prefix in wanted)

    return found


def _mark_folded(value: str, terms: list[str]) -> str:
    """Also mark the words that matched only folded: the index marks only what matched the
    text as written ("Bäume" has no match for "baeume" there)."""
    found = _finder(terms)

    def mark(match: re.Match) -> str:
        return f"{START}{match.group(0)}{STOP}" if found(match.group(0)) else match.group(0)

    parts = _MARKED.split(value)  # (what the index marked stays as it is)
    return "".join(part if part.startswith(START) else _WORD.sub(mark, part) for part in parts)


def _around_match(body: str, terms: list[str]) -> str | None:
    """The words of the body around its first match, or None when none matches as written
    or folded (the index chose its excerpt by the text as written)."""
    found, words_ = _finder(terms), body.split(" ")
    for at, word in enumerate(words_):
        if any(found(part) for part in _WORD.findall(word)):
            start = max(at - SNIPPET_WORDS // 3, 0)
            end = start + SNIPPET_WORDS
            return " ".join(["…"] * (start > 0) + words_[start:end] + ["…"] * (end < len(words_)))
    return None


def _prefix(term: str, mark: str) -> str:
    bare = term.strip('"')
    return term + mark if len(bare) >= PREFIX_FROM else term


def _matches(terms: list[str]) -> tuple[Select, object]:
    """The ranked selection of (kind, item_id, marked title, snippet, body), and the match
    condition."""
    # Every word as written and folded ("Bäume" also as "Baeume"): the index holds the texts as
    # written and folded, so "baeume" finds what "Bäume" finds; as written, the German stemmer
    # still lets "Bäume" find "Baum".
    spellings = [dict.fromkeys((term, fold(term))) for term in terms]
    if db.session.get_bind().dialect.name == "postgresql":
        # Every word also as the start of a longer one: "Fahrrad" finds "Fahrradbügel"; the
        # German stemmer makes "Baum" find "Bäume". (Words are \w+ only: no operators.)
        query = func.to_tsquery(text("'german'"), " & ".join(
            "(" + " | ".join(_prefix(form, ":*") for form in forms) + ")" for forms in spellings
        ))  # fmt: skip
        headline = f'StartSel="{START}", StopSel="{STOP}"'
        document = literal_column("document")
        condition = document.op("@@")(query)
        rank = func.ts_rank(document, query)
        columns = [
            func.ts_headline(text("'german'"), INDEX.c.title, query,
                             f"HighlightAll=true, {headline}"),
            func.ts_headline(text("'german'"), INDEX.c.body, query,
                             f"MaxWords=35, MinWords=15, {headline}"),
        ]  # fmt: skip
        order = rank.desc()
    else:
        # Quoted: plain words, never operators; with "*" also the start of longer words (the
        # index drops umlauts' dots, so "Baum" finds "Bäume" as well).
        match = " AND ".join(  # (FTS5 wants the AND between groups written out)
            "(" + " OR ".join(_prefix(f'"{form}"', "*") for form in forms) + ")"
            for forms in spellings
        )  # fmt: skip
        condition = literal_column("search_index").op("MATCH")(match)
        rank = func.bm25(literal_column("search_index"), 0.0, 0.0, 10.0, 1.0, 10.0, 1.0)
        columns = [
            func.highlight(literal_column("search_index"), 2, START, STOP),
            func.snippet(literal_column("search_index"), 3, START, STOP, " … ", SNIPPET_WORDS),
        ]
        order = rank
    ranked = select(INDEX.c.kind, INDEX.c.item_id, *columns, INDEX.c.body).select_from(INDEX)
    return ranked.where(condition, _visible()).order_by(order, INDEX.c.item_id), condition


def _snippet(snippet: str | None, body: str | None, terms: list[str]) -> str:
    """The index's excerpt, or the words around a match it did not see (a folded one)."""
    if START in (snippet or "") or not body:
        return snippet or ""
    return _around_match(body, terms) or snippet or ""


class SearchPage(Pagination):
    """One page of hits, with the paging helpers the templates already use."""

    def _query_items(self) -> list[Hit]:
        ranked, _condition = _matches(self._query_args["terms"])
        rows = db.session.execute(ranked.limit(self.per_page).offset(self._query_offset))
        terms = self._query_args["terms"]
        hits = []
        for kind, item_id, title, snippet, body in rows:
            excerpt = _snippet(snippet, body, terms)
            hits.append(Hit(kind, item_id, _marked(title, terms), _marked(excerpt, terms)))
        return hits

    def _query_count(self) -> int:
        _ranked, condition = _matches(self._query_args["terms"])
        query = select(func.count()).select_from(INDEX).where(condition, _visible())
        return db.session.scalar(query)


def search(query: str | None, page: int = 1) -> SearchPage | None:
    """The page of public hits for what the user typed; None when it holds no word."""
    terms = words(query)
    if not terms:
        return None
    return SearchPage(page=page, per_page=PER_PAGE, error_out=False, terms=terms)
