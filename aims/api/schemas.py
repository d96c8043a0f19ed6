"""The API's building blocks for typed input and output; each area's schemas live in its api.py.

Field names follow the models, so errors name them alike. Related records are named the way
people name them: users by username, AI systems by slug, risks by ref (``R-001``), Annex A
controls by id (``A.6.2.4``), clauses by number (``6.1.2``), risk sources by id (``C.3.4``).
"""

import datetime as dt
from typing import Annotated, Any, get_args

from django.db.models import TextChoices
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from aims.core.forms import NAME_MAX_LENGTH
from aims.organizations.models import Role


def api_choices(name: str, choices: type[TextChoices]) -> type[TextChoices]:
    """A model's choices under a name of their own in the OpenAPI document.

    Components are named after the Python class, so two model enums both called ``Kind``
    would share ``#/components/schemas/Kind`` and one would silently replace the other.
    """
    return TextChoices(name, [(member.name, (member.value, member.label)) for member in choices])


NULL_CHARACTER = "Remove the null character; it cannot be stored."


def _refuse_null(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("null_character", NULL_CHARACTER)
    return value


def _refuse_null_inside(value: Any) -> Any:
    """The same for every key and text inside a JSON value (statistics, reports)."""
    if isinstance(value, str):
        _refuse_null(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_null_inside(key)
            _refuse_null_inside(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_null_inside(item)
    return value


def bounded_text(max_length: int) -> Any:
    """Text of at most ``max_length`` characters with no null character."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_refuse_null)]


def text_of(model, field_name: str) -> Any:
    """The API type of a model's text field: as long as its column allows, no null character."""
    max_length = model._meta.get_field(field_name).max_length
    if not max_length:
        raise ValueError(f"{model.__name__}.{field_name} has no maximum length")
    return bounded_text(max_length)


# Identifiers people send (usernames, slugs, refs, column names) and search words.
Name = bounded_text(NAME_MAX_LENGTH)
JsonObject = Annotated[dict[str, Any], AfterValidator(_refuse_null_inside)]


def _moment(annotation) -> str | None:
    """``datetime`` or ``date`` when a field's type is (or may be) one, else None."""
    if annotation is dt.datetime:
        return "datetime"
    if annotation is dt.date:
        return "date"
    return next(filter(None, map(_moment, get_args(annotation))), None)


class InputSchema(Schema):
    """Input: a field the operation does not know is an error, not silently dropped; a date or
    a time is text (``2026-12-04``, ``2026-12-04T09:30:00Z``), never a number pydantic would
    read as seconds since 1970."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _moments_as_text(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, str | dt.date) or info.field_name is None:
            return value
        kind = _moment(cls.model_fields[info.field_name].annotation)
        if kind is not None:  # the API's errors say it in words: "Enter a date as YYYY-MM-DD."
            raise PydanticCustomError(f"{kind}_type", "Give the {kind} as text.", {"kind": kind})
        return value


def username_of(user) -> str | None:
    return user.get_username() if user is not None else None


# --- me ---------------------------------------------------------------------------------------


class OrganizationOut(Schema):
    slug: str
    name: str


class UserOut(Schema):
    username: str
    full_name: str
    email: str

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.get_full_name()


class MeOut(Schema):
    user: UserOut
    organization: OrganizationOut
    role: Role
    role_label: str
    is_top_management: bool
    token_name: str
    can: list[str] = Field(description="The access levels this token has: read, contribute, …")
