"""What tests share beyond conftest's fixtures: AI systems that meet the stage gates.

The gates ask, besides an owner and an intended use, for an EU AI Act tier that is classified
(not prohibited; a high-risk system has more requirements) and, from deployment on, a risk
assessment: assessed risks naming the system, or a signed "no significant risks identified" in
its present stage. A test about something else gets there through these helpers.
"""

from __future__ import annotations

from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import move_to_stage, save_system
from aims.risk.models import Risk, RiskAssessmentSignOff
from aims.risk.services import sign_no_significant_risks

CONCLUSION = (
    "Data, model, intended use and the people affected were assessed in a workshop with the "
    "owner and the AIMS manager; no risk reaches the medium level."
)


def gate_ready(**fields) -> dict:
    """The fields of a system that meets every gate requirement of its own description: an
    intended use and a classified tier with no extra requirement (limited risk)."""
    fields.setdefault("intended_use", "Advice to loan officers, who decide.")
    fields.setdefault("risk_tier", RiskTier.LIMITED)
    return fields


def make_system(organization, *, actor, name: str = "Credit scoring", **fields) -> AISystem:
    """A system registered by ``actor``, ready for the gates (see :func:`gate_ready`)."""
    fields.setdefault("purpose", "Scores consumer credit applications.")
    fields.setdefault("owner", actor)
    system = AISystem(organization=organization, name=name, **gate_ready(**fields))
    return save_system(system, actor=actor)


def sign_off(system: AISystem, *, actor, conclusion: str = CONCLUSION) -> RiskAssessmentSignOff:
    """A signed "no significant risks identified" in the system's present stage."""
    return sign_no_significant_risks(system, actor=actor, conclusion=conclusion)


def needs_risk_assessment(system: AISystem, target: Stage) -> bool:
    """Whether entering ``target`` asks for a risk assessment that the system lacks."""
    return (
        target.index >= Stage.DEPLOYMENT.index
        and not Risk.objects.assessed_for(system).exists()
        and RiskAssessmentSignOff.objects.current_for(system) is None
    )


def move_through(
    system: AISystem, to_stage: Stage, *, actor, signer=None, reason: str = "Setting up."
) -> AISystem:
    """Move ``system`` forward one stage at a time to ``to_stage``; before each stage that asks
    for a risk assessment the system lacks, ``signer`` (``actor`` unless given, who then needs
    authority) signs "no significant risks identified"."""
    system.refresh_from_db()
    for target in Stage.sequence()[Stage(system.stage).index + 1 : Stage(to_stage).index + 1]:
        if needs_risk_assessment(system, target):
            sign_off(system, actor=signer or actor)
        move_to_stage(system, to_stage=target, actor=actor, reason=reason)
        system.refresh_from_db()
    return system
