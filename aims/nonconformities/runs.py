"""Failed check runs as nonconformities: a failed run opens one about its check (once), and
reruns are noted on it, through the same services as every other change (``services.py``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from aims.checks.models import Check, CheckRun, RunStatus
from aims.trail.models import Action
from aims.trail.services import record

from .models import Nonconformity, RunNote, Severity, Source
from .services import is_member, raise_nonconformity


def _run_description(run: CheckRun) -> str:
    check = run.definition
    verdict = "failed" if run.status == RunStatus.FAILED else "could not run"
    lines = [
        f"The {check.get_kind_display().lower()} check “{check.name}” on {check.system.name} "
        f"{verdict} on {timezone.localtime(run.started_at):%Y-%m-%d %H:%M}."
    ]
    for item in run.threshold_results:
        if item.get("passed", True):
            continue
        op = {"max": "at most", "min": "at least"}.get(item.get("op"), item.get("op", ""))
        lines.append(
            f"- {item.get('metric', '?')} = {item.get('value')}: must be {op} {item.get('limit')}."
        )
    if run.error:
        lines.append(f"Reason: {run.error}")
    return "\n".join(lines)[:10_000]


def nonconformity_of_run(run: CheckRun) -> Nonconformity | None:
    note = RunNote.objects.filter(run=run).select_related("nonconformity").order_by("pk").first()
    return note.nonconformity if note else None


def on_run_recorded(run: CheckRun) -> Nonconformity | None:
    """Hook ``run_recorded``: a failed run opens a nonconformity about its check, once. While
    that nonconformity is not closed, a failing rerun is added to it and a passing rerun is
    noted on it (it does not close it); once closed, a new failure opens a new one.

    The check's row is locked first, so two runs recorded at once never open two."""
    with transaction.atomic():
        check = Check.objects.select_for_update().select_related("system", "organization")
        check = check.get(pk=run.definition_id)
        current = Nonconformity.objects.open().filter(check_definition=check).order_by("pk").first()
        if run.passed:
            if current is not None:
                _note_run(current, run, RunNote.Kind.PASSED)
            return current
        if current is not None:
            _note_run(current, run, RunNote.Kind.FAILED_AGAIN)
            return current
        owner = check.system.owner  # a former member owns nothing here: the field stays empty
        nc = raise_nonconformity(
            check.organization,
            title=f"Check failed: {check.name}"[:200],
            description=_run_description(run),
            source=Source.CHECK,
            severity=Severity.MINOR,
            actor=None,
            owner=owner if owner and is_member(check.organization, owner) else None,
            system=check.system,
            check=check,
            controls=list(check.controls.all()),
        )
        _note_run(nc, run, RunNote.Kind.RAISED)
        return nc


def _note_run(nc: Nonconformity, run: CheckRun, kind: str) -> None:
    if RunNote.objects.filter(nonconformity=nc, run=run).exists():
        return
    note = RunNote.objects.create(nonconformity=nc, run=run, kind=kind)
    if kind != RunNote.Kind.RAISED:
        record(
            nc.organization,
            actor=None,
            instance=nc,
            action=Action.UPDATE,
            changes={"check_runs": [None, {"run": run.pk, "status": run.status}]},
            note=f"{note.get_kind_display()}: run of "
            f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M}.",
        )
