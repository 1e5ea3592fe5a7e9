"""The app's routes as concrete URLs, with their parameters filled from the `world` fixture."""

from __future__ import annotations

from werkzeug.routing import Rule

# Which item of the world an `item_id` means, per endpoint (or per `kind` argument).
ITEM_OF = {
    "api.announcement": "announcement", "api.offer": "offer", "api.proposal": "proposal",
    "api.shift": "shift", "api.thread": "thread", "thread": "thread", "comment": "reply",
    "proposal": "proposal", "offer": "offer", "process": "dialogue",
    "departments": "department", "districts": "nord",
}  # fmt: skip
# Which user a `user_id` means: the blocked citizen where the route is about blocking.
USER_OF = {"admin.user_unblock": "blocked", "moderation.unblock": "blocked"}


def rule_args(rule: Rule, world: dict) -> dict:
    """Values for the rule's URL parameters: real items of the world, so pages can be found."""
    values: dict = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if hasattr(converter, "items"):  # <any(...)>: the first option in alphabetical order
            values[name] = sorted(converter.items)[0]
    for name in rule.arguments:
        if name in values:
            continue
        values[name] = _value(rule.endpoint, name, values.get("kind"), world)
    return values


def _value(endpoint: str, name: str, kind: str | None, world: dict):
    simple = {
        "thread_id": world["thread"].id, "comment_id": world["reply"].id,
        "announcement_id": world["announcement"].id, "proposal_id": world["proposal"].id,
        "offer_id": world["offer"].id, "shift_id": world["shift"].id,
        "notification_id": world["notification"].id, "appeal_id": world["appeal"].id,
        "decision_id": world["decision"].id, "slug": world["dialogue"].slug,
        "ident": world["dialogue"].slug, "token": "not-a-valid-token", "handle": "0" * 20,
        "filename": "css/engage.css",
    }  # fmt: skip
    if name in simple:
        return simple[name]
    if name == "user_id":
        return world[USER_OF.get(endpoint, "citizen")].id
    if name == "item_id":
        key = ITEM_OF.get(endpoint) or ITEM_OF[kind]
        if key == "department":
            return world["staff"].department_id
        return world[key].id
    raise KeyError(f"no value for <{name}> of {endpoint}: add one in tests/security/routes.py")


def url_of(app, rule: Rule, world: dict) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, rule_args(rule, world), method=_method(rule))


def _method(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def rules(app) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)
