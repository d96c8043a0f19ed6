"""Technical documentation and information for users: every change goes through one function
here, inside a transaction, recorded in the change trail.

Who approves: someone with decision authority (an Owner, an AIMS Manager or top management,
:func:`aims.proposals.services.may_decide`) who did not write the version: no one approves their
own text.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from aims.catalog.models import Control
from aims.checks.models import Check, CheckRun
from aims.core.errors import NeedsAuthority, Refused
from aims.proposals.services import DECIDERS, may_decide
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import Kind, Status, TechnicalDocument

# What a new document addresses unless told otherwise.
DEFAULT_CONTROLS = {Kind.TECHNICAL: ["A.6.2.7"], Kind.USER_INFO: ["A.8.2"]}
OPEN_STATES = (Status.DRAFT, Status.IN_REVIEW)


# --- Evaluation results -----------------------------------------------------------------------


def evaluation_results(system) -> list[dict]:
    """The latest run of each check of ``system``: its status and the value of each metric
    against its limit (two queries)."""
    checks = Check.objects.filter(system=system).prefetch_related(
        Prefetch("runs", queryset=CheckRun.objects.order_by("-started_at", "-pk"))
    )
    results = []
    for check in checks.order_by("name", "pk"):
        runs = list(check.runs.all()[:1])
        if not runs:
            continue
        run = runs[0]
        results.append(
            {
                "check": check.name,
                "check_id": check.pk,
                "kind": check.get_kind_display(),
                "run_id": run.pk,
                "status": run.get_status_display(),
                "passed": run.passed,
                "date": timezone.localtime(run.started_at).date().isoformat(),
                "metrics": [
                    {
                        "metric": str(t.get("metric", "")),
                        "value": t.get("value"),
                        "op": "≤" if t.get("op") == "max" else "≥",
                        "limit": t.get("limit"),
                        "passed": bool(t.get("passed")),
                    }
                    for t in (run.result or {}).get("thresholds", [])
                    if isinstance(t, dict)
                ],
            }
        )
    return results


# --- Queries the gates and pages share --------------------------------------------------------


def current_documentation(system) -> TechnicalDocument | None:
    """The approved technical documentation written for the system's present version."""
    return (
        TechnicalDocument.objects.approved()
        .filter(system=system, kind=Kind.TECHNICAL, system_version=system.version)
        .order_by("-number")
        .first()
    )


def latest_approved(system, kind: str = Kind.TECHNICAL) -> TechnicalDocument | None:
    return (
        TechnicalDocument.objects.approved()
        .filter(system=system, kind=kind)
        .order_by("-number")
        .first()
    )


def open_version(system, kind: str, *, exclude_pk=None) -> TechnicalDocument | None:
    """The draft or version in review of this system and kind, if any (one at a time)."""
    return (
        TechnicalDocument.objects.filter(system=system, kind=kind, status__in=OPEN_STATES)
        .exclude(pk=exclude_pk)
        .first()
    )


# --- Drafts -----------------------------------------------------------------------------------


def _validate(document: TechnicalDocument, datasets) -> None:
    errors = {}
    system = document.system
    if system.organization_id != document.organization_id:
        errors["system"] = "The AI system must belong to this organization."
    if datasets is not None and any(
        d.organization_id != document.organization_id for d in datasets
    ):
        errors["training_datasets"] = "Data sets must belong to this organization."
    if document.published_since and document.published_since > timezone.localdate():
        errors["published_since"] = "Give a date from the past or today."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_draft(
    document: TechnicalDocument,
    *,
    actor,
    datasets=None,
    clauses=None,
    controls=None,
) -> TechnicalDocument:
    """Create or change a draft. An approved, superseded or in-review version is refused: a new
    version is started from it instead (:func:`new_version`)."""
    creating = document.pk is None
    if not creating:
        stored = TechnicalDocument.objects.select_for_update().get(pk=document.pk)
        if stored.status != Status.DRAFT:
            raise Refused(
                f"Version {stored.number} is {stored.get_status_display().lower()}: only a draft "
                "is edited. "
                + (
                    "Start a new version from it."
                    if stored.status in (Status.APPROVED, Status.SUPERSEDED)
                    else "Send it back to draft first."
                )
            )
        if stored.system_id != document.system_id or stored.kind != document.kind:
            raise ValidationError({"system": "A version keeps its system and kind."})
    _validate(document, datasets)
    if creating:
        waiting = open_version(document.system, document.kind)
        if waiting is not None:
            raise Refused(
                f"{waiting} is still {waiting.get_status_display().lower()}: finish it before "
                "starting another."
            )
        found = TechnicalDocument.objects.filter(system=document.system, kind=document.kind)
        document.number = (found.aggregate(n=Max("number"))["n"] or 0) + 1
        document.status = Status.DRAFT
        document.author = actor if getattr(actor, "pk", None) else None
    if not document.system_version.strip():
        document.system_version = document.system.version
    m2m = {}
    if datasets is not None:
        m2m["training_datasets"] = datasets
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    elif creating:
        m2m["controls"] = list(Control.objects.filter(ref__in=DEFAULT_CONTROLS[document.kind]))
    return save_governed(document, actor=actor, m2m=m2m)


@transaction.atomic
def delete_draft(document: TechnicalDocument, *, actor) -> None:
    """Delete a draft; any version once submitted stays in the record."""
    document = _locked(document)
    if document.status != Status.DRAFT:
        raise Refused(
            f"Version {document.number} is {document.get_status_display().lower()}: only a "
            "draft is deleted; the others stay for audits."
        )
    delete_governed(document, actor=actor)


# --- Transitions ------------------------------------------------------------------------------


def _locked(document: TechnicalDocument) -> TechnicalDocument:
    return (
        TechnicalDocument.objects.select_for_update()
        .select_related("system", "organization")
        .get(pk=document.pk)
    )


def _transition(document: TechnicalDocument, *, actor, to: str, note: str, action=None) -> None:
    before = document.status
    document.status = to
    document.save()
    record(
        document.organization,
        actor=actor,
        instance=document,
        action=action or Action.TRANSITION,
        changes={"status": [before, str(to)]},
        note=note,
    )


def submission_gaps(document: TechnicalDocument) -> dict[str, str]:
    """What a version needs before review, by field."""
    if document.is_technical:
        if not document.general_description.strip():
            return {"general_description": "Describe the system and its intended purpose first."}
        return {}
    gaps = {}
    if not document.audience:
        gaps["audience"] = "Say whom the information is for."
    if not document.user_text.strip() and not document.published_url:
        gaps["user_text"] = "Write the information, or give the address where it is published."
    if not document.channel.strip():
        gaps["channel"] = "Say how it reaches them: website, app, letter …"
    return gaps


@transaction.atomic
def submit_for_review(document: TechnicalDocument, *, actor, at=None) -> TechnicalDocument:
    """Send a draft to review; it no longer changes until a reviewer sends it back."""
    document = _locked(document)
    if document.status != Status.DRAFT:
        raise Refused(
            f"Version {document.number} is {document.get_status_display().lower()}: only a "
            "draft is submitted for review."
        )
    gaps = submission_gaps(document)
    if gaps:
        raise ValidationError(gaps)
    document.submitted_at, document.submitted_by = at or timezone.now(), actor
    _transition(document, actor=actor, to=Status.IN_REVIEW, note="Submitted for review.")
    return document


def approval_refusal(document: TechnicalDocument, user) -> str:
    """Why ``user`` may not approve this version (empty when they may): the page shows it
    instead of the button."""
    if not may_decide(document.organization, user):
        return f"Approval needs {DECIDERS}."
    if document.author_id is not None and document.author_id == getattr(user, "pk", None):
        return (
            f"You wrote version {document.number}: someone else with authority approves it "
            "(no one approves their own text)."
        )
    return ""


@transaction.atomic
def approve(document: TechnicalDocument, *, actor, at: dt.datetime | None = None):
    """Approve a version in review: the evaluation results of the system's checks are fixed
    into it, and the version approved before it (same system and kind) is superseded."""
    document = _locked(document)
    if document.status != Status.IN_REVIEW:
        reasons = {
            Status.DRAFT: "is a draft: submit it for review first",
            Status.APPROVED: "is approved already",
            Status.SUPERSEDED: "is superseded by a later approved version",
        }
        raise Refused(
            f"Version {document.number} {reasons[Status(document.status)]}; only a version in "
            "review is approved."
        )
    reason = approval_refusal(document, actor)
    if reason:
        raise NeedsAuthority(reason)
    at = at or timezone.now()
    for previous in TechnicalDocument.objects.select_for_update().filter(
        system_id=document.system_id, kind=document.kind, status=Status.APPROVED
    ):
        previous.superseded_at = at
        _transition(
            previous,
            actor=actor,
            to=Status.SUPERSEDED,
            note=f"Superseded by version {document.number}.",
        )
    if document.is_technical:
        document.evaluation_results = evaluation_results(document.system)
    document.approved_at, document.approved_by = at, actor
    _transition(document, actor=actor, to=Status.APPROVED, action=Action.DECISION, note="Approved.")
    return document


@transaction.atomic
def send_back(document: TechnicalDocument, *, actor, reason: str = "") -> TechnicalDocument:
    """Return a version in review to draft, for its author to change."""
    document = _locked(document)
    if document.status != Status.IN_REVIEW:
        raise Refused(f"Version {document.number} is not in review.")
    if not may_decide(document.organization, actor):
        raise NeedsAuthority(f"Sending a version back needs {DECIDERS}.")
    document.submitted_at, document.submitted_by = None, None
    _transition(
        document,
        actor=actor,
        to=Status.DRAFT,
        note=(reason or "").replace("\x00", "").strip()[:500] or "Sent back to draft.",
    )
    return document


COPIED = (
    "title",
    "general_description",
    "architecture",
    "training_data",
    "evaluation",
    "limitations",
    "oversight",
    "logging",
    "robustness",
    "lifecycle_changes",
    "audience",
    "user_text",
    "published_url",
    "channel",
    "published_since",
)


@transaction.atomic
def new_version(document: TechnicalDocument, *, actor, change_note: str = "") -> TechnicalDocument:
    """Start a draft from an approved or superseded version, for the system's present version;
    its text, data sets and requirements are copied."""
    document = _locked(document)
    if document.status not in (Status.APPROVED, Status.SUPERSEDED):
        raise Refused(
            f"Version {document.number} is {document.get_status_display().lower()}: edit it "
            "instead of starting another."
        )
    draft = TechnicalDocument(
        organization=document.organization,
        system=document.system,
        kind=document.kind,
        system_version=document.system.version,
        change_note=(change_note or "").replace("\x00", "")[:500],
        **{name: getattr(document, name) for name in COPIED},
    )
    return save_draft(
        draft,
        actor=actor,
        datasets=list(document.training_datasets.all()),
        clauses=list(document.clauses.all()),
        controls=list(document.controls.all()),
    )
