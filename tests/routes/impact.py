"""The impact assessment area's share of the route-walking and query-count tests."""

from __future__ import annotations

from aims.impact import services
from aims.impact.models import Dimension, ImpactAssessment, ImpactFinding
from aims.organizations.models import Access

LIST_PAGES = ["impact_list"]


def make(world, records) -> dict:
    system = records["objects"]["system"]
    assessment = services.create_assessment(
        ImpactAssessment(
            organization=world.org, system=system, affected_individuals="Loan applicants"
        ),
        actor=world.contributor,
    )
    services.save_findings(
        assessment,
        {Dimension.FAIRNESS: {"consequences": "Unfair refusals", "severity": 4, "likelihood": 3}},
        actor=world.contributor,
    )
    finding = assessment.findings.get(dimension=Dimension.FAIRNESS)
    return {
        "assessment_id": assessment.pk,
        "finding_id": finding.pk,
        "api": {"assessment_id": assessment.pk, "dimension": "fairness"},
        "objects": {"impact_assessment": assessment},
    }


def seed(world, n: int) -> None:
    """``n`` more assessments (of one system, signed off and superseded alike), each with its
    findings."""
    from aims.inventory.models import AISystem
    from aims.inventory.services import save_system

    system = AISystem.objects.filter(organization=world.org).first() or save_system(
        AISystem(organization=world.org, name="Seeded", purpose="p", affects_individuals=True),
        actor=world.owner,
    )
    made = ImpactAssessment.objects.bulk_create(
        ImpactAssessment(
            organization=world.org,
            system=system,
            title=f"Assessment {i}",
            author=world.contributor,
            status="superseded" if i % 2 else "draft",
        )
        for i in range(n)
    )
    ImpactFinding.objects.bulk_create(
        ImpactFinding(assessment=a, dimension=d) for a in made for d in Dimension
    )


API_ACCESS = {
    ("GET", "/impact-assessments"): Access.READ,
    ("POST", "/impact-assessments"): Access.CONTRIBUTE,
    ("GET", "/impact-assessments/{assessment_id}"): Access.READ,
    ("PATCH", "/impact-assessments/{assessment_id}"): Access.CONTRIBUTE,
    ("DELETE", "/impact-assessments/{assessment_id}"): Access.CONTRIBUTE,
    ("PATCH", "/impact-assessments/{assessment_id}/findings"): Access.CONTRIBUTE,
    ("POST", "/impact-assessments/{assessment_id}/submit"): Access.CONTRIBUTE,
    ("POST", "/impact-assessments/{assessment_id}/sign-off"): Access.DECIDE,
    ("POST", "/impact-assessments/{assessment_id}/reassess"): Access.CONTRIBUTE,
    (
        "POST",
        "/impact-assessments/{assessment_id}/findings/{dimension}/raise-risk",
    ): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/impact-assessments"): {"system": "credit-scoring"},
    ("PATCH", "/impact-assessments/{assessment_id}"): {"title": "Renamed"},
    ("PATCH", "/impact-assessments/{assessment_id}/findings"): {
        "privacy": {"consequences": "Leaks", "severity": 2}
    },
    ("POST", "/impact-assessments/{assessment_id}/sign-off"): {"note": "Reviewed."},
    ("DELETE", "/impact-assessments/{assessment_id}"): {},
    ("POST", "/impact-assessments/{assessment_id}/submit"): {},
    ("POST", "/impact-assessments/{assessment_id}/reassess"): {},
    ("POST", "/impact-assessments/{assessment_id}/findings/{dimension}/raise-risk"): {},
}
