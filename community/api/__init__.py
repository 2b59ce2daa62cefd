"""The JSON API at ``/api/v1`` with personal tokens and an OpenAPI document
(``/api/v1/openapi.json``, browsable at ``/api/v1/docs``)."""

from __future__ import annotations

from flask import Flask
from flask_smorest.spec.plugins import integerconverter2paramschema

from community.api import receivers, resources  # noqa: F401 - routes and signal receivers
from community.api.core import api
from community.api.core import bp as api_bp
from community.api.views import bp
from community.database import RowIdConverter

__all__ = ["bp", "init_api"]


def init_api(app: Flask) -> None:
    """Mount the API and its OpenAPI document on ``app``."""
    api.init_app(app)
    api.register_converter(RowIdConverter, integerconverter2paramschema)
    api.spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal API token"}
    )
    api.spec.options["security"] = [{"token": []}, {}]
    api.register_blueprint(api_bp)
