"""What the impact assessment tests share: a system that needs an assessment, and an
assessment written, submitted and signed off."""

from __future__ import annotations

from aims.impact import services
from aims.impact.models import Dimension, ImpactAssessment
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system

COMPLETE = {
    "consequences": "Applicants could be refused credit unfairly.",
    "severity": 4,
    "likelihood": 3,
    "existing_mitigations": "Underwriters review referrals.",
    "planned_mitigations": "Quarterly fairness checks by age band.",
    "residual": "medium",
    "residual_note": "Monitored monthly.",
}


def make_system(world, **fields) -> AISystem:
    fields.setdefault("name", "Credit scoring")
    fields.setdefault("purpose", "Scores loans")
    fields.setdefault("intended_use", "Officers decide")
    fields.setdefault("foreseeable_misuse", "Marketing")
    fields.setdefault("owner", world.manager)
    fields.setdefault("affects_individuals", True)
    fields.setdefault("risk_tier", RiskTier.LIMITED)
    fields.setdefault("version", "4.2")
    return save_system(AISystem(organization=world.org, **fields), actor=world.owner)


def start(world, system, *, actor=None, **fields) -> ImpactAssessment:
    fields.setdefault("affected_individuals", "Loan applicants")
    return services.create_assessment(
        ImpactAssessment(organization=world.org, system=system, **fields),
        actor=actor or world.contributor,
    )


def complete(assessment, *, actor) -> ImpactAssessment:
    changes = {d.value: dict(COMPLETE) for d in Dimension}
    changes[Dimension.ENVIRONMENTAL] = {
        "not_relevant": True,
        "not_relevant_reason": "Runs on a small server; negligible energy use.",
    }
    services.save_findings(assessment, changes, actor=actor)
    assessment.refresh_from_db()
    return assessment


def submitted(world, system, *, author=None) -> ImpactAssessment:
    author = author or world.contributor
    assessment = complete(start(world, system, actor=author), actor=author)
    return services.submit(assessment, actor=author)


def signed(world, system, *, author=None, signer=None) -> ImpactAssessment:
    assessment = submitted(world, system, author=author)
    return services.sign_off(assessment, actor=signer or world.manager)


def assessed(system, *, author, signer) -> ImpactAssessment:
    """A current impact assessment of ``system``: written by ``author``, signed off by
    ``signer`` (who needs decision authority), in the system's present stage."""
    assessment = services.create_assessment(
        ImpactAssessment(
            organization=system.organization, system=system, affected_individuals="Applicants"
        ),
        actor=author,
    )
    complete(assessment, actor=author)
    services.submit(assessment, actor=author)
    return services.sign_off(assessment, actor=signer)
