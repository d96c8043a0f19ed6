"""Turn the identifiers clients send (usernames, slugs, refs) into records of the organization.

Each lookup adds a field error to ``errors`` instead of raising, so one response can name every
problem. A record of another organization is reported as unknown, exactly like a missing one.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import ValidationError

from aims.core.areas import areas
from aims.organizations.models import Membership

from .errors import InvalidInput

# The largest id a record can have (a 64-bit integer column); larger numbers name no record.
MAX_ID = 2**63 - 1


class Errors(dict):
    """Field name -> messages, raised as one 422."""

    def add(self, field: str | None, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_with(self, exc: ValidationError) -> None:
        """Add a service's refusal (by field, or about the whole record) to those found so far,
        and raise them all."""
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add(None if field == "__all__" else field, message)
        else:
            for message in exc.messages:
                self.add(None, message)
        self.raise_if_any()

    def raise_if_any(self) -> None:
        if self:
            raise InvalidInput(dict(self))


def numbered(queryset, numbers, *, field: str, errors: Errors, what: str) -> list:
    """The records of ``queryset`` with these ids, in the order given, once each; each unknown
    id (or one too large to be an id) is an error on ``field``: "Unknown data set: 7."."""
    numbers = list(dict.fromkeys(numbers or []))
    found = queryset.in_bulk([n for n in numbers if 0 < n <= MAX_ID])
    unknown = [str(n) for n in numbers if n not in found]
    if unknown:
        errors.add(field, f"Unknown {what}: " + ", ".join(unknown) + ".")
    return [found[n] for n in numbers if n in found]


def member(org, username: str | None, *, field: str, errors: Errors):
    """The user with this username if they are a member of ``org``; None clears the field."""
    if username is None or username == "":
        return None
    membership = (
        Membership.objects.select_related("user")
        .filter(organization=org, user__username=username)
        .first()
    )
    if membership is None:
        errors.add(field, f"No member of this organization has the username “{username}”.")
        return None
    return membership.user


def many(queryset, key: str, values, *, field: str, errors: Errors, what: str) -> list:
    """The records of ``queryset`` whose ``key`` (``"slug"``, ``"control__ref"``) is one of
    ``values``, in the order named; each unknown value is one error on ``field``."""
    values = [v for v in dict.fromkeys(values or [])]  # keep order, drop repeats
    read = attrgetter(key.replace("__", "."))
    found = {read(obj): obj for obj in queryset.filter(**{f"{key}__in": values})}
    unknown = [v for v in values if v not in found]
    if unknown:
        errors.add(field, f"Unknown {what}: " + ", ".join(unknown) + ".")
    return [found[v] for v in values if v in found]


TEXT_FIELDS = {"CharField", "TextField", "URLField", "SlugField"}


def apply(instance, data: dict, *, skip=()) -> None:
    """Copy plain field values onto a model instance; None empties a blank text field."""
    for name, value in data.items():
        if name in skip:
            continue
        field = instance._meta.get_field(name)
        blank_text = field.blank and not field.null and field.get_internal_type() in TEXT_FIELDS
        setattr(instance, name, "" if value is None and blank_text else value)


def clean(instance, *, exclude=(), errors: Errors | None = None) -> None:
    """Model field validation (required, lengths, choices, URLs) before the service runs.

    A field that already has an error (from a lookup or a service check) is not checked again.
    """
    errors = errors if errors is not None else Errors()
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            errors.add(field.name, "Remove the null character; it cannot be stored.")
    try:
        instance.full_clean(
            exclude=[*exclude, *(f for f in errors if f)],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any()


def names_a_missing_record(request) -> bool:
    """Whether the URL names a record that is not in the token's organization.

    Input is validated before the operation runs; this lets an invalid body sent to another
    organization's record still answer 404, as a valid one does, so nothing is revealed.
    """
    org = getattr(request, "org", None)
    match = getattr(request, "resolver_match", None)
    if org is None or match is None:
        return False
    path_records = {
        name: exists for area in areas() for name, exists in area.api_path_records.items()
    }
    for name, value in match.kwargs.items():
        exists = path_records.get(name)
        if exists is None:
            continue
        if "\x00" in str(value) or not exists(org, value):
            return True  # no record's id holds a null character (PostgreSQL refuses to look)
    return False
