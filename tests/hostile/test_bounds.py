"""Every number the app takes from outside fits the database, found by walking what the app
declares: every form, every argument schema, every socket payload. (PostgreSQL refuses a whole
number past 32 bits in a query; SQLite takes it, so only a check like this one, or the walk's
guard, catches it before production does.)"""

from __future__ import annotations

import ast
from pathlib import Path

import marshmallow as ma
from flask_wtf import FlaskForm
from wtforms import DecimalField, FloatField, IntegerField, RadioField, SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import NumberRange

import community
from community.database import ID_MAX
from community.extensions import socketio
from community.web.args import Day, Month, Whole
from community.web.forms import IdField

INT32 = range(-(2**31), 2**31)


def subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


def app_forms() -> list[type]:
    return [f for f in subclasses(FlaskForm) if f.__module__.startswith("community.")]


def unbound_fields(form_class: type) -> list[tuple[str, UnboundField]]:
    return [
        (name, value)
        for name in dir(form_class)
        if isinstance(value := getattr(form_class, name, None), UnboundField)
    ]


def test_every_number_in_a_form_fits_the_database(app):
    forms = app_forms()
    assert len(forms) > 40
    unbounded = []
    for form_class in forms:
        for name, field in unbound_fields(form_class):
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            kind = field.field_class
            if issubclass(kind, IntegerField | DecimalField | FloatField):
                if issubclass(kind, IdField):
                    continue
                validators = field.kwargs.get("validators") or (field.args[1:2] or [[]])[0]
                ranges = [v for v in validators if isinstance(v, NumberRange)]
                if not any(r.min in INT32 and r.max in INT32 for r in ranges):
                    unbounded.append(where)
            elif (
                issubclass(kind, SelectFieldBase | RadioField) and field.kwargs.get("coerce") is int
            ):
                unbounded.append(f"{where} (coerce=int: use community.web.forms.row_id)")
    assert unbounded == []


def argument_schemas() -> list[ma.Schema]:
    schemas = [
        cls()
        for entries in ma.class_registry._registry.values()
        for cls in entries
        if cls.__name__.endswith("Args") and cls.__module__.startswith("community.")
    ]
    for namespace in socketio.server.namespace_handlers.values():
        schemas += [getattr(namespace, f"on_{event}").payload_schema for event in namespace.events]
    return schemas


def test_every_argument_and_payload_field_is_bounded(app):
    schemas = argument_schemas()
    assert len(schemas) > 20
    loose = []
    for schema in schemas:
        for name, field in schema.fields.items():
            inner = getattr(field, "inner", field)  # a list's items
            where = f"{type(schema).__name__}.{name}"
            if isinstance(inner, ma.fields.Number) and not isinstance(inner, Whole):
                loose.append(f"{where}: a number without community.web.args bounds")
            if isinstance(inner, Whole) and not (inner.minimum in INT32 and inner.maximum in INT32):
                loose.append(f"{where}: past 32 bits")
            if isinstance(inner, ma.fields.Date | ma.fields.DateTime) and not isinstance(
                inner, Day | Month
            ):
                loose.append(f"{where}: a date without community.web.args bounds")
    assert loose == []
    assert ID_MAX in INT32


def test_views_read_query_numbers_through_community_args():
    """``request.args.get(…, type=int)`` turns "99999999999999999999" into a number no
    column holds: query arguments go through a ``community.web.args`` schema instead."""
    root = Path(community.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"get", "getlist"}
                and any(k.arg == "type" for k in node.keywords)
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
