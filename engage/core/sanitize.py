"""The one place where user text becomes HTML: Markdown without raw HTML, then bleach."""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache, partial

import bleach
import markdown
from bleach.linkifier import DEFAULT_CALLBACKS, LinkifyFilter
from bleach.sanitizer import Cleaner
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
        "a", "h3", "h4", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_HEADING = re.compile(r"<(/?)h([1-6])>")
# Unicode's embedding, override and isolate controls: "\u202e" shows the rest of a line
# reversed, which can disguise a link or a name. Left- and right-to-left marks stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


_WRAP_POINTS = re.compile(r"(?<=@)|(?=\.)")


def without_bidi_controls(text: str) -> str:
    return _BIDI_CONTROLS.sub("", text) if _BIDI_CONTROLS.search(text) else text


def finalize_output(value):
    """Jinja's finalize: every plain string a template prints loses its direction controls
    (names, titles). Markup is left alone: user text became markup here already, cleaned."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return without_bidi_controls(value)
    return value


def breakable_address(address: str | None) -> Markup:
    """An e-mail address that a narrow screen wraps after its @ or before a dot, not mid-word."""
    return Markup("<wbr>").join(_WRAP_POINTS.split(without_bidi_controls(address or "")))


def _ugc_rel(attrs: dict, new: bool = False) -> dict:
    """Mark every link as user-generated, so it passes no ranking and no opener."""
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


class _EscapeHtml(markdown.Extension):
    """Treat raw HTML in Markdown as text: it is escaped, never passed through."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


# Building a Markdown parser and a bleach cleaner costs more than using them, so each thread
# keeps one of each (neither is safe to share between threads).
_local = threading.local()


def _tools() -> tuple[markdown.Markdown, Cleaner]:
    if not hasattr(_local, "markdown"):
        _local.markdown = markdown.Markdown(extensions=[_EscapeHtml()], output_format="html")
        _local.cleaner = Cleaner(
            tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
            strip=True,
            filters=[partial(LinkifyFilter, callbacks=[*DEFAULT_CALLBACKS, _ugc_rel],
                             skip_tags={"pre", "code"})],
        )  # fmt: skip
    return _local.markdown, _local.cleaner


def render_user_text(source: str | None) -> Markup:
    """Render user-written Markdown to safe HTML (raw HTML off, allow-list, safe links)."""
    if not source:
        return Markup("")
    return Markup(_render(without_bidi_controls(source)))  # noqa: S704 (cleaned by bleach)


@lru_cache(maxsize=4096)
def _render(source: str) -> str:
    """The same text always renders the same; pages with many comments reuse earlier work."""
    parser, cleaner = _tools()
    html = parser.reset().convert(source)
    # User headings sit below the page's own h1/h2: shift them to h3/h4 so the outline holds.
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 4)}>", html)
    return cleaner.clean(html)


def plain_text(source: str | None) -> str:
    """Strip every tag, for places that show user text without markup (titles, mail)."""
    return without_bidi_controls(bleach.clean(source or "", tags=set(), strip=True))


def excerpt(source: str | None, length: int = 220) -> str:
    """A plain-text teaser of user Markdown, cut at a word boundary."""
    return _excerpt(without_bidi_controls(source or ""), length)


# A list item followed by another one, or by what comes after its list.
_NEXT_ITEM = re.compile(r"</li>((?:\s*</[uo]l>)?\s*<(?:li|p|h[1-6]|ul|ol|blockquote|pre)[\s>])")


def readable_text(source: str | None) -> str:
    """User Markdown as the words a reader sees: no tags or entities, single spaces, and
    " · " after a list's items (without their bullets they would run into one sentence, and
    the list's last item into the paragraph after it)."""
    rendered = _NEXT_ITEM.sub(r" · </li>\1", str(render_user_text(source)))
    return " ".join(html.unescape(bleach.clean(rendered, tags=set(), strip=True)).split())


@lru_cache(maxsize=4096)
def _excerpt(source: str, length: int) -> str:
    text = readable_text(source)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"
