"""Model fields the areas share."""

from __future__ import annotations

import json

from django.core.validators import MaxLengthValidator
from django.db import models


class DocumentField(models.JSONField):
    """A JSON document kept as it was written, the order of its keys included.

    PostgreSQL's ``jsonb`` stores an object's keys sorted (shortest first), so a check run's
    groups, metrics and rules would come back in another order than the engine wrote them. On
    PostgreSQL this field is a ``json`` column instead, which keeps the text as sent; SQLite keeps
    the text already. ``json`` columns cannot be compared or indexed: nothing filters on, sorts by
    or groups by a document.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql" or hasattr(value, "as_sql"):
            return super().get_db_prep_value(value, connection, prepared)
        from psycopg.types.json import Json

        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        encoder = self.encoder
        return Json(value, dumps=lambda data: json.dumps(data, cls=encoder))

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # a json column, decoded by the driver (keys in their order)
        return super().from_db_value(value, expression, connection)


def text_field(max_length: int, verbose_name: str | None = None, **kwargs) -> models.TextField:
    """A free-text field bounded at ``max_length`` characters (in forms, the API and on save),
    blank unless ``blank=False`` is given."""
    kwargs.setdefault("blank", True)
    return models.TextField(
        verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )
