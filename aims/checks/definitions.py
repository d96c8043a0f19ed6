"""Check definitions: saving one after checking its source, options and limits; deleting
one; finding the check a run posted by the ML pipeline belongs to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import aims.metrics as metrics
from aims.metrics import thresholds as th
from aims.trail.services import delete_governed, save_governed

from .columns import column_problems
from .kinds import kind_of
from .models import Check, Kind, Schedule, SourceType, stored_options
from .sources import resolve_data_path


def definition_problems(check: Check) -> dict[str, str]:
    """Everything wrong with a check definition, by field: its system, source, options (every
    column they name must be in the data file) and limits. Empty when it can be saved."""
    errors: dict[str, str] = {}
    if check.system.organization_id != check.organization_id:
        errors["system"] = "The AI system must belong to this organization."
    if check.source_type == SourceType.UPLOAD and check.data_blob_id is None:
        errors["data_file"] = "Upload the data file the check runs on."
    if check.source_type == SourceType.PATH:
        try:
            resolve_data_path(check.data_path)
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if check.kind in Kind.values:
        errors.update(kind_of(check).problems(check))
        if not errors.keys() & {"data_file", "data_path"}:
            # Every column the options name must be in the data file (read from its schema).
            errors.update(column_problems(check, kind_of(check).named_columns(check)))
    else:
        errors["kind"] = f"Choose one of: {', '.join(Kind.values)}."
    wrong = []
    for item in check.thresholds or []:
        try:
            th.Threshold.from_dict(item, kind=check.kind)
        except (KeyError, TypeError, ValueError, metrics.InputError) as exc:
            wrong.append(f"Threshold {item!r} is not valid: {exc}.")
    if wrong:
        errors["thresholds"] = " ".join(wrong)
    return errors


@transaction.atomic
def save_check(check: Check, *, actor, controls=None, risks=None) -> Check:
    """Create or update a check definition, after checking its source, options and limits
    (every problem at once: :func:`definition_problems`)."""
    errors = definition_problems(check)
    if risks is not None and any(r.organization_id != check.organization_id for r in risks):
        errors["risks"] = "Risks must belong to this organization."
    if errors:
        raise ValidationError(errors)
    check.options = stored_options(check.options or {})
    if check.schedule != Schedule.MANUAL and check.next_run_at is None:
        check.next_run_at = timezone.now()
    if check.schedule == Schedule.MANUAL:
        check.next_run_at = None
    if check.created_by_id is None and getattr(actor, "pk", None):
        check.created_by = actor
    m2m = {}
    if controls is not None:
        m2m["controls"] = controls
    if risks is not None:
        m2m["risks"] = risks
    return save_governed(check, actor=actor, m2m=m2m)


@transaction.atomic
def delete_check(check: Check, *, actor) -> None:
    """Delete a check that never ran; the runs of one that did are evidence, so it stays."""
    if check.runs.exists():
        raise ValidationError(
            "This check has runs, which are evidence: it cannot be deleted. "
            "Untick “Active” to stop it instead."
        )
    delete_governed(check, actor=actor)


def check_for_pipeline_run(system, kind: str, check_id: int | None = None) -> Check:
    """The check a run posted by the ML pipeline belongs to: the system's check of that kind
    named by ``check_id``, or else its only active check of that kind (whose thresholds apply)."""
    candidates = Check.objects.for_org(system.organization).filter(system=system, kind=kind)
    if check_id is not None:
        check = candidates.filter(pk=check_id).first()
        if check is None:
            raise ValidationError(
                {"check": f"{system.slug} has no {kind} check with id {check_id}."}
            )
        return check
    active = list(candidates.filter(is_active=True)[:2])
    if not active:
        raise ValidationError(
            {
                "kind": f"{system.slug} has no active {kind} check: define one in OpenAIMS "
                "first (its thresholds are the ones that apply)."
            }
        )
    if len(active) > 1:
        raise ValidationError(
            {"check": f"{system.slug} has several active {kind} checks; name one with --check."}
        )
    return active[0]
