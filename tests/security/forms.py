"""Read the forms of a rendered page (method, action, field names), as a browser sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    method: str
    action: str
    fields: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self.current = page_url, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = Form((attrs.get("method") or "get").lower(),
                                attrs.get("action") or self.page_url)  # fmt: skip
            self.forms.append(self.current)
        elif tag in ("input", "textarea", "select") and self.current and attrs.get("name"):
            name = attrs["name"]
            if name not in self.current.fields and "csrf_token" not in name:
                self.current.fields.append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
