"""Impact assessments: every change goes through one function here, recorded in the trail.

The life of an assessment: written as a draft (:func:`create_assessment`, :func:`save_assessment`,
:func:`save_findings`), submitted for review (:func:`submit`), signed off by a member with
decision authority who neither wrote nor last edited it (:func:`sign_off`). A signed-off
assessment does not change; :func:`reassess` copies it into a new draft, and signing that one
supersedes it. Only a draft is deleted (:func:`delete_assessment`).

Raising a risk from a finding (:func:`raise_risk`) is a treatment action, not a change of the
assessment: it is allowed at any status, a signed-off assessment included (the finding gains a
link to the risk; nothing it says changes).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause, Control
from aims.core.dates import add_months
from aims.core.errors import NeedsAuthority, Refused
from aims.inventory.models import AISystem, Stage
from aims.organizations.models import Membership
from aims.proposals.services import may_decide
from aims.risk.models import Category, Risk, RiskMatrix, Treatment
from aims.risk.services import save_risk
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import (
    OPEN_STATUSES,
    REASSESS_MONTHS,
    Dimension,
    ImpactAssessment,
    ImpactFinding,
    Status,
)

# What a new assessment addresses unless told otherwise.
DEFAULT_CLAUSES = ("6.1.4", "8.4")
DEFAULT_CONTROLS = ("A.5.2", "A.5.3", "A.5.4", "A.5.5")

# The risk register's category for a risk raised from each dimension.
RISK_CATEGORY = {
    Dimension.FAIRNESS: Category.FAIRNESS,
    Dimension.PRIVACY: Category.PRIVACY,
    Dimension.SAFETY: Category.SAFETY,
    Dimension.RIGHTS: Category.LEGAL,  # fundamental rights are legal obligations
    Dimension.ECONOMIC: Category.FAIRNESS,  # economic harm to the people decided about
    Dimension.ENVIRONMENTAL: Category.ENVIRONMENTAL,
    Dimension.TRANSPARENCY: Category.TRANSPARENCY,
    Dimension.SOCIETAL: Category.ACCOUNTABILITY,
}

# The fields a finding's form and the API set.
FINDING_FIELDS = (
    "not_relevant",
    "not_relevant_reason",
    "consequences",
    "severity",
    "likelihood",
    "existing_mitigations",
    "planned_mitigations",
    "residual",
    "residual_note",
)


def _locked(assessment: ImpactAssessment) -> ImpactAssessment:
    return (
        ImpactAssessment.objects.select_for_update()
        .select_related("organization", "system")
        .get(pk=assessment.pk)
    )


def _editable(assessment: ImpactAssessment) -> None:
    if assessment.status not in OPEN_STATUSES:
        raise Refused(
            f"“{assessment.title}” is {assessment.get_status_display().lower()}: it no longer "
            "changes. Reassess it to write a new version."
        )


def _open_one(system: AISystem, *, exclude_pk=None) -> ImpactAssessment | None:
    return (
        ImpactAssessment.objects.filter(system=system)
        .open()
        .exclude(pk=exclude_pk)
        .order_by("pk")
        .first()
    )


def _prefill(assessment: ImpactAssessment) -> None:
    system = assessment.system
    if not assessment.system_version:
        assessment.system_version = system.version
    if not assessment.intended_use.strip():
        assessment.intended_use = system.intended_use
    if not assessment.foreseeable_misuse.strip():
        assessment.foreseeable_misuse = system.foreseeable_misuse
    if not assessment.title.strip():
        version = f" v{assessment.system_version}" if assessment.system_version else ""
        assessment.title = f"Impact assessment: {system.name}{version}"[:200]


@transaction.atomic
def create_assessment(
    assessment: ImpactAssessment, *, actor, clauses=None, controls=None
) -> ImpactAssessment:
    """Start an assessment of its system, with one empty finding per dimension. The version,
    intended use and foreseeable misuse come from the system when left empty. One assessment
    of a system is written at a time."""
    system = AISystem.objects.select_for_update().get(pk=assessment.system_id)
    if system.organization_id != assessment.organization_id:
        raise ValidationError({"system": "Choose an AI system of this organization."})
    if system.stage == Stage.RETIRED:
        raise ValidationError({"system": f"“{system.name}” is retired: it is not assessed."})
    waiting = _open_one(system)
    if waiting is not None:
        raise ValidationError(
            {
                "system": f"“{waiting.title}” ({waiting.get_status_display().lower()}) is "
                f"already being written for {system.name}: continue that one."
            }
        )
    assessment.system = system
    _prefill(assessment)
    _check_schedule(assessment)
    assessment.status = Status.DRAFT
    assessment.author = actor
    assessment.last_edited_by = actor
    m2m = {
        "clauses": clauses
        if clauses is not None
        else list(Clause.objects.filter(ref__in=DEFAULT_CLAUSES)),
        "controls": controls
        if controls is not None
        else list(Control.objects.filter(ref__in=DEFAULT_CONTROLS)),
    }
    save_governed(assessment, actor=actor, m2m=m2m)
    ImpactFinding.objects.bulk_create(
        ImpactFinding(assessment=assessment, dimension=dimension) for dimension in Dimension
    )
    return assessment


@transaction.atomic
def save_assessment(
    assessment: ImpactAssessment, *, actor, clauses=None, controls=None
) -> ImpactAssessment:
    """Change an assessment still being written (draft or submitted for review); its last
    editor is recorded (they may no longer sign it off)."""
    stored = _locked(assessment)
    _editable(stored)
    if assessment.system_id != stored.system_id:
        raise ValidationError({"system": "An assessment stays with the system it assesses."})
    for name in ("status", "author_id", "signed_by_id", "signed_at", "previous_id"):
        setattr(assessment, name, getattr(stored, name))
    _check_schedule(assessment)
    assessment.last_edited_by = actor
    m2m = {}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(assessment, actor=actor, m2m=m2m)


def _check_schedule(assessment: ImpactAssessment, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    stored = (
        ImpactAssessment.objects.filter(pk=assessment.pk).values("next_reassessment").first()
        if assessment.pk
        else None
    )
    changed = stored is None or stored["next_reassessment"] != assessment.next_reassessment
    if (
        assessment.next_reassessment is not None
        and changed
        and assessment.next_reassessment <= today
    ):
        raise ValidationError(
            {"next_reassessment": "Choose a date after today: this one has already come."}
        )


def _clean_finding(finding: ImpactFinding) -> dict[str, str]:
    errors = {}
    if finding.not_relevant and not finding.not_relevant_reason.strip():
        errors["not_relevant_reason"] = "Say why this dimension is not relevant."
    return errors


@transaction.atomic
def save_findings(
    assessment: ImpactAssessment, changes: dict[str, dict], *, actor
) -> list[ImpactFinding]:
    """Change findings of an assessment still being written: ``changes`` maps a dimension to
    the fields that change. A ValidationError names each field as ``<dimension>.<field>``."""
    assessment = _locked(assessment)
    _editable(assessment)
    findings = {f.dimension: f for f in assessment.findings.all()}
    errors: dict[str, str] = {}
    changed = []
    for dimension, values in changes.items():
        finding = findings.get(dimension)
        if finding is None:
            errors[str(dimension)] = "Not an impact dimension of this assessment."
            continue
        for name, value in values.items():
            if name not in FINDING_FIELDS:
                raise ValueError(f"{name} is not a field of a finding")
            setattr(finding, name, value)
        if finding.not_relevant is None:
            finding.not_relevant = False
        for name, message in _clean_finding(finding).items():
            errors[f"{dimension}.{name}"] = message
        changed.append(finding)
    if errors:
        raise ValidationError(errors)
    for finding in changed:
        save_governed(finding, actor=actor, organization=assessment.organization)
    assessment.last_edited_by = actor
    assessment.save(update_fields=["last_edited_by", "updated_at"])
    return changed


def submission_problems(assessment: ImpactAssessment) -> dict[str, str]:
    """What must be written before the assessment is submitted, by field (findings as
    ``<dimension>.<field>``)."""
    problems = {}
    if not assessment.intended_use.strip():
        problems["intended_use"] = "Describe the intended use."
    if not assessment.affected_individuals.strip():
        problems["affected_individuals"] = "Say who the system's outputs affect."
    for finding in assessment.findings.all():
        for name, message in finding.problems().items():
            problems[f"{finding.dimension}.{name}"] = (
                f"{finding.get_dimension_display()}: {message}"
            )
    return problems


@transaction.atomic
def submit(assessment: ImpactAssessment, *, actor) -> ImpactAssessment:
    """Send a complete draft for review: every dimension assessed, or marked not relevant
    with a reason."""
    assessment = _locked(assessment)
    if assessment.status != Status.DRAFT:
        raise Refused(
            f"“{assessment.title}” is {assessment.get_status_display().lower()}: only a draft "
            "is submitted for review."
        )
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    record(
        assessment.organization,
        actor=actor,
        instance=assessment,
        action=Action.TRANSITION,
        changes={"status": [Status.DRAFT, Status.SUBMITTED]},
        note="Submitted for review.",
    )
    return assessment


def sign_off_refusal(assessment: ImpactAssessment, user) -> str:
    """Why ``user`` may not sign off ``assessment`` (empty when they may): for the page, which
    then shows the reason instead of the button, and for :func:`sign_off`."""
    if not may_decide(assessment.organization, user):
        return (
            "Signing off an impact assessment needs decision authority: an Owner, an AIMS "
            "Manager or top management."
        )
    if assessment.author_id is not None and assessment.author_id == user.pk:
        return "You wrote this assessment: someone else with authority signs it off."
    if assessment.last_edited_by_id is not None and assessment.last_edited_by_id == user.pk:
        return "You edited this assessment last: someone else with authority signs it off."
    return ""


@transaction.atomic
def sign_off(
    assessment: ImpactAssessment,
    *,
    actor,
    next_reassessment: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> ImpactAssessment:
    """Sign off a submitted assessment: it is the system's assessment in force (the one signed
    before is superseded), recorded with the signer's authority and the system's version and
    stage; the next reassessment is due :data:`REASSESS_MONTHS` months later unless another
    date is given."""
    assessment = _locked(assessment)
    today = today or timezone.localdate()
    if assessment.status != Status.SUBMITTED:
        reasons = {
            Status.DRAFT: "is a draft: submit it for review first",
            Status.SIGNED_OFF: "is signed off already",
            Status.SUPERSEDED: "is superseded by a later assessment",
        }
        raise Refused(
            f"“{assessment.title}” {reasons[Status(assessment.status)]}; only an assessment "
            "submitted for review is signed off."
        )
    refusal = sign_off_refusal(assessment, actor)
    if refusal:
        raise NeedsAuthority(refusal)
    if next_reassessment is not None and next_reassessment <= today:
        raise ValidationError(
            {"next_reassessment": "Choose a date after today: this one has already come."}
        )
    system = AISystem.objects.select_for_update().get(pk=assessment.system_id)
    if system.stage == Stage.RETIRED:
        raise Refused(f"“{system.name}” is retired: move it back to planning to assess it.")
    now = timezone.now()
    for earlier in ImpactAssessment.objects.filter(system=system, status=Status.SIGNED_OFF):
        earlier.status, earlier.superseded_at = Status.SUPERSEDED, now
        earlier.save(update_fields=["status", "superseded_at", "updated_at"])
        record(
            earlier.organization,
            actor=actor,
            instance=earlier,
            action=Action.TRANSITION,
            changes={"status": [Status.SIGNED_OFF, Status.SUPERSEDED]},
            note=f"Superseded by “{assessment.title}”.",
        )
    membership = Membership.objects.get(organization=assessment.organization, user=actor)
    assessment.status = Status.SIGNED_OFF
    assessment.signed_by, assessment.signed_at = actor, now
    assessment.signer_authority = membership.authority()
    assessment.signed_version, assessment.signed_stage = system.version, system.stage
    planned = assessment.next_reassessment  # a date chosen while writing, if still ahead
    if planned is not None and planned <= today:
        planned = None
    assessment.next_reassessment = (
        next_reassessment or planned or add_months(timezone.localtime(now).date(), REASSESS_MONTHS)
    )
    assessment.save()
    record(
        assessment.organization,
        actor=actor,
        instance=assessment,
        action=Action.DECISION,
        changes={
            "status": [Status.SUBMITTED, Status.SIGNED_OFF],
            "signed_off": [
                None,
                {
                    "authority": assessment.signer_authority,
                    "system_version": system.version,
                    "system_stage": system.stage,
                    "next_reassessment": assessment.next_reassessment.isoformat(),
                },
            ],
        },
        note=(note or "").strip()[:2000] or f"Signed off ({assessment.signer_authority}).",
    )
    return assessment


@transaction.atomic
def set_next_reassessment(
    assessment: ImpactAssessment, *, actor, when: dt.date, today: dt.date | None = None
) -> ImpactAssessment:
    """Move the next reassessment of a signed-off assessment (the schedule stays editable: it
    is a plan, not a finding). Needs decision authority."""
    assessment = _locked(assessment)
    today = today or timezone.localdate()
    if assessment.status != Status.SIGNED_OFF:
        raise Refused("Only a signed-off assessment has a reassessment date to move.")
    if not may_decide(assessment.organization, actor):
        raise NeedsAuthority(
            "Moving a reassessment date needs decision authority: an Owner, an AIMS Manager or "
            "top management."
        )
    if when <= today:
        raise ValidationError(
            {"next_reassessment": "Choose a date after today: this one has already come."}
        )
    before = assessment.next_reassessment
    assessment.next_reassessment = when
    assessment.save(update_fields=["next_reassessment", "updated_at"])
    record(
        assessment.organization,
        actor=actor,
        instance=assessment,
        action=Action.UPDATE,
        changes={"next_reassessment": [before.isoformat() if before else None, when.isoformat()]},
    )
    return assessment


@transaction.atomic
def reassess(assessment: ImpactAssessment, *, actor) -> ImpactAssessment:
    """A new draft copied from a signed-off (or superseded) assessment, for the system's
    present version; the old one stays in force until the new one is signed off."""
    assessment = _locked(assessment)
    if assessment.status not in (Status.SIGNED_OFF, Status.SUPERSEDED):
        raise Refused(
            f"“{assessment.title}” is {assessment.get_status_display().lower()}: edit it "
            "instead; only a signed-off assessment is reassessed."
        )
    system = AISystem.objects.select_for_update().get(pk=assessment.system_id)
    if system.stage == Stage.RETIRED:
        raise Refused(f"“{system.name}” is retired: it is not assessed.")
    waiting = _open_one(system)
    if waiting is not None:
        raise Refused(
            f"“{waiting.title}” ({waiting.get_status_display().lower()}) is already being "
            f"written for {system.name}: continue that one."
        )
    copied = ImpactAssessment(
        organization=assessment.organization,
        system=system,
        previous=assessment,
        system_version=system.version,
        title=_reassessment_title(assessment, system),
        intended_use=system.intended_use or assessment.intended_use,
        foreseeable_misuse=system.foreseeable_misuse or assessment.foreseeable_misuse,
        author=actor,
        last_edited_by=actor,
    )
    for name in (
        "affected_individuals",
        "affected_groups",
        "affected_society",
        "deployer_process",
        "period_of_use",
        "persons_affected",
        "specific_risks",
        "oversight_measures",
        "remedy_measures",
    ):
        setattr(copied, name, getattr(assessment, name))
    save_governed(
        copied,
        actor=actor,
        m2m={
            "clauses": list(assessment.clauses.all()),
            "controls": list(assessment.controls.all()),
        },
        note=f"Reassessment of “{assessment.title}”.",
    )
    old = {f.dimension: f for f in assessment.findings.prefetch_related("risks")}
    for dimension in Dimension:
        finding = ImpactFinding(assessment=copied, dimension=dimension)
        source = old.get(dimension)
        if source is not None:
            for name in FINDING_FIELDS:
                setattr(finding, name, getattr(source, name))
        finding.save()
        if source is not None:
            finding.risks.set(source.risks.all())
    return copied


def _reassessment_title(assessment: ImpactAssessment, system: AISystem) -> str:
    version = f" v{system.version}" if system.version else ""
    today = timezone.localdate().isoformat()
    return f"Impact assessment: {system.name}{version} (reassessed {today})"[:200]


@transaction.atomic
def delete_assessment(assessment: ImpactAssessment, *, actor) -> None:
    """Delete a draft written by mistake; anything submitted or signed stays for audits."""
    assessment = _locked(assessment)
    if assessment.status != Status.DRAFT:
        raise Refused(
            f"“{assessment.title}” is {assessment.get_status_display().lower()}: only a draft "
            "is deleted; the others stay, with their history, for audits."
        )
    delete_governed(assessment, actor=actor)


# --- Raising a risk --------------------------------------------------------------------------


def on_scale(value: int, levels: int) -> int:
    """A 1-5 value on a scale of ``levels`` levels (the organization's risk matrix: 3 to 7),
    keeping the ends: 1 stays 1 and 5 becomes ``levels``.

    >>> [on_scale(v, 3) for v in range(1, 6)]
    [1, 2, 2, 3, 3]
    """
    return max(1, min(levels, round(1 + (value - 1) * (levels - 1) / 4 + 1e-9)))


@transaction.atomic
def raise_risk(finding: ImpactFinding, *, actor) -> Risk:
    """Raise a risk in the register from a finding, in one step, and link the two. Allowed at
    any status of the assessment (a treatment action: nothing the assessment says changes);
    refused for a dimension marked not relevant, one not scored yet, and a finding that
    already raised a risk."""
    finding = (
        ImpactFinding.objects.select_for_update()
        .select_related("assessment__system", "assessment__organization")
        .get(pk=finding.pk)
    )
    assessment = finding.assessment
    system = assessment.system
    label = finding.get_dimension_display()
    if finding.not_relevant:
        raise Refused(f"{label} is marked not relevant: there is no risk to raise.")
    if finding.severity is None or finding.likelihood is None:
        raise ValidationError(
            {
                f"{finding.dimension}.severity": f"{label}: choose a severity and a likelihood "
                "before raising a risk."
            }
        )
    existing = finding.risks.order_by("ref").first()
    if existing is not None:
        raise Refused(f"{label} already raised {existing.ref} “{existing.title}”.")
    matrix = RiskMatrix.objects.get(organization_id=assessment.organization_id)
    description = "\n\n".join(
        part
        for part in (
            f"Raised from the impact assessment “{assessment.title}” ({label}).",
            finding.consequences.strip(),
            f"Existing mitigations: {finding.existing_mitigations.strip()}"
            if finding.existing_mitigations.strip()
            else "",
        )
        if part
    )
    risk = Risk(
        organization=assessment.organization,
        title=f"{label} impact of {system.name}"[:200],
        description=description[:20_000],
        category=RISK_CATEGORY[Dimension(finding.dimension)],
        owner=system.owner,
        inherent_likelihood=on_scale(finding.likelihood, matrix.likelihood_levels),
        inherent_impact=on_scale(finding.severity, matrix.impact_levels),
        treatment=Treatment.MODIFY if finding.planned_mitigations.strip() else "",
        treatment_plan=finding.planned_mitigations.strip()[:20_000],
    )
    save_risk(risk, actor=actor, systems=[system])
    finding.risks.add(risk)
    record(
        assessment.organization,
        actor=actor,
        instance=assessment,
        action=Action.UPDATE,
        changes={f"{finding.dimension}.risks": [None, risk.ref]},
        note=f"Raised {risk.ref} from {label}.",
    )
    return risk
