"""AI system inventory: registering systems and moving them through their life cycle."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from aims.core.areas import hooks
from aims.core.errors import NeedsAuthority, Refused
from aims.proposals.services import DECIDERS, may_decide, propose
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import AISystem, LifecycleTransition, Stage

TRANSITION = "inventory.transition"  # the kind of proposal a stage change is


class GateBlocked(Refused):
    """A transition refused because gate requirements are not met; ``results`` says which."""

    def __init__(self, stage: Stage, results):
        self.stage = stage
        self.results = [r for r in results if not r.met]
        reasons = [f"{r.label}: {r.detail}" for r in self.results]
        super().__init__(f"{stage.label} is blocked: " + " ".join(reasons), code="gate_blocked")

    def api_detail(self) -> str:
        return f"{self.stage.label} is blocked: {len(self.results)} requirement(s) not met."

    def api_errors(self) -> list[dict]:
        return [{"field": "to_stage", "message": f"{r.label}: {r.detail}"} for r in self.results]

    def api_extra(self) -> dict:
        return {
            "stage": str(self.stage),
            "requirements": [
                {"code": r.requirement.code, "label": r.label, "detail": r.detail}
                for r in self.results
            ],
        }


def unique_system_slug(organization, name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:70] or "ai-system"
    taken = set(
        AISystem.objects.filter(organization=organization, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def tier_lock(system: AISystem) -> str:
    """Why the system's risk tier may not be set by hand (hook ``system_tier``: a signed
    classification sets it), or empty."""
    return next((reason for fn in hooks("system_tier") if (reason := fn(system))), "")


def save_system(system: AISystem, *, actor) -> AISystem:
    """Create or update a system (not its stage: that is :func:`move_to_stage`)."""
    if not system.slug:
        system.slug = unique_system_slug(system.organization, system.name, exclude_pk=system.pk)
    elif (
        AISystem.objects.filter(organization_id=system.organization_id, slug=system.slug)
        .exclude(pk=system.pk)
        .exists()
    ):
        raise ValidationError({"slug": f"Another AI system already uses the id “{system.slug}”."})
    if system.pk is not None:
        stored = (
            AISystem.objects.filter(pk=system.pk)
            .values("stage", "risk_tier", *AISystem.MATERIAL_FIELDS)
            .first()
        )
        if stored is not None and stored["stage"] != system.stage:
            raise ValidationError({"stage": "Change the stage with a recorded transition."})
        if stored is not None and stored["risk_tier"] != system.risk_tier:
            locked = tier_lock(system)
            if locked:
                raise ValidationError({"risk_tier": locked})
        if stored is not None and any(
            stored[name] != getattr(system, name) for name in AISystem.MATERIAL_FIELDS
        ):
            system.basis_changed_at = timezone.now()
    return save_governed(system, actor=actor)


@transaction.atomic
def mark_changed(system: AISystem, *, actor, reason: str) -> AISystem:
    """Record a material change that no field of the record shows (new training data, say):
    the assessments signed before it no longer count (:meth:`AISystem.assessed_since_change`)."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    before = system.basis_changed_at
    system.basis_changed_at = timezone.now()
    system.save(update_fields=["basis_changed_at", "updated_at"])
    record(
        system.organization,
        actor=actor,
        instance=system,
        action=Action.UPDATE,
        changes={"last material change": [before.isoformat(), system.basis_changed_at.isoformat()]},
        note=reason,
    )
    return system


def allowed_targets(system: AISystem) -> list[Stage]:
    """Forward one stage, back to any earlier stage, or retire; a retired system can be revived
    to planning."""
    current = Stage(system.stage)
    if current == Stage.RETIRED:
        return [Stage.PLANNING]
    stages = [s for s in Stage if s != Stage.RETIRED]
    index = stages.index(current)
    targets = stages[:index]
    if index + 1 < len(stages):
        targets.append(stages[index + 1])
    targets.append(Stage.RETIRED)
    return targets


# Stages a system enters only by a decision of someone with authority (clause 5.3, A.6.2.5):
# moving forward into them needs an Owner, an AIMS Manager or top management; others propose it.
DECIDED_STAGES = frozenset({Stage.DEPLOYMENT, Stage.OPERATION})


def _checked_target(system: AISystem, to_stage: str, reason: str) -> tuple[Stage, bool]:
    """The stage asked for, after the rules every transition follows; and whether it is a move
    forward (which the stage gate guards)."""
    target = Stage(to_stage)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the system moves to this stage."})
    if target == Stage(system.stage):
        raise ValidationError({"to_stage": f"The system is already in {target.label}."})
    if target not in allowed_targets(system):
        raise ValidationError(
            {"to_stage": f"A system in {system.get_stage_display()} cannot move to {target.label}."}
        )
    moving_forward = target != Stage.RETIRED and target.index > Stage(system.stage).index
    if moving_forward:
        results = system.gate(target)
        if not all(r.met for r in results):
            raise GateBlocked(target, results)
    return target, moving_forward


def needs_decision(system: AISystem, to_stage: str) -> bool:
    """Whether moving ``system`` to ``to_stage`` needs decision authority."""
    target = Stage(to_stage)
    return target in DECIDED_STAGES and target.index > Stage(system.stage).index


@transaction.atomic
def move_to_stage(system: AISystem, *, to_stage: str, actor, reason: str) -> LifecycleTransition:
    """Record a life-cycle transition after checking it is allowed, its gate is met and, into
    deployment or operation, that ``actor`` has decision authority."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    target, _ = _checked_target(system, to_stage, reason)
    if needs_decision(system, target) and not may_decide(system.organization, actor):
        raise NeedsAuthority(
            f"Moving “{system.name}” into {target.label} needs {DECIDERS}. "
            "Propose it instead; they approve or refuse it."
        )
    transition = LifecycleTransition.objects.create(
        system=system, from_stage=system.stage, to_stage=target, actor=actor, reason=reason
    )
    record(
        system.organization,
        actor=actor,
        instance=system,
        action=Action.TRANSITION,
        changes={"stage": [system.stage, str(target)]},
        note=reason,
    )
    system.stage = target
    system.basis_changed_at = transition.created_at
    system.save(update_fields=["stage", "basis_changed_at", "updated_at"])
    return transition


@transaction.atomic
def propose_transition(system: AISystem, *, to_stage: str, actor, reason: str):
    """Ask those with authority to move ``system`` into deployment or operation. The move must
    be possible now (its gate met); it is made, by the approver, when they approve."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    target, _ = _checked_target(system, to_stage, reason)
    if not needs_decision(system, target):
        raise ValidationError(
            {"to_stage": f"Moving to {target.label} needs no decision: make the move itself."}
        )
    return propose(
        system.organization,
        actor=actor,
        kind=TRANSITION,
        record_of=system,
        summary=f"Move “{system.name}” to {target.label}",
        payload={"to_stage": str(target)},
        reason=reason.strip(),
    )


def deletion_blockers(system: AISystem) -> list[str]:
    """Why deleting ``system`` would lose governed history; empty when it may be deleted.

    Only a record registered by mistake may be deleted: still in planning, never moved through
    the life cycle, and not linked to any risk or evidence. Anything else is retired instead,
    which keeps the inventory, its transitions and its links for audits (clause 7.5.3).
    """
    reasons = []
    if system.stage == Stage.RETIRED:
        reasons.append("it is retired; its record stays in the inventory for audits")
    elif system.stage != Stage.PLANNING:
        reasons.append(f"it is in {system.get_stage_display()}, past planning; retire it instead")
    elif system.transitions.exists():
        reasons.append("it has a recorded life-cycle history; retire it instead")
    risks = system.risks.count()
    if risks:
        reasons.append(f"{risks} risk{'s' if risks != 1 else ''} of the register name it")
    evidence = system.evidence.count()
    if evidence:
        reasons.append(f"{evidence} piece{'s' if evidence != 1 else ''} of evidence name it")
    for fn in hooks("system_deletion"):  # the other areas' records: assessments, incidents, ...
        reasons.extend(fn(system))
    return reasons


@transaction.atomic
def delete_system(system: AISystem, *, actor) -> None:
    """Delete a system registered by mistake; refused when :func:`deletion_blockers` objects."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    reasons = deletion_blockers(system)
    if reasons:
        raise ValidationError(f"“{system.name}” cannot be deleted: " + "; ".join(reasons) + ".")
    delete_governed(system, actor=actor)
