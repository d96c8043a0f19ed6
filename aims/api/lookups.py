"""Turn the identifiers clients send (usernames, slugs, refs) into records of the organization.

Each lookup adds a field error to ``errors`` instead of raising, so one response can name every
problem. A record of another organization is reported as unknown, exactly like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from aims.catalog.models import Clause, Control, RiskSource
from aims.checks.models import Check, CheckRun
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem
from aims.organizations.models import Membership
from aims.risk.models import Risk
from aims.soa.models import SoAEntry

from .errors import InvalidInput


class Errors(dict):
    """Field name -> messages, raised as one 422."""

    def add(self, field: str | None, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise InvalidInput(dict(self))


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


def _many(queryset, key: str, values, *, field: str, errors: Errors, what: str) -> list:
    values = [v for v in dict.fromkeys(values or [])]  # keep order, drop repeats
    found = {getattr(obj, key): obj for obj in queryset.filter(**{f"{key}__in": values})}
    unknown = [v for v in values if v not in found]
    if unknown:
        errors.add(field, f"Unknown {what}: " + ", ".join(unknown) + ".")
    return [found[v] for v in values if v in found]


def systems(org, slugs, *, field: str = "systems", errors: Errors) -> list[AISystem]:
    return _many(
        AISystem.objects.for_org(org), "slug", slugs, field=field, errors=errors, what="AI system"
    )


def risks(org, refs, *, field: str = "risks", errors: Errors) -> list[Risk]:
    return _many(Risk.objects.for_org(org), "ref", refs, field=field, errors=errors, what="risk")


def controls(refs, *, field: str = "controls", errors: Errors) -> list[Control]:
    return _many(
        Control.objects.all(), "ref", refs, field=field, errors=errors, what="Annex A control"
    )


def clauses(refs, *, field: str = "clauses", errors: Errors) -> list[Clause]:
    return _many(Clause.objects.all(), "ref", refs, field=field, errors=errors, what="clause")


def soa_entries(org, control_refs, *, field: str = "soa_entries", errors: Errors):
    entries = SoAEntry.objects.for_org(org).select_related("control")
    values = list(dict.fromkeys(control_refs or []))
    found = {e.control.ref: e for e in entries.filter(control__ref__in=values)}
    unknown = [v for v in values if v not in found]
    if unknown:
        errors.add(field, "Unknown Annex A control: " + ", ".join(unknown) + ".")
    return [found[v] for v in values if v in found]


def risk_source(ref: str | None, *, field: str = "source", errors: Errors):
    if not ref:
        return None
    source = RiskSource.objects.filter(ref=ref).first()
    if source is None:
        errors.add(field, f"Unknown risk source “{ref}”; use an id from Annex C.3 like C.3.4.")
    return source


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


def _evidence_exists(org, value) -> bool:
    return str(value).isdigit() and Evidence.objects.for_org(org).filter(pk=int(value)).exists()


# The record each path parameter names, so "not found" can be told before "invalid input".
PATH_RECORDS = {
    "slug": lambda org, v: AISystem.objects.for_org(org).filter(slug=v).exists(),
    "ref": lambda org, v: Risk.objects.for_org(org).filter(ref=v).exists(),
    "control_ref": lambda org, v: SoAEntry.objects.for_org(org).filter(control__ref=v).exists(),
    "evidence_id": _evidence_exists,
    "check_id": lambda org, v: (
        str(v).isdigit() and Check.objects.for_org(org).filter(pk=v).exists()
    ),
    "run_id": lambda org, v: (
        str(v).isdigit() and CheckRun.objects.for_org(org).filter(pk=v).exists()
    ),
}


def names_a_missing_record(request) -> bool:
    """Whether the URL names a record that is not in the token's organization.

    Input is validated before the operation runs; this lets an invalid body sent to another
    organization's record still answer 404, as a valid one does, so nothing is revealed.
    """
    org = getattr(request, "org", None)
    match = getattr(request, "resolver_match", None)
    if org is None or match is None:
        return False
    for name, value in match.kwargs.items():
        exists = PATH_RECORDS.get(name)
        if exists is None:
            continue
        if "\x00" in str(value) or not exists(org, value):
            return True  # no record's id holds a null character (PostgreSQL refuses to look)
    return False
