"""The OpenAPI 3.1 description of the open-data API, built as a plain dict."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from engage.core.types import MAX_ID
from engage.processes.models import PhaseKind
from engage.proposals.models import ProposalStatus

MAX_PAGE = 100_000
MAX_PER_PAGE = 100

# (path, schema, what it is) for the documentation page and the document below.
RESOURCES = [
    ("processes", "Process", _l("Participation processes with their phases")),
    ("announcements", "Announcement", _l("Announcements of the information board")),
    ("threads", "Thread", _l("Public discussions of the dialogue, with their number of replies")),
    ("proposals", "Proposal", _l("Proposals: status, supports, official answer, indicator")),
    ("offers", "Offer", _l("Volunteer offers with their shifts and free places")),
    ("shifts", "Shift", _l("Shifts: time, place, capacity and places taken")),
]

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
URL = {"type": "string", "format": "uri"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def schemas() -> dict:
    """Every resource, the reference objects they share, the list envelope and the error."""
    named = _nullable(_ref("Named"))
    process_ref = _nullable(_ref("ProcessRef"))
    found = {
        "Named": _object({"id": INT, "name": STR}),
        "ProcessRef": _object({"id": INT, "slug": STR, "title": STR}),
        "Phase": _object({
            "kind": {"type": "string", "enum": [k.value for k in PhaseKind]},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
        }),
        "Process": _object({
            "id": INT, "slug": STR, "title": STR, "summary": STR, "body": STR,
            "department": named, "district": named, "support_threshold": INT,
            "answer_deadline_days": INT, "published_at": MOMENT,
            "phases": {"type": "array", "items": _ref("Phase")}, "url": URL,
        }),
        "Announcement": _object({
            "id": INT, "title": STR, "body": STR, "pinned": BOOL,
            "published_at": {"type": "string", "format": "date-time"}, "edited_at": MOMENT,
            "department": named, "district": named, "process": process_ref, "url": URL,
        }),
        "Thread": _object({
            "id": INT, "title": STR, "body": STR,
            "created_at": {"type": "string", "format": "date-time"},
            "last_activity_at": {"type": "string", "format": "date-time"},
            "reply_count": INT, "closed": BOOL, "answered_at": MOMENT,
            "answered_by_department": named, "process": process_ref, "url": URL,
        }),
        "Proposal": _object({
            "id": INT, "title": STR,
            "status": {"type": "string",
                       "enum": [s.value for s in ProposalStatus if s != ProposalStatus.DRAFT]},
            "category": STR, "problem": STR, "idea": STR, "intended_outcome": STR,
            "indicator": STR, "baseline": STR, "target": STR, "support_count": INT,
            "comment_count": INT, "submitted_at": MOMENT, "answered_at": MOMENT,
            "official_response": _nullable(STR), "measured_value": _nullable(STR),
            "evaluation": _nullable(STR), "district": named, "department": named,
            "process": process_ref, "url": URL,
        }),
        "Shift": _object({
            "id": INT, "offer_id": INT,
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "place": STR, "capacity": INT, "places_taken": INT, "cancelled": BOOL,
        }),
        "Offer": _object({
            "id": INT, "title": STR, "description": STR, "requirements": STR,
            "min_age": _nullable(INT), "place": STR,
            "hour_value_eur": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
            "department": named, "district": named, "process": process_ref,
            "proposal_id": _nullable(INT),
            "shifts": {"type": "array", "items": _ref("Shift")}, "url": URL,
        }),
        "Error": _object({
            "error": _object({"status": INT, "title": STR, "message": STR}),
        }),
    }  # fmt: skip
    for _path, name, _text in RESOURCES:
        found[f"{name}Page"] = _object({
            "items": {"type": "array", "items": _ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "next": _nullable(URL),
            "previous": _nullable(URL),
        })  # fmt: skip
    return found


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _paths() -> dict:
    paths: dict = {}
    for path, name, text in RESOURCES:
        paths[f"/{path}"] = {"get": {
            "operationId": f"list_{path}", "summary": str(text), "tags": [path],
            "parameters": [_ref_parameter("page"), _ref_parameter("per_page")],
            "responses": {"200": _ok(f"{name}Page", "One page of the list"),
                          "400": {"$ref": "#/components/responses/BadRequest"},
                          "429": {"$ref": "#/components/responses/TooManyRequests"}},
        }}  # fmt: skip
        identifier = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        if path == "processes":
            identifier = {"type": "string", "description": "Number or address (slug)"}
        paths[f"/{path}/{{id}}"] = {"get": {
            "operationId": f"get_{path[:-1]}", "summary": str(text), "tags": [path],
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": identifier}],
            "responses": {"200": _ok(name, "The item"),
                          "404": {"$ref": "#/components/responses/NotFound"},
                          "429": {"$ref": "#/components/responses/TooManyRequests"}},
        }}  # fmt: skip
    return paths


def _ref_parameter(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def document(docs_url: str) -> dict:
    """The whole OpenAPI document; ``docs_url`` points to the page for people."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Engage open data",
            "version": "1.0.0",
            "description": (
                "Read-only open data of the participation platform: what the public sees, "
                "without personal data. Lists are paginated; times are ISO 8601 in UTC."
            ),
        },
        "externalDocs": {"url": docs_url},
        "servers": [{"url": "/api/v1"}],
        "paths": _paths(),
        "components": {
            "schemas": schemas(),
            "parameters": {
                "page": {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "description": "Page number, starting at 1",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                },
                "per_page": {
                    "name": "per_page",
                    "in": "query",
                    "required": False,
                    "description": "Items per page",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_PER_PAGE,
                        "default": 20,
                    },
                },
            },  # fmt: skip
            "responses": {
                "BadRequest": _error("A query parameter is missing its form or range"),
                "NotFound": _error("No public item with this identifier"),
                "TooManyRequests": _error("Too many requests in a short time; try again later"),
            },
        },
    }
