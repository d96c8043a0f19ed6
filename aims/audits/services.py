"""The internal audit programme: every change goes through one function here, in one
transaction, on the change trail. Pages, the API and the demo all call these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause
from aims.core.errors import Refused
from aims.improvement.models import Source as ImprovementSource
from aims.improvement.services import add_improvement
from aims.nonconformities.models import Severity
from aims.nonconformities.models import Source as NonconformitySource
from aims.nonconformities.services import raise_nonconformity
from aims.organizations.models import Membership, Organization
from aims.soa.models import SoAEntry
from aims.trail.services import delete_governed, save_governed

from . import independence
from .coverage import requirement_clauses
from .models import (
    NONCONFORMITIES,
    Audit,
    AuditProgramme,
    AuditStatus,
    ChecklistItem,
    Result,
)
from .questions import as_text


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _members(organization, users) -> set[int]:
    ids = {u.pk for u in users if u is not None}
    return set(
        Membership.objects.filter(organization=organization, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )


# --- Programmes --------------------------------------------------------------------------------


@transaction.atomic
def save_programme(programme: AuditProgramme, *, actor) -> AuditProgramme:
    """Create or update a programme. Refused: a cycle that ends before it starts, an owner who
    is not a member, a cycle that no longer holds the planned dates of its audits."""
    errors = {}
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        errors["ends_on"] = "The cycle cannot end before it starts."
    if programme.owner_id and not _members(programme.organization, [programme.owner]):
        errors["owner"] = "Choose a member of this organization."
    if programme.pk and not errors:
        outside = (
            Audit.objects.filter(programme=programme)
            .exclude(status=AuditStatus.CANCELLED)
            .exclude(planned_start__gte=programme.starts_on, planned_end__lte=programme.ends_on)
            .order_by("planned_start")
        )
        refs = [a.ref for a in outside[:5]]
        if refs:
            errors["starts_on"] = (
                f"Audits {', '.join(refs)} are planned outside these dates: move them first, "
                "or keep a cycle that holds them."
            )
    if errors:
        raise ValidationError(errors)
    if programme.pk is None and programme.created_by_id is None:
        programme.created_by = _user(actor)
    return save_governed(programme, actor=actor)


def programme_deletion_refusal(programme: AuditProgramme) -> str | None:
    audits = Audit.objects.filter(programme=programme)
    if audits.filter(started_on__isnull=False).exists():
        return (
            "Audits of this programme were carried out: the programme and its results are "
            "governed history and stay."
        )
    if ChecklistItem.objects.filter(audit__programme=programme).answered().exists():
        return "Results were recorded in audits of this programme: it stays."
    return None


@transaction.atomic
def delete_programme(programme: AuditProgramme, *, actor) -> None:
    """Delete a programme recorded by mistake, with its audits that never started."""
    reason = programme_deletion_refusal(programme)
    if reason:
        raise Refused(reason)
    for audit in Audit.objects.filter(programme=programme):
        audit.organization = programme.organization
        delete_governed(audit, actor=actor, note="Its programme was deleted.")
    delete_governed(programme, actor=actor, note="Recorded by mistake.")


# --- Audits ------------------------------------------------------------------------------------


def next_ref(organization) -> str:
    refs = Audit.objects.filter(organization=organization).values_list("ref", flat=True)
    numbers = [int(r[4:]) for r in refs if r.startswith("AUD-") and r[4:].isdigit()]
    return f"AUD-{(max(numbers, default=0) + 1):03d}"


def requirement_leaves(clauses) -> list[Clause]:
    """The clauses that carry requirements among ``clauses``: a clause with sub-clauses stands
    for all of them ("9.2" is 9.2.1 and 9.2.2)."""
    refs = {c.ref for c in clauses}
    if not refs:
        return []
    return [
        leaf
        for leaf in requirement_clauses()
        if any(leaf.ref == r or leaf.ref.startswith(r + ".") for r in refs)
    ]


def _check_audit(audit: Audit, *, team, systems) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    org = audit.organization
    if audit.programme_id and audit.programme.organization_id != org.pk:
        add("programme", "Choose a programme of this organization.")
    start, end = audit.planned_start, audit.planned_end
    if start and end and end < start:
        add("planned_end", "The audit cannot end before it starts.")
    programme = audit.programme if audit.programme_id else None
    if programme is not None and "programme" not in errors:
        cycle = f"{programme.starts_on:%Y-%m-%d} to {programme.ends_on:%Y-%m-%d}"
        if start and not programme.includes(start):
            add("planned_start", f"Plan it within the programme's cycle: {cycle}.")
        if end and not programme.includes(end):
            add("planned_end", f"Plan it within the programme's cycle: {cycle}.")
    people = [audit.lead_auditor] if audit.lead_auditor_id else []
    members = _members(org, [*people, *team])
    if audit.lead_auditor_id and audit.lead_auditor_id not in members:
        add("lead_auditor", "Choose a member of this organization.")
    if any(user.pk not in members for user in team):
        add("team", "Choose members of this organization.")
    if any(system.organization_id != org.pk for system in systems):
        add("systems", "Choose AI systems of this organization.")
    return errors


def _sync_checklist(audit: Audit, clauses, controls) -> None:
    """One checklist item per clause and control in scope, in the standard's order: new ones
    get their questions; those no longer in scope go, if nothing was recorded on them."""
    items = list(audit.items.select_related("clause", "control"))
    wanted_clauses = {c.pk: c for c in clauses}
    wanted_controls = {c.pk: c for c in controls}
    dropped = [
        item
        for item in items
        if (item.clause_id and item.clause_id not in wanted_clauses)
        or (item.control_id and item.control_id not in wanted_controls)
    ]
    kept = [item for item in dropped if item.result or item.nonconformity_id]
    if kept:
        refs = ", ".join(item.ref for item in kept)
        field = "clauses" if any(item.clause_id for item in kept) else "controls"
        raise ValidationError(
            {
                field: f"Results are recorded for {refs}: keep them in scope, or clear the results "
                "first."
            }
        )
    ChecklistItem.objects.filter(pk__in=[item.pk for item in dropped]).delete()
    have_clauses = {i.clause_id for i in items if i.clause_id}
    have_controls = {i.control_id for i in items if i.control_id}
    new = [
        ChecklistItem(audit=audit, clause=c, questions=as_text(c.ref))
        for c in clauses
        if c.pk not in have_clauses
    ] + [
        ChecklistItem(audit=audit, control=c, questions=as_text(c.ref))
        for c in controls
        if c.pk not in have_controls
    ]
    ChecklistItem.objects.bulk_create(new)
    # Clauses first, then controls, each in the standard's order.
    ordered = sorted(
        audit.items.select_related("clause", "control"),
        key=lambda i: (0, i.clause.position) if i.clause_id else (1, i.control.position),
    )
    for position, item in enumerate(ordered, start=1):
        item.position = position
    ChecklistItem.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def save_audit(
    audit: Audit, *, actor, team=None, clauses=None, controls=None, systems=None
) -> Audit:
    """Create or update an audit (planned or in progress) and its checklist.

    ``team``, ``clauses``, ``controls`` and ``systems`` replace what the audit has (None keeps
    it). Refused, by field: dates outside the programme's cycle or in the wrong order, auditors
    who are not members, an auditor in conflict with the scope (:mod:`.independence`), a
    clause or control dropped from scope with a result recorded on it. A completed or
    cancelled audit does not change.
    """
    if audit.pk is not None:
        stored = Audit.objects.select_for_update().get(pk=audit.pk)
        if not stored.is_active:
            raise Refused(
                f"{stored.ref} is {stored.get_status_display().lower()}: it does not change "
                "any more."
            )
    else:
        Organization.objects.select_for_update().filter(pk=audit.organization_id).exists()
    team = list(team) if team is not None else (list(audit.team.all()) if audit.pk else [])
    if audit.lead_auditor_id:
        team = [user for user in team if user.pk != audit.lead_auditor_id]
    systems = (
        list(systems) if systems is not None else (list(audit.systems.all()) if audit.pk else [])
    )
    if clauses is not None:
        clauses = requirement_leaves(clauses)
    scope_clauses = (
        clauses if clauses is not None else (list(audit.clauses.all()) if audit.pk else [])
    )
    controls = list(controls) if controls is not None else None
    scope_controls = (
        controls if controls is not None else (list(audit.controls.all()) if audit.pk else [])
    )
    errors = _check_audit(audit, team=team, systems=systems)
    if not errors:
        found = independence.conflicts(
            audit.organization,
            lead=audit.lead_auditor if audit.lead_auditor_id else None,
            team=team,
            clauses=scope_clauses,
            controls=scope_controls,
            systems=systems,
        )
        errors.update(independence.by_field(found))
    if errors:
        raise ValidationError(errors)
    if audit.pk is None:
        audit.ref = next_ref(audit.organization)
        audit.created_by = audit.created_by or _user(actor)
    m2m = {"team": team, "systems": systems}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    audit = save_governed(audit, actor=actor, m2m=m2m)
    _sync_checklist(audit, scope_clauses, scope_controls)
    return audit


def _locked(audit: Audit) -> Audit:
    locked = (
        # Only the audit's row: PostgreSQL locks no row of a nullable join's side.
        Audit.objects.select_for_update(of=("self",))
        .select_related("organization", "programme", "lead_auditor")
        .get(pk=audit.pk)
    )
    return locked


def _refuse_conflicts(audit: Audit) -> None:
    found = independence.conflicts_of(audit)
    if found:
        raise ValidationError(independence.by_field(found))


def _not_future(day: dt.date | None, field: str) -> dt.date:
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationError({field: "Give today or an earlier date."})
    return day


def start_refusal(audit: Audit) -> str | None:
    """Why ``audit`` may not start now; None when it may."""
    if audit.status != AuditStatus.PLANNED:
        return f"Only a planned audit starts; {audit.ref} is {audit.get_status_display().lower()}."
    if not audit.lead_auditor_id:
        return "Name the lead auditor first."
    if not audit.items.exists():
        return "Put clauses or Annex A controls in scope first: the checklist is made from them."
    return None


@transaction.atomic
def start_audit(audit: Audit, *, actor, on: dt.date | None = None) -> Audit:
    """Planned → in progress (on ``on``, today by default). Results may then be recorded."""
    audit = _locked(audit)
    reason = start_refusal(audit)
    if reason:
        raise Refused(reason)
    _refuse_conflicts(audit)
    audit.started_on = _not_future(on, "started_on")
    audit.status = AuditStatus.IN_PROGRESS
    return save_governed(audit, actor=actor, note="Status: In progress.")


def completion_refusal(audit: Audit) -> str | None:
    """Why ``audit`` may not be completed now (its conclusion aside); None when it may."""
    if audit.status != AuditStatus.IN_PROGRESS:
        return (
            f"Only an audit in progress is completed; {audit.ref} is "
            f"{audit.get_status_display().lower()}."
        )
    unanswered = list(audit.items.unanswered().select_related("clause", "control")[:6])
    if unanswered:
        count = audit.items.unanswered().count()
        refs = ", ".join(item.ref for item in unanswered[:5]) + (" …" if count > 5 else "")
        return (
            f"{count} checklist item{'s' if count != 1 else ''} "
            f"{'have' if count != 1 else 'has'} no result yet ({refs}): record a result for "
            "every item first."
        )
    return None


INDEPENDENT = (
    "No member of the audit team owned an AI system or risk sampled, owned the SoA entry of a "
    "control in scope, held an AIMS role answering for a clause or control in scope, or was an "
    "AIMS Manager: checked by OpenAIMS on {day}."
)


@transaction.atomic
def complete_audit(audit: Audit, *, actor, conclusion: str, on: dt.date | None = None) -> Audit:
    """In progress → completed: every checklist item has a result and the conclusion is
    written; the team is still independent of the scope. A major nonconformity without its
    nonconformity gets one now."""
    audit = _locked(audit)
    reason = completion_refusal(audit)
    if reason:
        raise Refused(reason)
    conclusion = (conclusion or "").strip()
    if not conclusion:
        raise ValidationError({"conclusion": "Write the audit's conclusion before completing it."})
    if "\x00" in conclusion:
        raise ValidationError({"conclusion": "Remove the null character; it cannot be stored."})
    _refuse_conflicts(audit)
    day = _not_future(on, "completed_on")
    if audit.started_on and day < audit.started_on:
        raise ValidationError({"completed_on": "It cannot be completed before it started."})
    audit.conclusion = conclusion
    audit.completed_on = day
    audit.status = AuditStatus.COMPLETED
    audit.independence_statement = INDEPENDENT.format(day=f"{day:%Y-%m-%d}")
    audit.full_clean(exclude=["organization", "programme", "ref", "lead_auditor", "created_by"])
    audit = save_governed(audit, actor=actor, note="Status: Completed.")
    for item in audit.items.filter(result=Result.MAJOR, nonconformity__isnull=True):
        item.audit = audit
        _raise(item, actor=actor, on=day)
    return audit


@transaction.atomic
def cancel_audit(audit: Audit, *, actor, reason: str) -> Audit:
    """Planned or in progress → cancelled, with the reason. Its results stay as recorded."""
    audit = _locked(audit)
    if not audit.is_active:
        raise Refused(
            f"{audit.ref} is {audit.get_status_display().lower()}: it cannot be cancelled."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the audit is cancelled."})
    audit.cancel_reason = reason
    audit.status = AuditStatus.CANCELLED
    audit.full_clean(exclude=["organization", "programme", "ref", "lead_auditor", "created_by"])
    return save_governed(audit, actor=actor, note="Status: Cancelled.")


def deletion_refusal(audit: Audit) -> str | None:
    if audit.status in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED):
        return (
            f"{audit.ref} is {audit.get_status_display().lower()}: an audit carried out is "
            "governed history and stays. Cancel it instead."
        )
    if audit.started_on is not None:
        return f"{audit.ref} was started: it stays, cancelled, as the record of what happened."
    if audit.items.answered().exists() or audit.items.filter(nonconformity__isnull=False).exists():
        return f"Results were recorded in {audit.ref}: it stays."
    return None


@transaction.atomic
def delete_audit(audit: Audit, *, actor) -> None:
    """Delete a planned (or cancelled) audit recorded by mistake, with no result recorded."""
    audit = _locked(audit)
    reason = deletion_refusal(audit)
    if reason:
        raise Refused(reason)
    delete_governed(audit, actor=actor, note="Recorded by mistake.")


# --- The checklist -----------------------------------------------------------------------------


@transaction.atomic
def record_result(
    item: ChecklistItem,
    *,
    actor,
    result: str,
    notes: str = "",
    evidence_sampled: str = "",
    evidence=None,
    on: dt.date | None = None,
) -> ChecklistItem:
    """Record (or change) the result of a checklist item while its audit is in progress.

    A major nonconformity opens a nonconformity at once, raised on ``on`` (today by default;
    once per item: changing the result and back raises no second one). An item whose
    nonconformity is raised stays a nonconformity.
    """
    audit = _locked(item.audit)
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("clause", "control")
        .get(pk=item.pk)
    )
    item.audit = audit
    if not audit.records_results:
        if audit.status == AuditStatus.PLANNED:
            raise Refused(f"Start {audit.ref} first: results are recorded while it is in progress.")
        raise Refused(
            f"{audit.ref} is {audit.get_status_display().lower()}: its results do not change."
        )
    if result not in Result.values:
        raise ValidationError({"result": "Choose one of the results."})
    if item.nonconformity_id and result not in NONCONFORMITIES:
        raise ValidationError(
            {
                "result": f"This finding raised {item.nonconformity.ref}: it stays a major or "
                "minor nonconformity. Handle it on the nonconformity's page."
            }
        )
    evidence = list(evidence) if evidence is not None else None
    if evidence is not None and any(e.organization_id != audit.organization_id for e in evidence):
        raise ValidationError({"evidence": "Choose evidence of this organization."})
    item.result = result
    item.notes = (notes or "").strip()
    item.evidence_sampled = (evidence_sampled or "").strip()
    item.answered_by = _user(actor)
    item.answered_at = timezone.now()
    item.full_clean(exclude=["audit", "clause", "control", "nonconformity", "improvement"])
    m2m = {"evidence": evidence} if evidence is not None else None
    save_governed(item, actor=actor, organization=audit.organization, m2m=m2m)
    if result == Result.MAJOR and not item.nonconformity_id:
        _raise(item, actor=actor, on=on)
    return item


def _finding_text(item: ChecklistItem) -> str:
    audit = item.audit
    parts = [
        f"Internal audit {audit.ref} ({audit.title}) found a {item.get_result_display().lower()} "
        f"against {item.requirement}.",
    ]
    if item.notes:
        parts.append(item.notes)
    if item.evidence_sampled:
        parts.append(f"Evidence sampled: {item.evidence_sampled}")
    return "\n\n".join(parts)[:10_000]


def _owner_of(item: ChecklistItem):
    """Who answers for the requirement: the owner of the control's SoA entry, if any."""
    if not item.control_id:
        return None
    entry = (
        SoAEntry.objects.filter(organization_id=item.audit.organization_id, control=item.control)
        .select_related("owner")
        .first()
    )
    return entry.owner if entry is not None else None


def _raise(item: ChecklistItem, *, actor, on: dt.date | None = None):
    audit = item.audit
    systems = list(audit.systems.all())
    nonconformity = raise_nonconformity(
        audit.organization,
        title=f"{audit.ref} finding: {item.requirement}"[:200],
        description=_finding_text(item),
        source=NonconformitySource.AUDIT,
        severity=Severity.MAJOR if item.result == Result.MAJOR else Severity.MINOR,
        actor=actor,
        owner=_owner_of(item),
        system=systems[0] if len(systems) == 1 else None,
        clauses=[item.clause] if item.clause_id else (),
        controls=[item.control] if item.control_id else (),
        raised_on=on,
    )
    item.nonconformity = nonconformity
    save_governed(
        item,
        actor=actor,
        organization=audit.organization,
        note=f"Raised nonconformity {nonconformity.ref}.",
    )
    return nonconformity


def raise_refusal(item: ChecklistItem) -> str | None:
    if item.result not in NONCONFORMITIES:
        return "Only a major or minor nonconformity raises a nonconformity."
    if item.audit.status not in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED):
        return f"{item.audit.ref} is {item.audit.get_status_display().lower()}."
    return None


@transaction.atomic
def raise_from_item(
    item: ChecklistItem, *, actor, on: dt.date | None = None
) -> tuple[object, bool]:
    """Raise the nonconformity of a (minor or major) finding; or give the one raised already.
    Returns ``(nonconformity, created)``."""
    audit = _locked(item.audit)
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("clause", "control", "nonconformity")
        .get(pk=item.pk)
    )
    item.audit = audit
    if item.nonconformity_id:
        return item.nonconformity, False
    reason = raise_refusal(item)
    if reason:
        raise Refused(reason)
    return _raise(item, actor=actor, on=on), True


def improvement_refusal(item: ChecklistItem) -> str | None:
    if item.result != Result.IMPROVEMENT:
        return "Only an opportunity for improvement goes to the improvement register."
    if item.audit.status not in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED):
        return f"{item.audit.ref} is {item.audit.get_status_display().lower()}."
    return None


@transaction.atomic
def improvement_from_item(item: ChecklistItem, *, actor) -> tuple[object, bool]:
    """Add an opportunity for improvement to the improvement register (once); or give the one
    added already. Returns ``(improvement, created)``."""
    audit = _locked(item.audit)
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("clause", "control", "improvement")
        .get(pk=item.pk)
    )
    item.audit = audit
    if item.improvement_id:
        return item.improvement, False
    reason = improvement_refusal(item)
    if reason:
        raise Refused(reason)
    systems = list(audit.systems.all())
    improvement = add_improvement(
        audit.organization,
        title=f"{audit.ref}: {item.requirement}"[:200],
        description=_finding_text(item),
        source=ImprovementSource.AUDIT,
        actor=actor,
        owner=_owner_of(item),
        system=systems[0] if len(systems) == 1 else None,
        source_reference=audit.ref,
    )
    item.improvement = improvement
    save_governed(
        item,
        actor=actor,
        organization=audit.organization,
        note=f"Added to the improvement register as {improvement.ref}.",
    )
    return improvement, True
