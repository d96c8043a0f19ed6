"""AI risk register: recording risks, acceptance decisions and the organization's risk matrix."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aims.core.errors import NeedsAuthority, Refused
from aims.inventory.models import AISystem, Stage
from aims.organizations.models import Membership
from aims.proposals.services import DECIDERS, may_decide, propose
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import (
    LEVEL_LABEL_MAX_LENGTH,
    Level,
    Risk,
    RiskAcceptance,
    RiskAssessmentSignOff,
    RiskMatrix,
)


def next_ref(organization) -> str:
    refs = Risk.objects.filter(organization=organization).values_list("ref", flat=True)
    numbers = [int(r[2:]) for r in refs if r.startswith("R-") and r[2:].isdigit()]
    return f"R-{(max(numbers, default=0) + 1):03d}"


def validate_scores(risk: Risk, matrix: RiskMatrix) -> None:
    errors = {}
    for name, top in (
        ("inherent_likelihood", matrix.likelihood_levels),
        ("inherent_impact", matrix.impact_levels),
        ("residual_likelihood", matrix.likelihood_levels),
        ("residual_impact", matrix.impact_levels),
    ):
        value = getattr(risk, name)
        if value is not None and not 1 <= value <= top:
            errors[name] = f"Choose a value from 1 to {top}."
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        field = "residual_impact" if risk.residual_impact is None else "residual_likelihood"
        errors[field] = "Give both residual likelihood and residual impact, or neither."
    if errors:
        raise ValidationError(errors)


# What a treatment plan is made of: changing any of it after approval clears the approval.
PLAN_FIELDS = ("treatment", "treatment_plan", "treatment_due")
PLAN_APPROVAL = "risk.treatment_plan"  # the kind of proposal asking for a plan's approval


def _plan_changed(risk: Risk, controls) -> bool:
    stored = Risk.objects.filter(pk=risk.pk).first() if risk.pk else None
    if stored is None:
        return False
    if any(getattr(stored, name) != getattr(risk, name) for name in PLAN_FIELDS):
        return True
    return controls is not None and {c.pk for c in controls} != set(
        stored.controls.values_list("pk", flat=True)
    )


@transaction.atomic
def save_risk(risk: Risk, *, actor, systems=None, controls=None) -> Risk:
    """Create or update a risk with its links to AI systems and Annex A controls. A change to
    an approved treatment plan (option, plan, due date, controls) clears its approval."""
    validate_scores(risk, RiskMatrix.objects.get(organization_id=risk.organization_id))
    if not risk.ref:
        risk.ref = next_ref(risk.organization)
    m2m = {}
    if systems is not None:
        foreign = [s for s in systems if s.organization_id != risk.organization_id]
        if foreign:
            raise ValidationError({"systems": "AI systems must belong to this organization."})
        m2m["systems"] = systems
    if controls is not None:
        m2m["controls"] = controls
    if risk.plan_approved_at is not None and _plan_changed(risk, controls):
        risk.plan_approved_by, risk.plan_approved_at = None, None
    return save_governed(risk, actor=actor, m2m=m2m)


def deletion_blockers(risk: Risk) -> list[str]:
    """Why deleting ``risk`` would lose governed history; empty when it may be deleted.

    A risk with a recorded decision, or that other records name (evidence, SoA entries, checks:
    any many-to-many link to it), is closed instead, which keeps it for audits (clause 7.5.3).
    """
    reasons = []
    decisions = risk.acceptances.count()
    if decisions:
        reasons.append(f"{decisions} acceptance decision{'s' if decisions != 1 else ''} recorded")
    for relation in Risk._meta.related_objects:
        if not relation.many_to_many or relation.related_model is Risk:
            continue
        linked = getattr(risk, relation.get_accessor_name()).count()
        if linked:
            meta = relation.related_model._meta
            name = meta.verbose_name if linked == 1 else meta.verbose_name_plural
            reasons.append(f"{linked} {name} name{'s' if linked == 1 else ''} it")
    return reasons


@transaction.atomic
def delete_risk(risk: Risk, *, actor) -> None:
    """Delete a risk recorded by mistake; refused while :func:`deletion_blockers` objects."""
    reasons = deletion_blockers(risk)
    if reasons:
        raise Refused(
            f"{risk.ref} cannot be deleted: " + "; ".join(reasons) + ". Close it instead: its "
            "status Closed keeps it, with its history, for audits."
        )
    delete_governed(risk, actor=actor)


@transaction.atomic
def approve_treatment_plan(risk: Risk, *, actor, note: str = "") -> Risk:
    """Approve the risk's treatment plan (6.1.3 f), as someone with decision authority."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if not may_decide(risk.organization, actor):
        raise NeedsAuthority(
            f"Approving the treatment plan of {risk.ref} needs {DECIDERS}. "
            "Ask for their approval instead."
        )
    if not risk.treatment or not risk.treatment_plan.strip():
        raise ValidationError(
            {"treatment_plan": "Choose the treatment option and write the plan before approval."}
        )
    if risk.plan_approved_at is not None:
        raise Refused(f"The treatment plan of {risk.ref} is approved already.")
    risk.plan_approved_by, risk.plan_approved_at = actor, timezone.now()
    risk.save(update_fields=["plan_approved_by", "plan_approved_at", "updated_at"])
    record(
        risk.organization,
        actor=actor,
        instance=risk,
        action=Action.DECISION,
        changes={"plan_approved_by": [None, actor.get_username()]},
        note=note or "Treatment plan approved.",
    )
    return risk


def propose_plan_approval(risk: Risk, *, actor, reason: str):
    """Ask those with authority to approve the risk's treatment plan as it stands."""
    if not risk.treatment or not risk.treatment_plan.strip():
        raise ValidationError(
            {"treatment_plan": "Choose the treatment option and write the plan first."}
        )
    if risk.plan_approved_at is not None:
        raise Refused(f"The treatment plan of {risk.ref} is approved already.")
    return propose(
        risk.organization,
        actor=actor,
        kind=PLAN_APPROVAL,
        record_of=risk,
        summary=f"Approve the treatment plan of {risk.ref} {risk.title}"[:500],
        payload={"treatment": risk.treatment, "treatment_plan": risk.treatment_plan},
        reason=reason,
    )


# Said by the authority of an acceptance that its decider owns the risk, which was critical.
SELF_ACCEPTANCE = "risk owner accepting their own critical risk"


def is_self_acceptance(risk: Risk, actor) -> bool:
    """Whether ``actor`` owns ``risk`` and it is critical now: accepting it would be deciding
    alone on one's own critical risk, which an auditor asks about (who else reviewed it?)."""
    return (
        risk.owner_id is not None
        and risk.owner_id == getattr(actor, "pk", None)
        and risk.level() == Level.CRITICAL
    )


def was_self_accepted(acceptance: RiskAcceptance) -> bool:
    """Whether an acceptance was recorded as its risk owner's own, on a critical risk."""
    return acceptance.authority.endswith(SELF_ACCEPTANCE)


@transaction.atomic
def accept_risk(
    risk: Risk, *, actor, rationale: str, expires_on: dt.date, today: dt.date | None = None
) -> RiskAcceptance:
    """Record a decision to retain a risk above appetite, by someone with authority.

    The risk's owner may accept their own critical risk; the acceptance then says so, in its
    authority and in the change trail (:func:`is_self_acceptance`)."""
    today = today or timezone.localdate()
    membership = Membership.objects.filter(user=actor, organization=risk.organization).first()
    if membership is None or not membership.has_authority:
        raise ValidationError(
            "Only an Owner, an AIMS Manager or top management can accept a risk above appetite."
        )
    errors = {}
    if not rationale.strip():
        errors["rationale"] = "Explain why the organization retains this risk."
    if expires_on is None or expires_on <= today:
        errors["expires_on"] = "The acceptance must expire on a future date."
    elif expires_on > today + dt.timedelta(days=3 * 366):
        errors["expires_on"] = "An acceptance can last at most three years; review it before."
    if errors:
        raise ValidationError(errors)
    if not risk.is_above_appetite():
        raise ValidationError("This risk is within appetite; it needs no acceptance decision.")
    self_accepted = is_self_acceptance(risk, actor)
    authority = membership.authority()
    if self_accepted:
        authority = f"{authority}; {SELF_ACCEPTANCE}"
    acceptance = RiskAcceptance.objects.create(
        risk=risk,
        decided_by=actor,
        authority=authority,
        rationale=rationale,
        accepted_score=risk.current_score,
        expires_on=expires_on,
    )
    decided = {"score": acceptance.accepted_score, "expires_on": expires_on.isoformat()}
    if self_accepted:
        decided["self_accepted"] = True
    record(
        risk.organization,
        actor=actor,
        instance=risk,
        action=Action.DECISION,
        changes={"acceptance": [None, decided]},
        note=(
            f"Self-acceptance: the owner of this critical risk accepted it. {rationale}"
            if self_accepted
            else rationale
        ),
    )
    return acceptance


@transaction.atomic
def update_matrix(matrix: RiskMatrix, *, actor) -> RiskMatrix:
    """Save a changed matrix. Refused if it would leave existing scores out of range."""
    errors = {}
    if not 3 <= matrix.likelihood_levels <= 7:
        errors["likelihood_labels"] = "Use from 3 to 7 likelihood levels."
    if not 3 <= matrix.impact_levels <= 7:
        errors["impact_labels"] = "Use from 3 to 7 impact levels."
    for name in ("likelihood_labels", "impact_labels"):
        if name not in errors and any(
            len(label) > LEVEL_LABEL_MAX_LENGTH for label in getattr(matrix, name)
        ):
            errors[name] = f"Keep each level's name to {LEVEL_LABEL_MAX_LENGTH} characters."
    if not 1 <= matrix.low_max < matrix.medium_max < matrix.high_max < matrix.max_score:
        errors["high_max"] = (
            f"Bands must rise: 1 ≤ low < medium < high < {matrix.max_score} (the highest score)."
        )
    risks = Risk.objects.filter(organization_id=matrix.organization_id)
    used = risks.aggregate(
        l1=Max("inherent_likelihood"),
        l2=Max("residual_likelihood"),
        i1=Max("inherent_impact"),
        i2=Max("residual_impact"),
    )
    top_l = max(v or 0 for v in (used["l1"], used["l2"]))
    top_i = max(v or 0 for v in (used["i1"], used["i2"]))
    if top_l > matrix.likelihood_levels and "likelihood_labels" not in errors:
        errors["likelihood_labels"] = (
            f"Existing risks use likelihood {top_l}; keep at least {top_l} levels."
        )
    if top_i > matrix.impact_levels and "impact_labels" not in errors:
        errors["impact_labels"] = (
            f"Existing risks use impact {top_i}; keep at least {top_i} levels."
        )
    if errors:
        raise ValidationError(errors)
    return save_governed(matrix, actor=actor)


@transaction.atomic
def sign_no_significant_risks(system: AISystem, *, actor, conclusion: str) -> RiskAssessmentSignOff:
    """Record, signed by someone with authority, that assessing ``system``'s risks in its present
    stage found none significant. It stands in for assessed risks at the deployment gate until
    the system changes stage (:meth:`RiskAssessmentSignOff.objects.current_for`)."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    membership = Membership.objects.filter(user=actor, organization=system.organization).first()
    if membership is None or not membership.has_authority:
        raise PermissionDenied(
            "Only an Owner, an AIMS Manager or top management can sign that a system's risk "
            "assessment found no significant risks."
        )
    if system.stage == Stage.RETIRED:
        raise Refused("The system is retired: move it back to planning before assessing it again.")
    conclusion = conclusion.strip()
    if not conclusion:
        raise ValidationError(
            {"conclusion": "Say what was assessed, how, and why no risk is significant."}
        )
    longest = RiskAssessmentSignOff._meta.get_field("conclusion").max_length
    if len(conclusion) > longest:
        raise ValidationError({"conclusion": f"Keep the conclusion to {longest} characters."})
    signoff = RiskAssessmentSignOff.objects.create(
        system=system,
        signed_by=actor,
        authority=membership.authority(),
        conclusion=conclusion,
        stage_at_signing=system.stage,
    )
    record(
        system.organization,
        actor=actor,
        instance=system,
        action=Action.DECISION,
        changes={
            "risk_assessment": [
                None,
                {
                    "conclusion": "no significant risks identified",
                    "stage": system.stage,
                    "authority": signoff.authority,
                },
            ]
        },
        note=conclusion,
    )
    return signoff
