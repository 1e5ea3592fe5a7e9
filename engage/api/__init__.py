"""Open data: a read-only JSON API of everything the public sees, without personal data."""

from __future__ import annotations

from flask import Flask, request

API_PREFIX = "/api/v1/"


def init_app(app: Flask) -> None:
    """Open the API to every origin and let caches keep answers for a minute."""

    @app.after_request
    def open_data_headers(response):
        if request.path.startswith(API_PREFIX):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers.setdefault("Cache-Control", "public, max-age=60")
            response.vary.add("Accept-Language")
        return response
